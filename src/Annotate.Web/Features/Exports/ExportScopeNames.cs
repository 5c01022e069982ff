using Annotate.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Annotate.Web.Features.Exports;

/// <summary>
/// Export scopes as a person reads them: an export keeps "annotator:USER-ID" (stable when an email changes),
/// which lists must show as the annotator's name and email.
/// </summary>
public static class ExportScopeNames
{
    public static async Task<IReadOnlyDictionary<string, string>> ForAsync(AppDbContext db, IEnumerable<string> scopes)
    {
        var distinct = scopes.Distinct().ToList();
        var ids = distinct.Where(s => s.StartsWith(Prefix, StringComparison.Ordinal)).Select(s => s[Prefix.Length..]).ToList();
        var people = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id))
            .Select(u => new { u.Id, u.DisplayName, u.Email }).ToDictionaryAsync(u => u.Id);
        return distinct.ToDictionary(scope => scope, scope => scope switch
        {
            "all" => "every annotator",
            "curated" => "the curated layer",
            _ when scope.StartsWith(Prefix, StringComparison.Ordinal) && people.TryGetValue(scope[Prefix.Length..], out var person) =>
                string.IsNullOrWhiteSpace(person.DisplayName) || person.DisplayName == person.Email ? $"{person.Email} only" : $"{person.DisplayName} ({person.Email}) only",
            _ when scope.StartsWith(Prefix, StringComparison.Ordinal) => "a former member only",
            _ => scope,
        });
    }

    private const string Prefix = "annotator:";
}
