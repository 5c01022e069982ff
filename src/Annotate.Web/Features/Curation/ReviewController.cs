using System.Text.Json;
using Annotate.Web.Features.Documents;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Curation;

public record ReviewPage(Document Document, Project Project, ProjectRole Role, string PageData);

/// <summary>The review page of one document (reviewers and managers). Its script reads the review from the API.</summary>
[Authorize]
public class ReviewController(AppDbContext db, CurationService curation, Annotations.AnnotationReader reader) : Controller
{
    [HttpGet("/documents/{id:long}/review")]
    public async Task<IActionResult> Show(long id)
    {
        var (document, project, role, userId) = await curation.RequireReviewerAsync(User, id);
        // The log position before the script reads the review: it then hears live only what came after (a change
        // committed meanwhile arrives once more, and is applied once), not the document's whole history again.
        var lastSequence = await reader.LastSequenceAsync(project.Id);
        var labels = await db.LabelDefinitions.AsNoTracking().Where(l => l.ProjectId == project.Id).OrderBy(l => l.SortOrder)
            .Select(l => new { l.Name, l.Kind, l.Colour, l.Key }).ToListAsync();
        var data = JsonSerializer.Serialize(new
        {
            documentId = document.Id,
            projectId = project.Id,
            me = userId,
            role,
            labels,
            lastSequence,
        }, Infrastructure.JsonOptions.Page);
        return View(new ReviewPage(document, project, role, data));
    }
}
