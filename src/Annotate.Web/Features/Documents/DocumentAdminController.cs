using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Documents;

/// <summary>The managers' forms for one document (rename, delete with a confirmation page); rules in DocumentAdmin.</summary>
[Authorize]
public class DocumentAdminController(DocumentAdmin admin) : Controller
{
    [HttpPost("/documents/{id:long}/rename")]
    public async Task<IActionResult> Rename(long id, string? title, string? returnTo)
    {
        var impact = await admin.ImpactAsync(User, id); // 404 / 403 before anything else
        try
        {
            var renamed = await admin.RenameAsync(User, id, title);
            TempData["Message"] = $"Renamed to “{renamed.Title}”.";
        }
        catch (ProblemException problem) { TempData["Error"] = problem.Detail; }
        return returnTo == "document" ? Redirect($"/documents/{id}") : Redirect($"/projects/{impact.ProjectId}?tab=documents");
    }

    /// <summary>What deleting would take with it, and the button that does it.</summary>
    [HttpGet("/documents/{id:long}/delete")]
    public async Task<IActionResult> ConfirmDelete(long id) => View("Delete", await admin.ImpactAsync(User, id));

    [HttpPost("/documents/{id:long}/delete")]
    public async Task<IActionResult> Delete(long id, bool confirmed)
    {
        var impact = await admin.ImpactAsync(User, id);
        if (!confirmed)
        {
            TempData["Error"] = "Tick the box to confirm that the document and everything on it go for good.";
            return Redirect($"/documents/{id}/delete");
        }
        try
        {
            await admin.DeleteAsync(User, id);
            TempData["Message"] = $"Deleted “{impact.Title}” with its {impact.Spans} span(s) and {impact.Links} link(s).";
        }
        catch (ProblemException problem)
        {
            TempData["Error"] = problem.Detail;
            return Redirect($"/documents/{id}/delete");
        }
        return Redirect($"/projects/{impact.ProjectId}?tab=documents");
    }
}
