using Npgsql;

namespace Annotate.Web.Features.Jobs;

/// <summary>
/// The retry policy of our jobs, chosen per failure: a lost or refused database connection (or a deadlock, or a
/// serialization failure) passes and is worth another attempt, so the job puts its row back to queued, keeps the error
/// for the Jobs page and throws, and Hangfire runs it again later. Anything else (a deleted project, a format that
/// cannot hold the data) would fail the same way again: the job marks its row failed at once and returns, so
/// Hangfire does not retry it. After <see cref="MaxAttempts"/> starts (counted in our row, so a re-run after a crash
/// counts too) even a transient failure is final.
/// </summary>
public static class JobFailures
{
    public const int MaxAttempts = 5;

    /// <summary>
    /// Hangfire's retries between our attempts (its [AutomaticRetry] on each job method, with delays of seconds first,
    /// for a database restart, then minutes).
    /// </summary>
    public const int Retries = MaxAttempts - 1;

    public static bool IsTransient(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } or TimeoutException) return true;
            // The server going away under a running query (a restart, a failover, an administrator ending the session):
            // worth waiting for it to come back, whatever Npgsql's own list says.
            if (e is PostgresException { SqlState: var state } && (state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P0", StringComparison.Ordinal)))
                return true;
        }
        return false;
    }

    /// <summary>Whether this failure is retried: transient and not yet the last attempt.</summary>
    public static bool Retried(Exception error, int attempts) => attempts < MaxAttempts && IsTransient(error);

    /// <summary>What the Jobs page shows: our own refusals as they are worded, anything else with its type.</summary>
    public static string Describe(Exception error, int attempts, bool retried)
    {
        var text = error is ArgumentException ? error.Message : $"{error.GetType().Name}: {error.Message}";
        if (retried) text = $"Attempt {attempts} of {MaxAttempts} failed, retrying: {text}";
        return Limits.JobError.Fit(text);
    }
}
