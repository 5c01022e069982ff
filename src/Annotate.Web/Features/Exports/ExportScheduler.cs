using Annotate.Web.Features.Jobs;
using Hangfire;
using Npgsql;

namespace Annotate.Web.Features.Exports;

public record NewExport(string? Format, string? Scope, bool? FinishedOnly, Annotations.OffsetUnit? Offsets, bool? Gzip);

/// <summary>Validates export requests and hands them to Hangfire.</summary>
public class ExportScheduler(AppDbContext db, IBackgroundJobClient jobs, ExportStorage storage)
{
    public async Task<Export> StartAsync(long projectId, NewExport request, string? requestedById)
    {
        var export = await ValidateAsync(db, projectId, request, requestedById, storage.KeepFor);
        db.Exports.Add(export);
        await db.SaveChangesAsync();
        await EnqueueAsync(export.Id);
        return export;
    }

    /// <summary>Checks a request and makes the (unsaved) export it describes; a problem says what to fix.</summary>
    public static async Task<Export> ValidateAsync(AppDbContext db, long projectId, NewExport request, string? requestedById, TimeSpan keepFor)
    {
        var format = request.Format?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(format) || !ExportWriter.Formats.Contains(format))
            throw ProblemException.BadRequest($"Say which format to export: one of {string.Join(", ", ExportWriter.Formats)}.");
        if (!ExportScope.TryParseRequest(request.Scope, out var scope, out var who)) throw ProblemException.BadRequest(ExportScope.RequestHelp);
        if (who is not null)
        {
            var normalized = who.ToUpperInvariant();
            var userId = await db.ProjectMembers.Where(m => m.ProjectId == projectId && (m.UserId == who || m.User!.NormalizedEmail == normalized))
                .Select(m => m.UserId).FirstOrDefaultAsync()
                ?? throw ProblemException.BadRequest($"No member of this project is {who}: give an annotator's email or user id after \"annotator:\".");
            scope = ExportScope.OfAnnotator(userId);
        }
        var now = Clock.Now;
        var export = new Export
        {
            ProjectId = projectId, Format = format, Scope = scope, FinishedOnly = request.FinishedOnly ?? false,
            Offsets = request.Offsets ?? Annotations.OffsetUnit.Codepoint, Gzip = request.Gzip ?? false, Status = JobStatus.Queued,
            RequestedById = requestedById, CreatedAt = now, ExpiresAt = now + keepFor,
        };
        if (ExportRunner.MergesAnnotators(format, scope))
        {
            // Checked now, with the rule the job applies again when it reads (spans may come meanwhile).
            var exportScope = new ExportFilter(export);
            var annotators = await db.Database.SqlQueryRaw<int>(exportScope.AnnotatorCount(),
                new NpgsqlParameter("project", projectId), new NpgsqlParameter("annotator", (object?)exportScope.Annotator ?? DBNull.Value)).SingleAsync();
            if (annotators > 1) throw ProblemException.BadRequest(ExportRunner.OneAnnotatorOnly(format, annotators));
        }
        return export;
    }

    /// <summary>Queues a failed or cancelled export again; false in any other state.</summary>
    public async Task<bool> RetryAsync(Export export)
    {
        if (export.Status is not (JobStatus.Failed or JobStatus.Cancelled)) return false;
        export.Status = JobStatus.Queued;
        export.StartedAt = Clock.Now;
        export.Error = null;
        export.Attempts = 0;
        export.Done = 0;
        export.ExpiresAt = Clock.Now + storage.KeepFor;
        await db.SaveChangesAsync();
        await EnqueueAsync(export.Id);
        return true;
    }

    /// <summary>Hands the export to Hangfire and notes the job's id on it (OrphanedWork looks for rows without one).</summary>
    public async Task EnqueueAsync(long exportId)
    {
        var jobId = jobs.Enqueue<ExportJob>(job => job.RunAsync(exportId, CancellationToken.None));
        await db.Exports.Where(e => e.Id == exportId).ExecuteUpdateAsync(u => u.SetProperty(e => e.JobId, jobId));
    }

    /// <summary>
    /// Cancels a queued or running export: the row says cancelled, and deleting its Hangfire job fires the running job's
    /// cancellation token (Hangfire's servers check for that every few seconds), so its reads stop where they are.
    /// </summary>
    public async Task CancelAsync(Export export)
    {
        export.Status = JobStatus.Cancelled;
        export.FinishedAt = Clock.Now;
        await db.SaveChangesAsync();
        if (export.JobId is { } jobId && jobId != OrphanedWork.Claimed) jobs.Delete(jobId);
    }
}
