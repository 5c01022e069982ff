using Annotate.Web.Features.Jobs;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Exports;

/// <param name="Scope">as stored and as a request gives it: "all", "curated" or "annotator:USER-ID"</param>
/// <param name="ScopeName">the scope as a person reads it (the annotator's name and email)</param>
public record ExportView(long Id, long ProjectId, string Format, string Scope, string ScopeName, bool FinishedOnly, Annotations.OffsetUnit Offsets, bool Gzip,
    JobStatus Status, int Done, int Total, int Attempts, string? Error, long? Size, string? RequestedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt, DateTimeOffset ExpiresAt, string? File, string? Notes)
{
    public static ExportView Of(Export e, string scopeName) => new(e.Id, e.ProjectId, e.Format, e.Scope.ToString(), scopeName, e.FinishedOnly, e.Offsets, e.Gzip, e.Status, e.Done, e.Total,
        e.Attempts, e.Error, e.Size, e.RequestedBy?.Email, e.CreatedAt, e.FinishedAt, e.ExpiresAt, e.FileName is null ? null : $"/api/exports/{e.Id}/file", e.Notes);
}

/// <summary>Dataset exports: started, followed, downloaded and deleted by the project's managers.</summary>
[Route("api")]
public class ExportsApiController(AppDbContext db, ProjectAccess access, ExportScheduler scheduler, ExportStorage storage) : ApiController
{
    /// <summary>Starts an export: <c>{format, scope?, finishedOnly?, offsets?, gzip?}</c>; 202 with its id.</summary>
    [HttpPost("projects/{projectId:long}/exports")]
    [ProducesResponseType(typeof(ExportView), StatusCodes.Status202Accepted)]
    public async Task<IActionResult> Start(long projectId, NewExport request)
    {
        await access.RequireManagerAsync(User, projectId);
        var export = await scheduler.StartAsync(projectId, request, ProjectAccess.UserId(User));
        return Accepted($"/api/exports/{export.Id}", ExportView.Of(export, await ExportScopeNames.ForAsync(db, export.Scope)));
    }

    [HttpGet("projects/{projectId:long}/exports")]
    public async Task<List<ExportView>> List(long projectId)
    {
        await access.RequireManagerAsync(User, projectId);
        var exports = await db.Exports.AsNoTracking().Include(e => e.RequestedBy).Where(e => e.ProjectId == projectId)
            .OrderByDescending(e => e.CreatedAt).ToListAsync();
        return await ViewsAsync(db, exports);
    }

    [HttpGet("exports/{id:long}")]
    public async Task<ExportView> Get(long id)
    {
        var export = await FindAsync(id);
        return ExportView.Of(export, await ExportScopeNames.ForAsync(db, export.Scope));
    }

    /// <summary>The views of several exports, their scopes' names looked up together.</summary>
    public static async Task<List<ExportView>> ViewsAsync(AppDbContext db, IReadOnlyCollection<Export> exports)
    {
        var names = await ExportScopeNames.ForAsync(db, exports.Select(e => e.Scope));
        return exports.Select(e => ExportView.Of(e, names[e.Scope])).ToList();
    }

    /// <summary>The finished file (409 while it is not finished).</summary>
    [HttpGet("exports/{id:long}/file")]
    public async Task<IActionResult> File(long id)
    {
        var export = await FindAsync(id);
        if (export.Status != JobStatus.Succeeded || export.FileName is null)
            throw ProblemException.Conflict($"Export {id} is {export.Status.ToString().ToLowerInvariant()}; its file exists once it has succeeded.");
        var path = storage.PathOf(export.FileName);
        if (!System.IO.File.Exists(path)) throw ProblemException.NotFound($"The file of export {id} is gone (expired or deleted); export again.");
        return PhysicalFile(path, ContentTypeOf(export.FileName), export.FileName, enableRangeProcessing: true);
    }

    /// <summary>The media type of an export file, by the extension its writer gave it (the one place that knows it).</summary>
    public static string ContentTypeOf(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".gz" => "application/gzip",
        ".zip" => "application/zip",
        ".json" => "application/json", // Label Studio: one JSON array, not JSON lines
        ".conll" => "text/plain; charset=utf-8",
        _ => "application/x-ndjson",
    };

    /// <summary>Cancels a queued or running export, or deletes a finished one with its file.</summary>
    [HttpDelete("exports/{id:long}")]
    public async Task<IActionResult> Delete(long id)
    {
        await FindAsync(id);
        var export = await db.Exports.FirstAsync(e => e.Id == id);
        if (export.Status is JobStatus.Queued or JobStatus.Running)
        {
            await scheduler.CancelAsync(export);
            return NoContent();
        }
        if (export.FileName is not null) System.IO.File.Delete(storage.PathOf(export.FileName));
        db.Exports.Remove(export);
        await db.SaveChangesAsync();
        return NoContent();
    }

    private async Task<Export> FindAsync(long id)
    {
        var export = await db.Exports.AsNoTracking().Include(e => e.RequestedBy).FirstOrDefaultAsync(e => e.Id == id)
            ?? throw ProblemException.NotFound($"Export {id} does not exist or you cannot see it.");
        if (await access.RoleAsync(User, export.ProjectId) is null) throw ProblemException.NotFound($"Export {id} does not exist or you cannot see it.");
        await access.RequireManagerAsync(User, export.ProjectId);
        return export;
    }
}
