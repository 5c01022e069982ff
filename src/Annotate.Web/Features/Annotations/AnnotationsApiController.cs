using Annotate.Web.Features.Documents;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Annotations;

public record StatusChange(DocumentStatus? Status);

/// <summary>
/// Spans, relations, document states and the change log over REST. Offsets count Unicode code points.
/// Writes go through AnnotationWriter (the hub's path too), so they reach open pages live.
/// </summary>
[Route("api")]
[RequestSizeLimit(ChangeBudget.MaxBytes)] // one change at most: the hub's limit too
public class AnnotationsApiController(AnnotationReader reader, AnnotationWriter writer, ProjectAccess access) : ApiController
{
    [HttpGet("documents/{documentId:long}/annotations")]
    public async Task<List<AnnotationView>> List(long documentId, string? annotator)
    {
        var open = await access.RequireDocumentAsync(User, documentId);
        return await reader.AnnotationsAsync(open.Viewer, documentId, annotator);
    }

    /// <summary>Creates a span. Send your own uuid as <c>id</c> to make retries safe: a repeat returns 200 with the stored span.</summary>
    [HttpPost("documents/{documentId:long}/annotations")]
    [ProducesResponseType(typeof(AnnotationView), StatusCodes.Status201Created)]
    public async Task<ActionResult<AnnotationView>> Create(long documentId, NewAnnotation request)
    {
        var (view, created) = await writer.CreateAnnotationAsync(User, documentId, request);
        return created ? Created($"/api/annotations/{view.Id}", view) : Ok(view);
    }

    [HttpGet("annotations/{id:guid}")]
    public async Task<AnnotationView> Get(Guid id)
    {
        var found = await reader.FindAnnotationAsync(User, id);
        return found ?? throw AnnotationWriter.AnnotationNotFound(id);
    }

    /// <summary>Changes label, offsets, note or attributes. <c>version</c> is required; a stale one answers 409 with <c>current</c>.</summary>
    [HttpPatch("annotations/{id:guid}")]
    public Task<AnnotationView> Update(Guid id, AnnotationChange change) => writer.UpdateAnnotationAsync(User, id, change);

    [HttpDelete("annotations/{id:guid}")]
    public async Task<IActionResult> Delete(Guid id, int? version)
    {
        await writer.DeleteAnnotationAsync(User, id, version);
        return NoContent();
    }

    [HttpGet("projects/{projectId:long}/relations")]
    public async Task<List<RelationView>> Relations(long projectId, long? document)
    {
        var viewer = await reader.ViewerAsync(User, projectId);
        return await reader.RelationsAsync(viewer, document);
    }

    /// <summary>Links two claims (possibly in two documents of the project): <c>{id?, type, from, to, note?}</c>.</summary>
    [HttpPost("projects/{projectId:long}/relations")]
    [ProducesResponseType(typeof(RelationView), StatusCodes.Status201Created)]
    public async Task<ActionResult<RelationView>> CreateRelation(long projectId, NewRelation request)
    {
        var (view, created) = await writer.CreateRelationAsync(User, projectId, request);
        return created ? Created($"/api/projects/{projectId}/relations", view) : Ok(view);
    }

    [HttpDelete("relations/{id:guid}")]
    public async Task<IActionResult> DeleteRelation(Guid id, int? version)
    {
        await writer.DeleteRelationAsync(User, id, version);
        return NoContent();
    }

    /// <summary>The project's claims, searched by text, attribution or note (<c>q</c>), and by article title (<c>title</c>): what the link dialog lists.</summary>
    [HttpGet("projects/{projectId:long}/claims")]
    public async Task<List<ClaimView>> Claims(long projectId, string? q, string? title, long? document, int limit = 50)
    {
        var viewer = await reader.ViewerAsync(User, projectId);
        return await reader.ClaimsAsync(viewer, q, title, document, limit);
    }

    /// <summary>The change log after sequence <c>after</c>, in order (at most <c>limit</c> entries, default 1000).</summary>
    [HttpGet("projects/{projectId:long}/events")]
    public async Task<List<ChangeEventView>> Events(long projectId, long after = 0, long? document = null, int limit = 1000)
    {
        if (after < 0) throw ProblemException.BadRequest("\"after\" is a sequence number, 0 or more.");
        var viewer = await reader.ViewerAsync(User, projectId);
        return await reader.EventsAsync(viewer, after, document, Math.Clamp(limit, 1, 10_000));
    }

    [HttpGet("documents/{documentId:long}/states")]
    public async Task<List<DocumentStateView>> States(long documentId)
    {
        var open = await access.RequireDocumentAsync(User, documentId);
        return await reader.DocumentStatesAsync(open.Viewer, documentId);
    }

    /// <summary>Marks the document new, in progress or finished for the caller.</summary>
    [HttpPut("documents/{documentId:long}/status")]
    public Task<DocumentStateView> SetStatus(long documentId, StatusChange change) => writer.SetDocumentStatusAsync(User, documentId, change.Status);
}
