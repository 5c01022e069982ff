using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Annotate.Web.Features.Exports;

/// <param name="Merged">for each format that holds one annotation per article: how many annotators' spans "every
/// annotator" would merge, of all documents and of finished ones (more than one is refused)</param>
/// <param name="Form">the choices of the last request, kept when it was refused</param>
public record ExportsPage(Project Project, IReadOnlyList<ExportView> Exports, IReadOnlyList<(string Email, string Name)> Annotators,
    IReadOnlyDictionary<string, MergedAnnotators> Merged, ExportForm Form);

public record MergedAnnotators(int All, int Finished);

/// <summary>What the export form asks; posted by the page and kept across a refusal.</summary>
public record ExportForm(string Format = AnnotateJsonlWriter.Name, string Scope = "all", bool FinishedOnly = false, string Offsets = "codepoint", bool Gzip = false);

/// <summary>The project's Exports page: start one, watch its bar, cancel, download, delete.</summary>
[Authorize]
public class ExportsController(AppDbContext db, ProjectAccess access, ExportScheduler scheduler) : Controller
{
    [HttpGet("/projects/{projectId:long}/exports")]
    public async Task<IActionResult> Index(long projectId)
    {
        var (project, _) = await access.RequireManagerAsync(User, projectId);
        var exports = await db.Exports.AsNoTracking().Include(e => e.RequestedBy).Where(e => e.ProjectId == projectId)
            .OrderByDescending(e => e.CreatedAt).ToListAsync();
        var annotators = await db.ProjectMembers.Where(m => m.ProjectId == projectId).OrderBy(m => m.User!.Email)
            .Select(m => new { m.User!.Email, m.User.DisplayName }).ToListAsync();
        var merged = new Dictionary<string, MergedAnnotators>();
        foreach (var format in ExportWriter.Formats.Where(f => ExportRunner.MergesAnnotators(f, ExportScope.All)))
            merged[format] = new MergedAnnotators(await MergedAsync(projectId, format, false), await MergedAsync(projectId, format, true));
        var form = TempData["ExportForm"] is string kept ? JsonSerializer.Deserialize<ExportForm>(kept) ?? new ExportForm() : new ExportForm();
        return View(new ExportsPage(project, await ExportsApiController.ViewsAsync(db, exports), annotators.Select(a => (a.Email!, a.DisplayName)).ToList(),
            merged, form));
    }

    /// <summary>The annotators an "every annotator" export in this format would merge: the rule the export itself applies.</summary>
    private Task<int> MergedAsync(long projectId, string format, bool finishedOnly)
    {
        var scope = new ExportFilter(new Export { ProjectId = projectId, Format = format, Scope = ExportScope.All, FinishedOnly = finishedOnly });
        return db.Database.SqlQueryRaw<int>(scope.AnnotatorCount(), new NpgsqlParameter("project", projectId), new NpgsqlParameter("annotator", DBNull.Value)).SingleAsync();
    }

    [HttpPost("/projects/{projectId:long}/exports")]
    public async Task<IActionResult> Start(long projectId, string? format, string? scope, bool finishedOnly, string? offsets, bool gzip)
    {
        await access.RequireManagerAsync(User, projectId);
        try
        {
            var unit = offsets == "utf16" ? Annotations.OffsetUnit.Utf16 : Annotations.OffsetUnit.Codepoint;
            var export = await scheduler.StartAsync(projectId, new NewExport(format, scope, finishedOnly, unit, gzip), ProjectAccess.UserId(User));
            TempData["Message"] = $"Export {export.Id} started.";
        }
        catch (ProblemException problem)
        {
            TempData["Error"] = problem.Detail;
            // The form comes back as the person filled it, so fixing one choice does not mean redoing the others.
            TempData["ExportForm"] = JsonSerializer.Serialize(new ExportForm(format ?? "", scope ?? "all", finishedOnly, offsets ?? "codepoint", gzip));
        }
        return Redirect($"/projects/{projectId}/exports");
    }
}
