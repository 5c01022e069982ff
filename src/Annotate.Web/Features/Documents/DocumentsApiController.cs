using Annotate.Web.Data;
using Annotate.Web.Features.Projects;
using Annotate.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Annotate.Web.Features.Documents;

public record DocumentSummary(long Id, string Title, string? Source, DateTimeOffset? PublishedAt, int Length, string Sha256, DateTimeOffset CreatedAt);
/// <summary>A document with its text; <c>length</c> counts Unicode code points, like every offset of the API.</summary>
public record DocumentView(long Id, long ProjectId, string Title, string? Source, DateTimeOffset? PublishedAt, string Text, string Sha256, int Length, System.Text.Json.JsonElement Meta);

[Route("api")]
public class DocumentsApiController(ProjectAccess access, DocumentImporter importer) : ApiController
{
    [HttpGet("projects/{projectId:long}/documents")]
    public async Task<IReadOnlyList<DocumentSummary>> List(long projectId)
    {
        var (project, role) = await access.RequireAsync(User, projectId);
        return await access.Documents(project, role, ProjectAccess.UserId(User))
            .OrderBy(d => d.Id)
            .Select(d => new DocumentSummary(d.Id, d.Title, d.Source, d.PublishedAt, d.Length, d.Sha256, d.CreatedAt))
            .ToListAsync();
    }

    /// <summary>
    /// Imports one or more files (multipart field <c>files</c>): .txt, .jsonl or Label Studio .json. All or nothing.
    /// Field <c>annotations</c> takes the spans and relations of annotated JSONL (annotate-jsonl, doccano) in too:
    /// <c>pre-annotations</c> (yours), <c>recorded</c> (each span's annotator, who must be a member) or <c>member:EMAIL</c>;
    /// <c>createLabels=true</c> adds labels the project lacks instead of refusing them.
    /// </summary>
    [HttpPost("projects/{projectId:long}/documents")]
    [Consumes("multipart/form-data")]
    [ImportUpload]
    [ProducesResponseType(typeof(ImportResult), StatusCodes.Status201Created)]
    public async Task<ActionResult<ImportResult>> Import(long projectId, CancellationToken cancel)
    {
        await access.RequireManagerAsync(User, projectId);
        if (!Request.HasFormContentType)
            throw ProblemException.BadRequest("Send the files as multipart/form-data in the field 'files'.");
        var form = await Request.ReadFormAsync(cancel);
        var files = form.Files.Select(f => new UploadedFile(f.FileName, f.Length, f.OpenReadStream)).ToList();
        var annotations = await importer.AnnotationModeAsync(projectId, form["annotations"].ToString(), form["createLabels"].ToString());
        var result = await importer.ImportAsync(projectId, ProjectAccess.UserId(User), files, cancel, annotations);
        return StatusCode(result.Created.Count > 0 ? StatusCodes.Status201Created : StatusCodes.Status200OK, result);
    }

    [HttpGet("documents/{id:long}")]
    public async Task<DocumentView> Get(long id)
    {
        var (document, _, _) = await access.RequireDocumentAsync(User, id);
        using var meta = System.Text.Json.JsonDocument.Parse(document.Meta);
        return new DocumentView(document.Id, document.ProjectId, document.Title, document.Source, document.PublishedAt,
            document.Text, document.Sha256, document.Length, meta.RootElement.Clone());
    }

    public static ProblemException DocumentNotFound(long id) => ProjectAccess.DocumentNotFound(id);
}
