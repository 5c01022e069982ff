using Annotate.Web.Data;
using Annotate.Web.Features.Agreement;
using Annotate.Web.Features.LiveSync;
using Annotate.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Quartz;

namespace Annotate.Web.Features.Exports;

/// <summary>
/// Writes one export. Takes only its id. Re-run after a crash (Quartz recovery), it starts over: the temporary file of
/// the dead run is overwritten and only a complete file is ever renamed into place. A cancelled export stops at the
/// next check and leaves no file.
/// </summary>
[DisallowConcurrentExecution]
public class ExportJob(AppDbContext db, ExportRunner runner, ExportStorage storage, JobProgressFeed progressFeed, ILogger<ExportJob> logger) : IJob
{
    public const string ExportIdKey = "exportId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var exportId = context.MergedJobDataMap.GetLong(ExportIdKey);
        var export = await db.Exports.FirstOrDefaultAsync(e => e.Id == exportId, cancellationToken);
        if (export is null || export.Status is JobStatus.Succeeded or JobStatus.Cancelled) return;
        export.Status = JobStatus.Running;
        export.StartedAt = Clock.Now;
        export.Error = null;
        await db.SaveChangesAsync(cancellationToken);
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
            await db.Entry(export).ReloadAsync(cancellationToken);
            if (export.Status == JobStatus.Cancelled) { File.Delete(storage.PathOf(fileName)); return; }
            export.Notes = notes;
            export.FileName = fileName;
            export.Size = size;
            export.Status = JobStatus.Succeeded;
            export.Done = export.Total;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await db.Entry(export).ReloadAsync();
            export.Status = JobStatus.Cancelled;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The app is stopping. Quartz forgets a job cut off this way, so say "queued": OrphanedWork queues it
            // again when a node runs, and the rerun starts over (the unfinished temporary file is never renamed).
            await db.Exports.Where(e => e.Id == exportId && e.Status == JobStatus.Running)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.Status, JobStatus.Queued), CancellationToken.None);
            throw;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogError(error, "Export {ExportId} failed", exportId);
            await db.Entry(export).ReloadAsync();
            export.Status = JobStatus.Failed;
            export.Error = error is ArgumentException ? error.Message : $"{error.GetType().Name}: {error.Message}";
        }
        export.FinishedAt = Clock.Now;
        await db.SaveChangesAsync();
        await progressFeed.PublishAsync(export.ProjectId, new JobProgressReport("export", exportId, export.Status, export.Done, export.Total, export.Error));
    }
}

/// <summary>Every hour: exports past their keeping time go, with their files.</summary>
[DisallowConcurrentExecution]
public class ExpireExportsJob(AppDbContext db, ExportStorage storage) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var expired = await db.Exports.Where(e => e.ExpiresAt < DateTimeOffset.UtcNow && e.Status != JobStatus.Running).ToListAsync(cancellationToken);
        foreach (var export in expired)
            if (export.FileName is not null) File.Delete(storage.PathOf(export.FileName));
        db.Exports.RemoveRange(expired);
        await db.SaveChangesAsync(cancellationToken);
    }
}

public record NewExport(string? Format, string? Scope, bool? FinishedOnly, Annotations.OffsetUnit? Offsets, bool? Gzip);

/// <summary>Validates export requests and hands them to Quartz.</summary>
public class ExportScheduler(AppDbContext db, ISchedulerFactory schedulers, ExportStorage storage)
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
        var scope = string.IsNullOrWhiteSpace(request.Scope) ? "all" : request.Scope.Trim();
        if (scope.StartsWith("annotator:", StringComparison.OrdinalIgnoreCase))
        {
            var who = scope["annotator:".Length..].Trim();
            var normalized = who.ToUpperInvariant();
            var userId = await db.ProjectMembers.Where(m => m.ProjectId == projectId && (m.UserId == who || m.User!.NormalizedEmail == normalized))
                .Select(m => m.UserId).FirstOrDefaultAsync()
                ?? throw ProblemException.BadRequest($"No member of this project is {who}: give an annotator's email or user id after \"annotator:\".");
            scope = "annotator:" + userId;
        }
        else if (scope is not ("all" or "curated"))
            throw ProblemException.BadRequest("The scope is \"all\" (every annotator's spans), \"curated\", or \"annotator:EMAIL\".");
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
            var exportScope = new ExportScope(export);
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
        export.StartedAt = Clock.Now; // queued again now: not an orphan for OrphanedWork while Quartz takes it
        export.Error = null;
        export.Done = 0;
        export.ExpiresAt = Clock.Now + storage.KeepFor;
        await db.SaveChangesAsync();
        await EnqueueAsync(export.Id);
        return true;
    }

    public async Task EnqueueAsync(long exportId)
    {
        var scheduler = await schedulers.GetScheduler();
        var job = JobBuilder.Create<ExportJob>().WithIdentity($"export-{exportId}-{Guid.NewGuid():N}", "exports")
            .UsingJobData(ExportJob.ExportIdKey, exportId).RequestRecovery().Build();
        await scheduler.ScheduleJob(job, TriggerBuilder.Create().StartNow().Build());
    }
}
