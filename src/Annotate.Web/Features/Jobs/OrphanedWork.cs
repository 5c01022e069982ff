using Annotate.Web.Data;
using Annotate.Web.Features.Agreement;
using Annotate.Web.Features.Exports;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Annotate.Web.Features.Jobs;

/// <summary>
/// Finds reports and exports that say queued or running but that no Quartz job will ever finish, and queues
/// them again. Quartz re-runs the jobs of a node that crashed (they ask for recovery); this covers the rest:
/// a job cut off by a normal shutdown (Quartz then forgets it), or a row whose job was lost between the
/// commit and the scheduling. Only rows untouched for a while count, so work being handed to Quartz by
/// another node right now is left alone. Runs every minute on one node of the cluster.
/// </summary>
public class OrphanedWork(AppDbContext db, ISchedulerFactory schedulers, AgreementScheduler agreement, ExportScheduler exports, ILogger<OrphanedWork> logger)
{
    public static readonly TimeSpan DefaultMinimumAge = TimeSpan.FromMinutes(1);

    /// <summary>Queues again what was orphaned; returns how many reports and exports it resumed.</summary>
    public async Task<(int Reports, int Exports)> ResumeAsync(TimeSpan minimumAge, CancellationToken cancellationToken = default)
    {
        var before = DateTimeOffset.UtcNow - minimumAge;
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var reports = await ResumeAsync(db.AgreementReports, await ScheduledIdsAsync(scheduler, "agreement", AgreementJob.ReportIdKey, cancellationToken),
            before, agreement.EnqueueAsync, cancellationToken);
        var exported = await ResumeAsync(db.Exports, await ScheduledIdsAsync(scheduler, "exports", ExportJob.ExportIdKey, cancellationToken),
            before, exports.EnqueueAsync, cancellationToken);
        if (reports + exported > 0)
            logger.LogInformation("Resumed {Reports} agreement reports and {Exports} exports that no job was running", reports, exported);
        return (reports, exported);
    }

    /// <summary>
    /// Queues again the rows of <paramref name="rows"/> that wait (queued or running, untouched since
    /// <paramref name="before"/>) with no job in <paramref name="scheduled"/>. The reset repeats the conditions, so a row
    /// that was started, finished or retried meanwhile is left alone and not queued twice.
    /// </summary>
    private static async Task<int> ResumeAsync<T>(DbSet<T> rows, HashSet<long> scheduled, DateTimeOffset before, Func<long, Task> enqueue,
        CancellationToken cancellationToken) where T : class, IBackgroundWork
    {
        var waiting = await rows
            .Where(r => (r.Status == JobStatus.Queued || r.Status == JobStatus.Running) && (r.StartedAt ?? r.CreatedAt) < before)
            .Select(r => r.Id).ToListAsync(cancellationToken);
        var resumed = 0;
        foreach (var id in waiting.Where(id => !scheduled.Contains(id)))
        {
            var reset = await rows
                .Where(r => r.Id == id && (r.Status == JobStatus.Queued || r.Status == JobStatus.Running) && (r.StartedAt ?? r.CreatedAt) < before)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, JobStatus.Queued), cancellationToken);
            if (reset == 0) continue;
            await enqueue(id);
            resumed++;
        }
        return resumed;
    }

    /// <summary>The ids that jobs stored in Quartz (waiting, running, or awaiting recovery on any node) will work on.</summary>
    private static async Task<HashSet<long>> ScheduledIdsAsync(IScheduler scheduler, string group, string idKey, CancellationToken cancellationToken)
    {
        var ids = new HashSet<long>();
        foreach (var key in await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(group), cancellationToken))
        {
            var job = await scheduler.GetJobDetail(key, cancellationToken);
            if (job is not null && job.JobDataMap.ContainsKey(idKey)) ids.Add(job.JobDataMap.GetLong(idKey));
        }
        return ids;
    }
}

/// <summary>The Quartz side of <see cref="OrphanedWork"/>.</summary>
[DisallowConcurrentExecution]
public class ResumeOrphanedWorkJob(OrphanedWork work) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await work.ResumeAsync(OrphanedWork.DefaultMinimumAge, cancellationToken);
}
