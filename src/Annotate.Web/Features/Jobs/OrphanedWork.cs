using Annotate.Web.Features.Agreement;
using Annotate.Web.Features.Exports;
using Hangfire;
using Hangfire.States;

namespace Annotate.Web.Features.Jobs;

/// <summary>
/// Queues the reports and exports that wait (queued or running) with no Hangfire job behind them. Hangfire itself
/// re-runs what it holds: a job of a node that died (fetched again after the invisibility timeout) and a job cut off by
/// a normal stop (put back in its queue). What it cannot know of is a row whose job was never made: the node stopped
/// between our commit and the enqueue, or the row was left by the Quartz.NET scheduler of earlier versions (an
/// upgrade). Those rows have no job id. Only rows untouched for a while count, so work another node is handing to
/// Hangfire right now is left alone; a row is claimed by a conditional update first, so when several nodes sweep at
/// once (they all do at start) exactly one queues it. Runs at every start and then every minute (a recurring job).
/// <para>
/// It also settles rows whose Hangfire job will never run them (see <see cref="SettleAsync"/>): Hangfire gave up on the
/// job before it could start (its retries used up, say while the database was down), someone deleted the job on
/// Hangfire's dashboard, or the job is gone from its storage. And a claim whose node died before it could enqueue is
/// released after <see cref="StaleClaimAge"/>, so the row is queued again.
/// </para>
/// </summary>
public class OrphanedWork(AppDbContext db, AgreementScheduler agreement, ExportScheduler exports, JobStorage storage, ILogger<OrphanedWork> logger)
{
    public const string RecurringJobId = "resume-orphaned-work";
    public static readonly TimeSpan DefaultMinimumAge = TimeSpan.FromMinutes(1);

    /// <summary>What a claimed row's job id says until the job exists: no other sweep takes the row meanwhile.</summary>
    public const string Claimed = "claimed";

    /// <summary>A claim is made and followed by its enqueue within milliseconds; one this old belongs to a node that died.</summary>
    public static readonly TimeSpan StaleClaimAge = TimeSpan.FromMinutes(5);

    public Task RunAsync(CancellationToken cancellationToken) => ResumeAsync(DefaultMinimumAge, cancellationToken);

    /// <summary>Queues again what was orphaned; returns how many reports and exports it resumed.</summary>
    public async Task<(int Reports, int Exports)> ResumeAsync(TimeSpan minimumAge, CancellationToken cancellationToken = default)
    {
        var before = Infrastructure.Clock.Now - minimumAge;
        var staleClaims = Infrastructure.Clock.Now - StaleClaimAge;
        await ReleaseStaleClaimsAsync(db.AgreementReports, staleClaims, cancellationToken);
        await ReleaseStaleClaimsAsync(db.Exports, staleClaims, cancellationToken);
        await SettleAsync(db.AgreementReports, before, "agreement report", cancellationToken);
        await SettleAsync(db.Exports, before, "export", cancellationToken);
        var reports = await ResumeAsync(db.AgreementReports, before, agreement.EnqueueAsync, cancellationToken);
        var exported = await ResumeAsync(db.Exports, before, exports.EnqueueAsync, cancellationToken);
        if (reports + exported > 0)
            logger.LogInformation("Queued {Reports} agreement reports and {Exports} exports that had no Hangfire job", reports, exported);
        return (reports, exported);
    }

