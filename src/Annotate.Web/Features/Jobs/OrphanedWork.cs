using Annotate.Web.Data;
using Annotate.Web.Features.Agreement;
using Annotate.Web.Features.Exports;
using Microsoft.EntityFrameworkCore;

namespace Annotate.Web.Features.Jobs;

/// <summary>
/// Queues the reports and exports that wait (queued or running) with no Hangfire job behind them. Hangfire itself
/// re-runs what it holds: a job of a node that died (fetched again after the invisibility timeout) and a job cut off by
/// a normal stop (put back in its queue). What it cannot know of is a row whose job was never made: the node stopped
/// between our commit and the enqueue, or the row was left by the Quartz.NET scheduler of earlier versions (an
/// upgrade). Those rows have no job id. Only rows untouched for a while count, so work another node is handing to
/// Hangfire right now is left alone; a row is claimed by a conditional update first, so when several nodes sweep at
/// once (they all do at start) exactly one queues it. Runs at every start and then every minute (a recurring job).
/// </summary>
public class OrphanedWork(AppDbContext db, AgreementScheduler agreement, ExportScheduler exports, ILogger<OrphanedWork> logger)
{
    public const string RecurringJobId = "resume-orphaned-work";
    public static readonly TimeSpan DefaultMinimumAge = TimeSpan.FromMinutes(1);

    /// <summary>What a claimed row's job id says until the job exists: no other sweep takes the row meanwhile.</summary>
    public const string Claimed = "claimed";

    public Task RunAsync(CancellationToken cancellationToken) => ResumeAsync(DefaultMinimumAge, cancellationToken);

    /// <summary>Queues again what was orphaned; returns how many reports and exports it resumed.</summary>
    public async Task<(int Reports, int Exports)> ResumeAsync(TimeSpan minimumAge, CancellationToken cancellationToken = default)
    {
        var before = Infrastructure.Clock.Now - minimumAge;
        var reports = await ResumeAsync(db.AgreementReports, before, agreement.EnqueueAsync, cancellationToken);
        var exported = await ResumeAsync(db.Exports, before, exports.EnqueueAsync, cancellationToken);
        if (reports + exported > 0)
            logger.LogInformation("Queued {Reports} agreement reports and {Exports} exports that had no Hangfire job", reports, exported);
        return (reports, exported);
    }

    private static async Task<int> ResumeAsync<T>(DbSet<T> rows, DateTimeOffset before, Func<long, Task> enqueue, CancellationToken cancellationToken)
        where T : class, IBackgroundWork
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
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, JobStatus.Queued).SetProperty(r => r.JobId, Claimed), cancellationToken);
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
}
