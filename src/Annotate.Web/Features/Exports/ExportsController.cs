using Annotate.Web.Data;
using Annotate.Web.Features.Projects;
using Annotate.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Annotate.Web.Features.Exports;

public record ExportsPage(Project Project, IReadOnlyList<ExportView> Exports, IReadOnlyList<(string Id, string Name)> Annotators);

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
        return View(new ExportsPage(project, exports.Select(ExportView.Of).ToList(), annotators.Select(a => (a.Email!, a.DisplayName)).ToList()));
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
        catch (ProblemException problem) { TempData["Error"] = problem.Detail; }
        return Redirect($"/projects/{projectId}/exports");
    }
}
