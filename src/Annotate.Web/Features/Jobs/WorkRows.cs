using Annotate.Web.Features.Agreement;

namespace Annotate.Web.Features.Jobs;

/// <summary>
/// The state changes every job makes on its row (a report, an export), each one conditional, so that a job that
/// Hangfire runs again (at least once: after a crash, a retry or a re-queue at shutdown) never undoes what a newer
/// state says: a cancelled or finished row is never started again.
/// </summary>
public static class WorkRows
{
    /// <summary>
    /// Marks the row running and counts the attempt; false when there is nothing to do (gone, finished, cancelled).
    /// A row that says running is taken too: that is the run of a node that died, which Hangfire fetched again.
    /// </summary>
    public static async Task<bool> ClaimAsync<T>(DbSet<T> rows, long id, CancellationToken cancellationToken) where T : BackgroundWork =>
        await rows.Where(r => r.Id == id && (r.Status == JobStatus.Queued || r.Status == JobStatus.Running))
            .ExecuteUpdateAsync(u => u
                .SetProperty(r => r.Status, JobStatus.Running)
                .SetProperty(r => r.Attempts, r => r.Attempts + 1)
                .SetProperty(r => r.StartedAt, Infrastructure.Clock.Now), cancellationToken) == 1;

    /// <summary>Back to queued while Hangfire holds the job for another attempt (after a stop, or a transient failure).</summary>
    public static Task<int> RequeueAsync<T>(DbSet<T> rows, long id, string? error) where T : BackgroundWork =>
        rows.Where(r => r.Id == id && r.Status == JobStatus.Running)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, JobStatus.Queued).SetProperty(r => r.Error, r => error ?? r.Error), CancellationToken.None);

    /// <summary>Failed for good (no retry), unless it was cancelled meanwhile.</summary>
    public static Task<int> FailAsync<T>(DbSet<T> rows, long id, string error) where T : BackgroundWork =>
        rows.Where(r => r.Id == id && r.Status == JobStatus.Running)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, JobStatus.Failed).SetProperty(r => r.Error, error)
                .SetProperty(r => r.FinishedAt, Infrastructure.Clock.Now), CancellationToken.None);
}
