using Annotate.Web.Features.Agreement;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Jobs;

public record JobRow(string Kind, long Id, long ProjectId, string Project, JobStatus Status, string Reason, string? RequestedBy,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int Done, int Total, int Attempts, string? Error, string? Link);

/// <summary>What ran, when, how long, and why it failed: the background jobs of the projects you manage (all, for admins).</summary>
[Authorize]
public class JobsController(AppDbContext db, AgreementScheduler agreement, Exports.ExportScheduler exports) : Controller
{
    [HttpGet("/jobs")]
    public async Task<IActionResult> Index()
    {
        var userId = ProjectAccess.UserId(User);
        var isAdmin = ProjectAccess.IsAdmin(User);
        var managed = db.Projects.Where(p => isAdmin || p.Members.Any(m => m.UserId == userId && m.Role == ProjectRole.Manager)).Select(p => p.Id);
        var rows = await db.AgreementReports.AsNoTracking().Where(r => managed.Contains(r.ProjectId))
            .OrderByDescending(r => r.CreatedAt).Take(200)
            .Select(r => new JobRow("agreement", r.Id, r.ProjectId, r.Project!.Name, r.Status, r.Reason.ToString(), r.RequestedBy!.Email,
                r.CreatedAt, r.StartedAt, r.FinishedAt, r.Done, r.Total, r.Attempts, r.Error, "/projects/" + r.ProjectId + "/agreement"))
            .ToListAsync();
        var exportRows = await db.Exports.AsNoTracking().Where(e => managed.Contains(e.ProjectId))
            .OrderByDescending(e => e.CreatedAt).Take(200)
            .Select(e => new { e.Scope, Row = new JobRow("export", e.Id, e.ProjectId, e.Project!.Name, e.Status, e.Format, e.RequestedBy!.Email,
                e.CreatedAt, e.StartedAt, e.FinishedAt, e.Done, e.Total, e.Attempts, e.Error, "/projects/" + e.ProjectId + "/exports") })
            .ToListAsync();
        // A scope names its annotator by id, which a person reads as name and email.
        var names = await Exports.ExportScopeNames.ForAsync(db, exportRows.Select(e => e.Scope));
        var exports = exportRows.Select(e => e.Row with { Reason = $"{e.Row.Reason} of {names[e.Scope]}" });
        rows = rows.Select(r => r with { Reason = r.Reason.ToLowerInvariant() }).ToList();
        return View(rows.Concat(exports).OrderByDescending(r => r.CreatedAt).ToList());
    }

    [HttpPost("/jobs/export/{id:long}/retry")]
    public async Task<IActionResult> RetryExport(long id)
    {
        var userId = ProjectAccess.UserId(User);
        var isAdmin = ProjectAccess.IsAdmin(User);
        var export = await db.Exports.FirstOrDefaultAsync(e => e.Id == id
            && (isAdmin || db.ProjectMembers.Any(m => m.ProjectId == e.ProjectId && m.UserId == userId && m.Role == ProjectRole.Manager)))
            ?? throw ProblemException.NotFound($"Job {id} does not exist or is not one of your projects'.");
        if (await exports.RetryAsync(export)) TempData["Message"] = $"Export {id} queued again.";
        else TempData["Error"] = $"Export {id} is {export.Status.ToString().ToLowerInvariant()}; only failed or cancelled jobs are retried.";
        return Redirect("/jobs");
    }

    [HttpPost("/jobs/agreement/{id:long}/retry")]
    public async Task<IActionResult> RetryAgreement(long id)
    {
        var userId = ProjectAccess.UserId(User);
        var isAdmin = ProjectAccess.IsAdmin(User);
        var report = await db.AgreementReports.FirstOrDefaultAsync(r => r.Id == id
            && (isAdmin || db.ProjectMembers.Any(m => m.ProjectId == r.ProjectId && m.UserId == userId && m.Role == ProjectRole.Manager)))
            ?? throw ProblemException.NotFound($"Job {id} does not exist or is not one of your projects'.");
        if (await agreement.RetryAsync(report)) TempData["Message"] = $"Agreement report {id} queued again.";
        else TempData["Error"] = $"Agreement report {id} is {report.Status.ToString().ToLowerInvariant()}; only failed jobs are retried.";
        return Redirect("/jobs");
    }
}
