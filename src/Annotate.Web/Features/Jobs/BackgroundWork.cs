namespace Annotate.Web.Features.Jobs;

/// <summary>Where a background job's row stands (agreement reports, exports).</summary>
public enum JobStatus { Queued, Running, Succeeded, Failed, Cancelled }

/// <summary>
/// A row that a Hangfire job works on (a report, an export): what the jobs and OrphanedWork share.
/// <see cref="StartedAt"/> is when it last started, or was queued again by a retry.
/// </summary>
public interface IBackgroundWork
{
    long Id { get; }
    JobStatus Status { get; set; }
    DateTimeOffset CreatedAt { get; }
    DateTimeOffset? StartedAt { get; }
    /// <summary>The Hangfire job that works on it; null until it is handed to Hangfire.</summary>
    string? JobId { get; }
    /// <summary>How many times a job started on it (a retry after a failure, or a re-run after a crash, counts).</summary>
    int Attempts { get; }
}

/// <summary>The outcome columns a job writes when it stops early (see Jobs.WorkRows).</summary>
public interface IHasError
{
    string? Error { get; }
    DateTimeOffset? FinishedAt { get; }
}
