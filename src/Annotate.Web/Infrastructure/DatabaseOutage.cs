using Annotate.Web.Features.Annotations;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Annotate.Web.Infrastructure;

/// <summary>
/// Tells a database that is not answering (restarting, unreachable, refusing connections) from a bug. Callers
/// answer it with 503 and Retry-After (REST) or a retryable refusal (hub), not 500: nothing was written, and the
/// same request will work once the database is back. Creates are safe to resend because their ids come from the
/// client; updates and deletes carry the version they were based on.
/// </summary>
public static class DatabaseOutage
{
    /// <summary>Seconds a client should wait before sending again.</summary>
    public const int RetryAfterSeconds = 2;

    public const string Title = "Database unavailable";

    /// <summary>Starts every hub refusal of this kind, so a client can tell it from a final one and try again.</summary>
    public const string Detail = "Database unavailable: nothing was saved; send it again in a few seconds.";

    public static bool Is(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // The server shutting down or starting up, or a connection it dropped.
                case PostgresException postgres: return postgres.SqlState.StartsWith("08") || postgres.SqlState.StartsWith("57P");
                case NpgsqlException npgsql when npgsql.IsTransient: return true;
                case RetryLimitExceededException: return true;
            }
        }
        return false;
    }
}

/// <summary>
/// The hub's side of <see cref="DatabaseOutage"/>, outermost of its filters (the others read the database too): a change
/// answers <c>ok: false, status: 503</c>, which the page keeps and sends again (pending-edits.js); joining and watching
/// throw a HubException whose message starts with "Database unavailable", which live.js retries on.
/// </summary>
public sealed class DatabaseOutageHubFilter : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try { return await next(invocationContext); }
        catch (Exception error) when (DatabaseOutage.Is(error))
        {
            if (invocationContext.HubMethod.ReturnType == typeof(Task<ChangeResult>))
                return new ChangeResult(false, StatusCodes.Status503ServiceUnavailable, null, DatabaseOutage.Title, DatabaseOutage.Detail, null);
            throw new HubException(DatabaseOutage.Detail);
        }
    }
}
