using Annotate.Web.Data;
using Annotate.Web.Features.Projects;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Annotate.Web.Features.Documents;

public record DocumentPage(Document Document, Project Project, ProjectRole Role);

[Authorize]
public class DocumentsController(AppDbContext db, ProjectAccess access) : Controller
{
    [HttpGet("/documents/{id:long}")]
    public async Task<IActionResult> Show(long id)
    {
        var document = await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id)
            ?? throw DocumentsApiController.DocumentNotFound(id);
        var role = await access.RoleAsync(User, document.ProjectId) ?? throw DocumentsApiController.DocumentNotFound(id);
        var project = await db.Projects.AsNoTracking().FirstAsync(p => p.Id == document.ProjectId);
        return View(new DocumentPage(document, project, role));
    }
}
