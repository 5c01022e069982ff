using Annotate.Web.Features.LiveSync;
using Npgsql;
using Annotate.Web.Features.Jobs;
using Hangfire;

namespace Annotate.Web.Features.Exports;

/// <summary>
/// Writes one export. Takes only its id. Hangfire runs a job at least once (a crashed node's job is fetched again after
/// the invisibility timeout), so a run starts over: the temporary file of a dead run is overwritten and only a complete
/// file is ever renamed into place. A cancelled export stops (its job's token fires, or the next progress check sees
/// the row) and leaves no file. Failures follow <see cref="JobFailures"/>: only transient ones are retried.
/// </summary>
public class ExportJob(AppDbContext db, ExportRunner runner, ExportStorage storage, JobProgressFeed progressFeed, ILogger<ExportJob> logger)
{
    [AutomaticRetry(Attempts = JobFailures.Retries, DelaysInSeconds = [5, 30, 120, 600], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(long exportId, CancellationToken cancellationToken)
    {
        if (!await WorkRows.ClaimAsync(db.Exports, exportId, cancellationToken)) return;
        var export = await db.Exports.FirstAsync(e => e.Id == exportId, cancellationToken);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var (fileName, size) = await runner.WriteFileAsync(export, storage, async (done, total) =>
            {
                await db.Exports.Where(e => e.Id == exportId).ExecuteUpdateAsync(u => u.SetProperty(e => e.Done, done).SetProperty(e => e.Total, total), cancel.Token);
                var status = await db.Exports.Where(e => e.Id == exportId).Select(e => e.Status).FirstAsync(cancel.Token);
                await progressFeed.PublishAsync(export.ProjectId, new JobProgressReport("export", exportId, status, done, total), cancel.Token);
                if (status == JobStatus.Cancelled) await cancel.CancelAsync();
            }, cancel.Token);
            var notes = export.Notes; // the runner's account of what the format left out; the reload would drop it
            await db.Entry(export).ReloadAsync(CancellationToken.None);
            if (export.Status == JobStatus.Cancelled) { File.Delete(storage.PathOf(fileName)); await PublishOutcomeAsync(exportId); return; }
            export.Notes = notes;
            export.FileName = fileName;
            export.Size = size;
            export.Status = JobStatus.Succeeded;
            export.Error = null;
            export.Done = export.Total;
            export.FinishedAt = Clock.Now;
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (OperationCanceledException error)
        {
            var status = await StatusAsync(exportId);
            if (status != JobStatus.Cancelled && cancellationToken.IsCancellationRequested)
            {
                // The node is stopping: Hangfire puts the job back in its queue and the rerun starts over (the unfinished
                // temporary file is never renamed). Queued says what the row waits for meanwhile.
                await WorkRows.RequeueAsync(db.Exports, exportId, null);
                throw;
            }
            // Cancelled from our UI: the DELETE deleted the Hangfire job too, which fired this job's token (or the progress
            // check saw the row). Nothing to re-run; the runner removed its temporary file. Anything else that gave up
            // (a timeout, say) is a failure.
            if (status != JobStatus.Cancelled)
                await WorkRows.FailAsync(db.Exports, exportId, JobFailures.Describe(error, export.Attempts, retried: false));
        }
        catch (Exception error) when (JobFailures.Retried(error, export.Attempts))
        {
            logger.LogWarning(error, "Export {ExportId}: attempt {Attempt} failed; Hangfire retries it", exportId, export.Attempts);
            await WorkRows.RequeueAsync(db.Exports, exportId, JobFailures.Describe(error, export.Attempts, retried: true));
            throw;
        }
        catch (Exception error)
        {
            logger.LogError(error, "Export {ExportId} failed", exportId);
            await WorkRows.FailAsync(db.Exports, exportId, JobFailures.Describe(error, export.Attempts, retried: false));
        }
        await PublishOutcomeAsync(exportId);
    }

    private async Task<JobStatus?> StatusAsync(long exportId)
    {
        try { return await db.Exports.AsNoTracking().Where(e => e.Id == exportId).Select(e => (JobStatus?)e.Status).FirstOrDefaultAsync(CancellationToken.None); }
        catch (Exception error) when (JobFailures.IsTransient(error)) { return null; }
    }

    private async Task PublishOutcomeAsync(long exportId)
    {
        var final = await db.Exports.AsNoTracking().FirstOrDefaultAsync(e => e.Id == exportId, CancellationToken.None);
        if (final is not null)
            await progressFeed.PublishAsync(final.ProjectId, new JobProgressReport("export", exportId, final.Status, final.Done, final.Total, final.Error), CancellationToken.None);
    }
}

/// <summary>Every hour (Hangfire recurring job): exports past their keeping time go, with their files.</summary>
public class ExpireExportsJob(AppDbContext db, ExportStorage storage)
{
    public const string RecurringJobId = "expire-exports";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var expired = await db.Exports.Where(e => e.ExpiresAt < DateTimeOffset.UtcNow && e.Status != JobStatus.Running).ToListAsync(cancellationToken);
        foreach (var export in expired)
            if (export.FileName is not null) File.Delete(storage.PathOf(export.FileName));
        db.Exports.RemoveRange(expired);
        await db.SaveChangesAsync(cancellationToken);
    }
}