    private static async Task<int> ResumeAsync<T>(DbSet<T> rows, DateTimeOffset before, Func<long, Task> enqueue, CancellationToken cancellationToken)
        where T : BackgroundWork
    {
        var waiting = await rows
            .Where(r => (r.Status == JobStatus.Queued || r.Status == JobStatus.Running) && r.JobId == null && (r.StartedAt ?? r.CreatedAt) < before)
            .Select(r => r.Id).ToListAsync(cancellationToken);
        var resumed = 0;
        foreach (var id in waiting)
        {
            // The claim repeats the conditions: a row started, finished, retried or claimed by another node meanwhile is left alone.
            var claimed = await rows
                .Where(r => r.Id == id && (r.Status == JobStatus.Queued || r.Status == JobStatus.Running) && r.JobId == null && (r.StartedAt ?? r.CreatedAt) < before)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, JobStatus.Queued).SetProperty(r => r.JobId, Claimed)
                    .SetProperty(r => r.StartedAt, Infrastructure.Clock.Now), cancellationToken); // dates the claim (see StaleClaimAge)
            if (claimed == 0) continue;
            try { await enqueue(id); }
            catch
            {
                // Hangfire's storage did not take it: unclaimed, so the next sweep tries again.
                await rows.Where(r => r.Id == id && r.JobId == Claimed).ExecuteUpdateAsync(u => u.SetProperty(r => r.JobId, (string?)null), CancellationToken.None);
                throw;
            }
            resumed++;
        }
        return resumed;
    }

    /// <summary>Claims older than <see cref="StaleClaimAge"/> lose their marker: the row is an orphan again, for this sweep.</summary>
    private static Task<int> ReleaseStaleClaimsAsync<T>(DbSet<T> rows, DateTimeOffset before, CancellationToken cancellationToken)
        where T : BackgroundWork =>
        rows.Where(r => r.JobId == Claimed && (r.Status == JobStatus.Queued || r.Status == JobStatus.Running) && (r.StartedAt ?? r.CreatedAt) < before)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.JobId, (string?)null), cancellationToken);

    /// <summary>
    /// Rows that wait on a Hangfire job which will not run them. Hangfire's own state of the job decides: failed (its
    /// retries used up before our job could even claim the row) makes the row failed with Hangfire's reason; deleted
    /// (from the dashboard) makes it cancelled, as deleting it from our pages does; a job Hangfire no longer holds, or
    /// one it counts as done while the row still waits, is handed over again (the job id is cleared, and the orphan
    /// pass below queues it). A job that is enqueued, scheduled for a retry or processing is Hangfire's and left alone.
    /// Each change is conditional on the row still waiting on that same job.
    /// </summary>
    private async Task SettleAsync<T>(DbSet<T> rows, DateTimeOffset before, string what, CancellationToken cancellationToken)
        where T : BackgroundWork
    {
        var waiting = await rows
            .Where(r => (r.Status == JobStatus.Queued || r.Status == JobStatus.Running) && r.JobId != null && r.JobId != Claimed && (r.StartedAt ?? r.CreatedAt) < before)
            .Select(r => new { r.Id, r.JobId }).ToListAsync(cancellationToken);
        if (waiting.Count == 0) return;
        using var connection = storage.GetConnection();
        foreach (var row in waiting)
        {
            var state = connection.GetStateData(row.JobId!);
            var still = rows.Where(r => r.Id == row.Id && r.JobId == row.JobId && (r.Status == JobStatus.Queued || r.Status == JobStatus.Running));
            switch (state?.Name)
            {
                case var name when name == FailedState.StateName:
                    var reason = state!.Data.TryGetValue("ExceptionMessage", out var message) ? message : state.Reason;
                    var error = $"The job gave up before it could finish (its retries were used up): {reason}";
                    await still.ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, JobStatus.Failed)
                        .SetProperty(r => r.Error, Limits.JobError.Fit(error)).SetProperty(r => r.FinishedAt, Infrastructure.Clock.Now), cancellationToken);
                    logger.LogWarning("{What} {Id}: Hangfire job {JobId} failed for good; the row is marked failed", what, row.Id, row.JobId);
                    break;
                case var name when name == DeletedState.StateName:
                    await still.ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, JobStatus.Cancelled)
                        .SetProperty(r => r.Error, "Its job was deleted on the jobs dashboard.").SetProperty(r => r.FinishedAt, Infrastructure.Clock.Now), cancellationToken);
                    logger.LogInformation("{What} {Id}: Hangfire job {JobId} was deleted; the row is marked cancelled", what, row.Id, row.JobId);
                    break;
                case var name when name is null || name == SucceededState.StateName:
                    await still.ExecuteUpdateAsync(u => u.SetProperty(r => r.JobId, (string?)null), cancellationToken);
                    logger.LogWarning("{What} {Id}: Hangfire job {JobId} is gone or done while the row waits; it is queued again", what, row.Id, row.JobId);
                    break;
            }
        }
    }
}
