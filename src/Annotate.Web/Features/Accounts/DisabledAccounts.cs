using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;

namespace Annotate.Web.Features.Accounts;

/// <summary>
/// The accounts a site admin disabled. A disabled account cannot sign in (its lockout end is far in the future), but
/// a bearer token is valid for hours and an open hub connection for as long as it lasts, so every request and hub
/// call is checked against this set too. It is re-read from the database at most every few seconds (one small
/// query per node, not one per request); the node that disables an account forgets its copy at once.
/// </summary>
public sealed class DisabledAccounts(IServiceScopeFactory scopes)
{
    /// <summary>How stale another node's copy may be: a disabled person is shut out everywhere within this.</summary>
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(5);

    /// <summary>Identity's "locked out until" for a disabled account: the end of time, never reached by wrong passwords.</summary>
    public static readonly DateTimeOffset Forever = DateTimeOffset.MaxValue;

    private readonly SemaphoreSlim reading = new(1, 1);
    private volatile HashSet<string> disabled = [];
    private DateTime readAt = DateTime.MinValue;

    public async ValueTask<bool> IsDisabledAsync(string userId)
    {
        if (DateTime.UtcNow - readAt > RefreshEvery) await RefreshAsync();
        return disabled.Contains(userId);
    }

    public void Forget() => readAt = DateTime.MinValue;

    private async Task RefreshAsync()
    {
        // One reader at a time; the others go on with the copy they have.
        if (!await reading.WaitAsync(0)) return;
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var farFuture = DateTimeOffset.UtcNow.AddYears(100);
            disabled = (await db.Users.Where(u => u.LockoutEnd > farFuture).Select(u => u.Id).ToListAsync()).ToHashSet();
            readAt = DateTime.UtcNow;
        }
        finally { reading.Release(); }
    }
}

public static class DisabledAccountCheck
{
    /// <summary>After authentication: a disabled account's cookie is cleared and its token refused, with a message.</summary>
    public static void UseDisabledAccountCheck(this WebApplication app) => app.Use(async (context, next) =>
    {
        if (context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId
            && await context.RequestServices.GetRequiredService<DisabledAccounts>().IsDisabledAsync(userId))
        {
            // Written here, not thrown: the error handler would clear the response, and with it the cookie's removal.
            if (!AuthSetup.UsesBearerToken(context.Request)) await context.RequestServices.GetRequiredService<SignInManager<AppUser>>().SignOutAsync();
            await ErrorHandling.WriteProblemAsync(context, StatusCodes.Status401Unauthorized, "Account disabled",
                "A site admin has disabled this account. Ask them to enable it again.");
            return;
        }
        await next();
    });
}

/// <summary>An open hub connection of an account disabled since it connected is refused on its next call.</summary>
public sealed class DisabledAccountHubFilter(DisabledAccounts accounts) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (invocation.Context.UserIdentifier is { } userId && await accounts.IsDisabledAsync(userId))
        {
            invocation.Context.Abort();
            throw new HubException("A site admin has disabled this account.");
        }
        return await next(invocation);
    }
}
