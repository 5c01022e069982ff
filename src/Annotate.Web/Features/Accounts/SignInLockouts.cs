namespace Annotate.Web.Features.Accounts;

/// <summary>
/// Wrong passwords are counted per account and client address, and only that address is locked out of that
/// account: a stranger who knows someone's email can lock themselves out of it, never its owner (Identity's own
/// lockout, one counter per account, let anyone keep any known account locked). The per-address sign-in rate
/// limit bounds how many guesses one address gets across all accounts. Kept in PostgreSQL so every node agrees.
/// </summary>
public sealed class SignInLockouts(AppDbContext db, RateLimitOptions limits)
{
    /// <summary>Failures older than this are forgotten: the count is of wrong passwords in a row, recently.</summary>
    private static readonly TimeSpan Memory = TimeSpan.FromMinutes(15);

    public async Task<bool> IsLockedOutAsync(string userId, string address)
    {
        var now = Clock.Now;
        return await db.Database.SqlQuery<bool>($"""
            SELECT EXISTS (SELECT 1 FROM sign_in_lockouts WHERE user_id = {userId} AND address = {address} AND locked_until > {now}) AS "Value"
            """).SingleAsync();
    }

    public async Task CountFailureAsync(string userId, string address)
    {
        var now = Clock.Now;
        var forgetBefore = now - Memory;
        var lockedUntil = now + TimeSpan.FromMinutes(Math.Max(1, limits.LockoutMinutes));
        var threshold = Math.Max(1, limits.LockoutFailures);
        // One statement, so two wrong passwords arriving together both count.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO sign_in_lockouts AS l (user_id, address, failures, last_failure, locked_until)
            VALUES ({userId}, {address}, 1, {now}, CASE WHEN 1 >= {threshold} THEN {lockedUntil} END)
            ON CONFLICT (user_id, address) DO UPDATE SET
                failures = CASE WHEN l.last_failure < {forgetBefore} OR l.locked_until <= {now} THEN 1 ELSE l.failures + 1 END,
                last_failure = {now},
                locked_until = CASE WHEN (CASE WHEN l.last_failure < {forgetBefore} OR l.locked_until <= {now} THEN 1 ELSE l.failures + 1 END) >= {threshold}
                                    THEN {lockedUntil} END
            """);
    }

    public async Task ForgetAsync(string userId, string address) =>
        await db.Database.ExecuteSqlAsync($"DELETE FROM sign_in_lockouts WHERE user_id = {userId} AND address = {address}");
}
