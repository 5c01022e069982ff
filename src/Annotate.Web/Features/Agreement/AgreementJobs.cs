using Annotate.Web.Data;
using Annotate.Web.Features.LiveSync;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Annotate.Web.Features.Agreement;

/// <summary>
/// Computes one report. Takes only the report's id; status and progress live in agreement_reports. Quartz asks for
/// recovery, so a node that dies mid-run has the job re-run on another: it starts over and overwrites the result.
/// </summary>
[DisallowConcurrentExecution]
public class AgreementJob(AppDbContext db, AgreementComputer computer, JobProgressFeed progressFeed, ILogger<AgreementJob> logger) : IJob
{
    public const string ReportIdKey = "reportId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var reportId = context.MergedJobDataMap.GetLong(ReportIdKey);
        var report = await db.AgreementReports.FirstOrDefaultAsync(r => r.Id == reportId, cancellationToken);
        if (report is null || report.Status is JobStatus.Succeeded or JobStatus.Cancelled) return;
        report.Status = JobStatus.Running;
        report.StartedAt = Infrastructure.Clock.Now;
        report.Error = null;
        report.Done = 0;
        await db.SaveChangesAsync(cancellationToken);
        var lastPush = DateTime.MinValue;
        try
        {
            var result = await computer.ComputeAsync(report, async (done, total) =>
            {
                if (done < total && DateTime.UtcNow - lastPush < TimeSpan.FromMilliseconds(250)) return;
                lastPush = DateTime.UtcNow;
                await db.AgreementReports.Where(r => r.Id == reportId)
                    .ExecuteUpdateAsync(u => u.SetProperty(r => r.Done, done).SetProperty(r => r.Total, total), cancellationToken);
                await progressFeed.PublishAsync(report.ProjectId, new JobProgressReport("agreement", reportId, JobStatus.Running, done, total), cancellationToken);
            }, cancellationToken);
            await db.Entry(report).ReloadAsync(cancellationToken);
            report.Result = result;
            report.Status = JobStatus.Succeeded;
            report.Done = report.Total;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The app is stopping. Quartz forgets a job cut off this way, so say "queued": OrphanedWork queues it
            // again when a node runs, and the rerun computes the report afresh.
            await db.AgreementReports.Where(r => r.Id == reportId && r.Status == JobStatus.Running)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, JobStatus.Queued), CancellationToken.None);
            throw;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogError(error, "Agreement report {ReportId} failed", reportId);
            await db.Entry(report).ReloadAsync();
            report.Status = JobStatus.Failed;
            report.Error = error is ArgumentException ? error.Message : $"{error.GetType().Name}: {error.Message}";
        }
        report.FinishedAt = Infrastructure.Clock.Now;
        await db.SaveChangesAsync();
        await progressFeed.PublishAsync(report.ProjectId, new JobProgressReport("agreement", reportId, report.Status, report.Done, report.Total, report.Error));
    }
}

/// <summary>Makes a report for a project and runs it (the debounced run after a document is finished).</summary>
public class ProjectAgreementJob(AgreementScheduler scheduler) : IJob
{
    public const string ProjectIdKey = "projectId";
    public const string ReasonKey = "reason";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var projectId = context.MergedJobDataMap.GetLong(ProjectIdKey);
        var reason = Enum.Parse<JobReason>(context.MergedJobDataMap.GetString(ReasonKey) ?? nameof(JobReason.Finished));
        await scheduler.StartAsync(projectId, AgreementScope.Finished, reason, requestedById: null);
    }
}

/// <summary>Every night, a report for each project whose annotations changed since its last report.</summary>
[DisallowConcurrentExecution]
public class NightlyAgreementJob(AppDbContext db, AgreementScheduler scheduler) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var changed = await db.Projects
            .Where(p => db.ChangeEvents.Any(e => e.ProjectId == p.Id
                && e.CreatedAt > (db.AgreementReports.Where(r => r.ProjectId == p.Id).Max(r => (DateTimeOffset?)r.CreatedAt) ?? DateTimeOffset.MinValue)))
            .Select(p => p.Id).ToListAsync(cancellationToken);
        foreach (var projectId in changed) await scheduler.StartAsync(projectId, AgreementScope.Finished, JobReason.Nightly, null);
    }
}

/// <summary>Creates reports and hands them to Quartz (clustered on PostgreSQL: any node may run them).</summary>
public class AgreementScheduler(AppDbContext db, ISchedulerFactory schedulers, IConfiguration configuration)
{
    public async Task<AgreementReport> StartAsync(long projectId, AgreementScope scope, JobReason reason, string? requestedById)
    {
        var report = new AgreementReport
        {
            ProjectId = projectId, Scope = scope, Reason = reason, Status = JobStatus.Queued, RequestedById = requestedById, CreatedAt = Infrastructure.Clock.Now,
        };
        db.AgreementReports.Add(report);
        await db.SaveChangesAsync();
        await EnqueueAsync(report.Id);
        return report;
    }

    /// <summary>Queues a failed (or cancelled) report again; false when it is in another state.</summary>
    public async Task<bool> RetryAsync(AgreementReport report)
    {
        if (report.Status is not (JobStatus.Failed or JobStatus.Cancelled)) return false;
        report.Status = JobStatus.Queued;
        report.StartedAt = Infrastructure.Clock.Now; // queued again now: not an orphan for OrphanedWork while Quartz takes it
        report.Error = null;
        report.Reason = JobReason.Retry;
        await db.SaveChangesAsync();
        await EnqueueAsync(report.Id);
        return true;
    }

    public async Task EnqueueAsync(long reportId)
    {
        var scheduler = await schedulers.GetScheduler();
        var job = JobBuilder.Create<AgreementJob>()
            .WithIdentity($"agreement-{reportId}-{Guid.NewGuid():N}", "agreement")
            .UsingJobData(AgreementJob.ReportIdKey, reportId)
            .RequestRecovery()
            .Build();
        await scheduler.ScheduleJob(job, TriggerBuilder.Create().StartNow().Build());
    }

    /// <summary>After a document is finished: one report a little later, however many documents are finished meanwhile.</summary>
    public async Task ScheduleAfterFinishAsync(long projectId)
    {
        var delay = TimeSpan.FromSeconds(configuration.GetValue("Agreement:DebounceSeconds", 60.0));
        var scheduler = await schedulers.GetScheduler();
        var key = new TriggerKey($"agreement-after-finish-{projectId}", "agreement");
        var trigger = TriggerBuilder.Create().WithIdentity(key).StartAt(DateTimeOffset.UtcNow + delay)
            .ForJob(new JobKey($"agreement-after-finish-{projectId}", "agreement")).Build();
        if (await scheduler.GetTrigger(key) is not null) { await scheduler.RescheduleJob(key, trigger); return; }
        var job = JobBuilder.Create<ProjectAgreementJob>()
            .WithIdentity($"agreement-after-finish-{projectId}", "agreement")
            .UsingJobData(ProjectAgreementJob.ProjectIdKey, projectId)
            .UsingJobData(ProjectAgreementJob.ReasonKey, nameof(JobReason.Finished))
            .Build();
        try { await scheduler.ScheduleJob(job, trigger, ScheduleJobOptions.Replacing); }
        catch (ObjectAlreadyExistsException) { await scheduler.RescheduleJob(key, trigger); }
    }
}
