using Annotate.Web.Features.Imports;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Documents;

public record DocumentSummary(long Id, string Title, string? Source, DateTimeOffset? PublishedAt, int Length, string Sha256, DateTimeOffset CreatedAt)
{
    public static DocumentSummary Of(Document d) => new(d.Id, d.Title, d.Source, d.PublishedAt, d.Length, d.Sha256, d.CreatedAt);
}

public record DocumentRename(string? Title);
/// <summary>A document with its text; <c>length</c> counts Unicode code points, like every offset of the API.</summary>
public record DocumentView(long Id, long ProjectId, string Title, string? Source, DateTimeOffset? PublishedAt, string Text, string Sha256, int Length, System.Text.Json.JsonElement Meta);

[Route("api")]
public class DocumentsApiController(ProjectAccess access, DocumentImporter importer, ImportOptions importOptions, DocumentList list, DocumentAdmin admin) : ApiController
{
    /// <summary>
    /// One page of the project's documents (without text), oldest first: <c>{items, next, total}</c>. Pass <c>next</c>
    /// back as <c>cursor</c> for the page after (null on the last page). <c>q</c> searches title and source;
    /// <c>state</c> (new, in_progress, finished) is the caller's own state on each document, or the assignee's;
    /// <c>assignee</c> (<c>me</c>, a user id, or <c>none</c>) keeps the documents assigned to that person to annotate.
    /// </summary>
    [HttpGet("projects/{projectId:long}/documents")]
    public async Task<DocumentListing> List(long projectId, string? q, string? state, string? assignee, string? cursor, int limit = 100)
    {
        var (project, role) = await access.RequireAsync(User, projectId);
        var userId = ProjectAccess.UserId(User);
        // Annotators of assigned and dynamic projects list only their own documents (ProjectAccess decides).
        return await list.PageAsync(projectId, userId, new DocumentListQuery(q, DocumentList.ParseState(state), DocumentList.ParseAssignee(assignee, userId), After: cursor, Limit: limit),
            access.OpenableIds(project, role, userId));
    }

    /// <summary>Renames a document (managers). Open pages of it show the new title at once.</summary>
    [HttpPatch("documents/{id:long}")]
    public Task<DocumentSummary> Rename(long id, DocumentRename request) => admin.RenameAsync(User, id, request.Title);

    /// <summary>Deletes a document with everything on it (managers): spans, links (also from other articles), states; its log entries are redacted.</summary>
    [HttpDelete("documents/{id:long}")]
    public async Task<IActionResult> Delete(long id)
    {
        await admin.DeleteAsync(User, id);
        return NoContent();
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
    public async Task<ActionResult<ImportResult>> Import(long projectId)
    {
        // The token is the request's own, not a bound parameter: binding any parameter would make MVC read the whole
        // form first (into a temporary file), where ImportUploadReader reads the body once, as it arrives.
        var cancel = HttpContext.RequestAborted;
        await access.RequireManagerAsync(User, projectId);
        if (!Request.HasFormContentType)
            throw ProblemException.BadRequest("Send the files as multipart/form-data in the field 'files'.");
        var (files, fields) = await ImportUploadReader.ReadAsync(Request, importOptions, cancel);
        var annotations = await importer.AnnotationModeAsync(projectId, fields.GetValueOrDefault("annotations"), fields.GetValueOrDefault("createLabels"));
        var result = await importer.ImportAsync(projectId, ProjectAccess.UserId(User), files, cancel, annotations);
        return StatusCode(result.Created.Count > 0 ? StatusCodes.Status201Created : StatusCodes.Status200OK, result);
    }

    [HttpGet("documents/{id:long}")]
    public async Task<DocumentView> Get(long id)
    {
        var document = (await access.RequireDocumentAsync(User, id)).Document;
        using var meta = System.Text.Json.JsonDocument.Parse(document.Meta);
        return new DocumentView(document.Id, document.ProjectId, document.Title, document.Source, document.PublishedAt,
            document.Text, document.Sha256, document.Length, meta.RootElement.Clone());
    }
}
