using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Curation;

/// <summary>An annotator as a filter or chooser lists them: by name, or "Annotator n" where the viewer curates anonymously.</summary>
public record AnnotatorChoice(string Id, string Name);

public record ConflictsPage(Project Project, ConflictQueue Queue, List<AnnotatorChoice> Annotators, List<string> Labels,
    string? Kind, string? Label, string? Annotator, string Order);

public record ConsistencyPage(Project Project, List<ConsistencyProblem> Problems, Dictionary<long, string> Titles);

public record CorrectionsPage(Project Project, ProjectRole Role, List<AnnotatorCorrections> People, List<AnnotatorChoice> Annotators,
    string? Annotator, Dictionary<long, string> Titles);

/// <summary>
/// The project-wide curation pages, drawn on the server from the same reports the API answers with (so the role
/// checks are the API's: the conflict queue and consistency checks for reviewers and managers, corrections for every
/// member, annotators seeing only their own).
/// </summary>
[Authorize]
public class CurationPagesController(AppDbContext db, ProjectAccess access, CurationReports reports) : Controller
{
    public static readonly string[] Kinds = ["label", "boundary", "missing", "type"];

    [HttpGet("/projects/{id:long}/conflicts")]
    public async Task<IActionResult> Conflicts(long id, string? kind, string? label, string? annotator, string? order)
    {
        kind = Blank(kind); label = Blank(label); annotator = Blank(annotator);
        order = Blank(order) ?? "open";
        var queue = await reports.ConflictsAsync(User, id, kind, label, annotator, order);
        var (project, role) = await access.RequireAsync(User, id, ProjectRole.Reviewer, ProjectRole.Manager);
        var labels = await db.LabelDefinitions.AsNoTracking().Where(l => l.ProjectId == id && l.Kind != LabelKind.Relation)
            .OrderBy(l => l.SortOrder).Select(l => l.Name).ToListAsync();
        return View(new ConflictsPage(project, queue, await AnnotatorsAsync(project, role), labels, kind, label, annotator, order));
    }

    [HttpGet("/projects/{id:long}/consistency")]
    public async Task<IActionResult> Consistency(long id)
    {
        var problems = await reports.ConsistencyAsync(User, id);
        var (project, _) = await access.RequireAsync(User, id, ProjectRole.Reviewer, ProjectRole.Manager);
        var documents = problems.SelectMany(p => new[] { p.From.DocumentId, p.To.DocumentId }).ToHashSet();
        return View(new ConsistencyPage(project, problems, await TitlesAsync(documents)));
    }

    [HttpGet("/projects/{id:long}/corrections")]
    public async Task<IActionResult> Corrections(long id, string? annotator)
    {
        annotator = Blank(annotator);
        var people = await reports.CorrectionsAsync(User, id, annotator);
        var (project, role) = await access.RequireAsync(User, id);
        var annotators = role == ProjectRole.Annotator ? [] : await AnnotatorsAsync(project, role);
        var documents = people.SelectMany(p => p.Differences.Select(d => d.DocumentId).Concat(p.Notes.Select(n => n.DocumentId))).ToHashSet();
        return View(new CorrectionsPage(project, role, people, annotators, annotator, await TitlesAsync(documents)));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private async Task<Dictionary<long, string>> TitlesAsync(HashSet<long> documents) =>
        await db.Documents.AsNoTracking().Where(d => documents.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.Title);

    /// <summary>The project's annotators, numbered as the review routes number them when this viewer curates anonymously.</summary>
    private async Task<List<AnnotatorChoice>> AnnotatorsAsync(Project project, ProjectRole role)
    {
        var members = await db.ProjectMembers.AsNoTracking().Where(m => m.ProjectId == project.Id && m.Role == ProjectRole.Annotator)
            .Select(m => new { m.UserId, m.User!.DisplayName }).ToListAsync();
        var names = (await Names.ForAsync(db, project, role)).With(members.ToDictionary(m => m.UserId, m => m.DisplayName), members.Select(m => m.UserId));
        return members.Select(m => new AnnotatorChoice(m.UserId, names.Of(m.UserId))).OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
    }
}
