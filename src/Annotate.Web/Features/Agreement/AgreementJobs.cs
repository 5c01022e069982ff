using Annotate.Web.Features.Jobs;
using Annotate.Web.Features.LiveSync;
using Hangfire;
using Hangfire.States;

namespace Annotate.Web.Features.Agreement;

/// <summary>
/// Computes one report. Takes only the report's id; status and progress live in agreement_reports. Hangfire runs a job
/// at least once (a crashed node's job is fetched again), so a run starts over and overwrites the result as a whole.
/// Failures follow <see cref="JobFailures"/>: only transient ones are retried.
/// </summary>
public class AgreementJob(AppDbContext db, AgreementComputer computer, JobProgressFeed progressFeed, ILogger<AgreementJob> logger)
{
    [AutomaticRetry(Attempts = JobFailures.Retries, DelaysInSeconds = [5, 30, 120, 600], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(long reportId, CancellationToken cancellationToken)
    {
        if (!await WorkRows.ClaimAsync(db.AgreementReports, reportId, cancellationToken)) return;
        var report = await db.AgreementReports.FirstAsync(r => r.Id == reportId, cancellationToken);
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
            report.Result = result.ToJson();
            report.Status = JobStatus.Succeeded;
            report.Error = null;
            report.Done = report.Total;
            report.FinishedAt = Infrastructure.Clock.Now;
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The node is stopping: Hangfire puts the job back in its queue, and the rerun computes the report afresh.
            await WorkRows.RequeueAsync(db.AgreementReports, reportId, null);
            throw;
        }
        catch (Exception error) when (JobFailures.Retried(error, report.Attempts))
        {
            logger.LogWarning(error, "Agreement report {ReportId}: attempt {Attempt} failed; Hangfire retries it", reportId, report.Attempts);
            await WorkRows.RequeueAsync(db.AgreementReports, reportId, JobFailures.Describe(error, report.Attempts, retried: true));
            throw;
        }
        catch (Exception error)
        {
            logger.LogError(error, "Agreement report {ReportId} failed", reportId);
            await WorkRows.FailAsync(db.AgreementReports, reportId, JobFailures.Describe(error, report.Attempts, retried: false));
        }
        var final = await db.AgreementReports.AsNoTracking().FirstOrDefaultAsync(r => r.Id == reportId, CancellationToken.None);
        if (final is not null)
            await progressFeed.PublishAsync(final.ProjectId, new JobProgressReport("agreement", reportId, final.Status, final.Done, final.Total, final.Error), CancellationToken.None);
    }
}

/// <summary>
/// A project's pending report after documents were finished: when it is due, and the Hangfire job scheduled for then.
/// One row per project: more finishes move <see cref="DueAt"/> later, but never past the burst's first finish plus the
/// maximum wait.
/// </summary>
public class PendingAgreementRun
{
    public long ProjectId { get; set; }
    public DateTimeOffset FirstFinishedAt { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public string? JobId { get; set; }
}

public class PendingAgreementRunConfiguration : IEntityTypeConfiguration<PendingAgreementRun>
{
    public void Configure(Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder<PendingAgreementRun> run)
    {
        run.HasKey(r => r.ProjectId);
        run.Property(r => r.ProjectId).ValueGeneratedNever();
        run.Property(r => r.JobId).HasMaxLength(64);
        run.HasOne<Projects.Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The scheduled run after documents were finished: makes the report if this run is still the due one.</summary>
public class AgreementAfterFinishJob(AppDbContext db, AgreementScheduler scheduler)
{
    [AutomaticRetry(Attempts = JobFailures.Retries, DelaysInSeconds = [5, 30, 120, 600], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(long projectId)
    {
        // Taking the pending row is what makes one report per burst: a run that finds it moved later (a finish came
        // while this run could no longer be rescheduled) or already taken does nothing.
        var taken = await db.PendingAgreementRuns.Where(r => r.ProjectId == projectId && r.DueAt <= Infrastructure.Clock.Now.AddSeconds(1))
            .ExecuteDeleteAsync();
        if (taken == 0 || !await db.Projects.AnyAsync(p => p.Id == projectId)) return;
        await scheduler.StartAsync(projectId, AgreementScope.Finished, JobReason.Finished, requestedById: null);
    }
}

/// <summary>Every night (Hangfire recurring job): a report for each project whose annotations changed since its last report.</summary>
public class NightlyAgreementJob(AppDbContext db, AgreementScheduler scheduler)
{
    public const string RecurringJobId = "nightly-agreement";

    [AutomaticRetry(Attempts = JobFailures.Retries, DelaysInSeconds = [5, 30, 120, 600], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var changed = await db.Projects
            .Where(p => db.ChangeEvents.Any(e => e.ProjectId == p.Id
                && e.CreatedAt > (db.AgreementReports.Where(r => r.ProjectId == p.Id).Max(r => (DateTimeOffset?)r.CreatedAt) ?? DateTimeOffset.MinValue)))
            .OrderBy(p => p.Id).Select(p => p.Id).ToListAsync(cancellationToken);
        // A retry after a failure half-way starts again: the projects reported on meanwhile no longer count as changed.
        foreach (var projectId in changed) await scheduler.StartAsync(projectId, AgreementScope.Finished, JobReason.Nightly, null);
    }
}

/// <summary>Creates reports and hands them to Hangfire (its storage is shared: any node with a server may run them).</summary>
public class AgreementScheduler(AppDbContext db, IBackgroundJobClient jobs, IConfiguration configuration)
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

    /// <summary>Queues a failed (or cancelled) report again, with fresh attempts; false when it is in another state.</summary>
    public async Task<bool> RetryAsync(AgreementReport report)
    {
        if (report.Status is not (JobStatus.Failed or JobStatus.Cancelled)) return false;
        report.Status = JobStatus.Queued;
        report.StartedAt = Infrastructure.Clock.Now;
        report.Error = null;
        report.Attempts = 0;
        report.Reason = JobReason.Retry;
        await db.SaveChangesAsync();
        await EnqueueAsync(report.Id);
        return true;
    }

    /// <summary>Hands the report to Hangfire and notes the job's id on it (OrphanedWork looks for rows without one).</summary>
    public async Task EnqueueAsync(long reportId)
    {
        var jobId = jobs.Enqueue<AgreementJob>(job => job.RunAsync(reportId, CancellationToken.None));
        await db.AgreementReports.Where(r => r.Id == reportId).ExecuteUpdateAsync(u => u.SetProperty(r => r.JobId, jobId));
    }

    private TimeSpan Debounce => TimeSpan.FromSeconds(configuration.GetValue("Agreement:DebounceSeconds", 60.0));
    private TimeSpan MaximumWait => TimeSpan.FromSeconds(configuration.GetValue("Agreement:DebounceMaxSeconds", 600.0));

    private sealed record Due(DateTimeOffset DueAt, string? JobId);

    /// <summary>
    /// After a document is finished: one report a little later (the debounce), moved later by every further finish, but
    /// never later than the maximum wait after the first finish of the burst, so a project finished steadily still gets
    /// its report.
    /// </summary>
    public async Task ScheduleAfterFinishAsync(long projectId)
    {
        var now = Infrastructure.Clock.Now;
        var due = (await db.Database.SqlQuery<Due>($"""
            INSERT INTO pending_agreement_runs (project_id, first_finished_at, due_at) VALUES ({projectId}, {now}, {now + Debounce})
            ON CONFLICT (project_id) DO UPDATE
                SET due_at = LEAST(pending_agreement_runs.first_finished_at + {MaximumWait}, {now + Debounce})
            RETURNING due_at AS "DueAt", job_id AS "JobId"
            """).ToListAsync()).Single();
        if (due.JobId is not null && jobs.Reschedule(due.JobId, due.DueAt, ScheduledState.StateName)) return;
        // No job yet, or it has already started (then it finds the row moved later and leaves the report to this one).
        var jobId = jobs.Schedule<AgreementAfterFinishJob>(job => job.RunAsync(projectId), due.DueAt);
        await db.PendingAgreementRuns.Where(r => r.ProjectId == projectId).ExecuteUpdateAsync(u => u.SetProperty(r => r.JobId, jobId));
    }
}
