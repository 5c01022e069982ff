using Annotate.Web.Features.Jobs;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Agreement;

public record AgreementPage(Project Project, ProjectRole Role, AgreementReport? Latest, AgreementReport? Running, AgreementResult? Result);

/// <summary>The agreement dashboard of a project: heatmap, per-label bars, the documents agreed on least.</summary>
[Authorize]
public class AgreementController(AppDbContext db, ProjectAccess access, AgreementScheduler scheduler) : Controller
{
    [HttpGet("/projects/{projectId:long}/agreement")]
    public async Task<IActionResult> Show(long projectId)
    {
        var (project, role) = await access.RequireAsync(User, projectId, ProjectRole.Manager, ProjectRole.Reviewer);
        var reports = db.AgreementReports.AsNoTracking().Include(r => r.RequestedBy).Where(r => r.ProjectId == projectId);
        var latest = await reports.Where(r => r.Status == JobStatus.Succeeded).OrderByDescending(r => r.FinishedAt).FirstOrDefaultAsync();
        var running = await reports.Where(r => r.Status == JobStatus.Queued || r.Status == JobStatus.Running).OrderByDescending(r => r.CreatedAt).FirstOrDefaultAsync();
        var result = latest?.Result is { } json ? AgreementResult.FromJson(json) : null;
        return View(new AgreementPage(project, role, latest, running, result));
    }

    [HttpPost("/projects/{projectId:long}/agreement")]
    public async Task<IActionResult> Compute(long projectId, AgreementScope scope = AgreementScope.Finished)
    {
        await access.RequireManagerAsync(User, projectId);
        await scheduler.StartAsync(projectId, scope, JobReason.Manual, ProjectAccess.UserId(User));
        return Redirect($"/projects/{projectId}/agreement");
    }
}
