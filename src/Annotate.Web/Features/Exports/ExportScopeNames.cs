namespace Annotate.Web.Features.Exports;

/// <summary>
/// Export scopes as a person reads them: an export keeps its annotator by user id (stable when an email changes),
/// which lists show as the annotator's name and email.
/// </summary>
public static class ExportScopeNames
{
    public static async Task<IReadOnlyDictionary<ExportScope, string>> ForAsync(AppDbContext db, IEnumerable<ExportScope> scopes)
    {
        var distinct = scopes.Distinct().ToList();
        var ids = distinct.Where(s => s.AnnotatorId is not null).Select(s => s.AnnotatorId!).ToList();
        var people = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id))
            .Select(u => new { u.Id, u.DisplayName, u.Email }).ToDictionaryAsync(u => u.Id);
        return distinct.ToDictionary(scope => scope, scope => scope switch
        {
            { IsCurated: true } => "the curated layer",
            { AnnotatorId: { } id } when people.TryGetValue(id, out var person) =>
                string.IsNullOrWhiteSpace(person.DisplayName) || person.DisplayName == person.Email ? $"{person.Email} only" : $"{person.DisplayName} ({person.Email}) only",
            { AnnotatorId: not null } => "a former member only",
            _ => "every annotator",
        });
    }

    public static async Task<string> ForAsync(AppDbContext db, ExportScope scope) => (await ForAsync(db, [scope]))[scope];
}
