namespace Annotate.Web.Features.Jobs;

/// <summary>Where a background job's row stands (agreement reports, exports).</summary>
public enum JobStatus { Queued, Running, Succeeded, Failed, Cancelled }

/// <summary>
/// A row that a Hangfire job works on (an agreement report, an export): the columns the jobs, WorkRows and OrphanedWork
/// read and write, and the project, who asked and when, which every such row has. <see cref="StartedAt"/> is when it
/// last started, or was queued again by a retry.
/// </summary>
public abstract class BackgroundWork
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public JobStatus Status { get; set; }
    /// <summary>Progress: how many of <see cref="Total"/> units (documents) are done.</summary>
    public int Done { get; set; }
    public int Total { get; set; }
    /// <summary>Why the last attempt failed (kept while a retry is pending, so the Jobs page can say it).</summary>
    public string? Error { get; set; }
    /// <summary>How many times a job started on it (a retry after a failure, or a re-run after a crash, counts).</summary>
    public int Attempts { get; set; }
    /// <summary>The Hangfire job that works on it; null until it is handed to Hangfire.</summary>
    public string? JobId { get; set; }
    public string? RequestedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    public Projects.Project? Project { get; set; }
    public Accounts.AppUser? RequestedBy { get; set; }
}
