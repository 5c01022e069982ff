using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.Extensions.Options;

namespace Annotate.Web.Infrastructure;

/// <summary>
/// Reads each bearer token once. Every API request and hub connection of a script carries its token, and reading one
/// (decrypting, checking its signature and deserializing its claims) was 5 to 8% of the app's CPU under a stream of
/// span creates. A token never changes what it says, so what it said is kept, by its text, for the requests after:
/// they get a copy of its ticket (nothing downstream can change the kept one). The handler still checks the expiry of
/// every request's ticket, and disabled accounts are refused after authentication as before. Only tokens that read
/// as valid are kept, at most <see cref="Capacity"/> of them (all forgotten when full: the next requests read theirs again).
/// </summary>
public sealed class RememberedBearerTickets(ISecureDataFormat<AuthenticationTicket> inner) : ISecureDataFormat<AuthenticationTicket>
{
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, AuthenticationTicket> read = new(StringComparer.Ordinal);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (string.IsNullOrEmpty(protectedText)) return inner.Unprotect(protectedText, purpose);
        // A purpose would be part of what was checked; the handler passes none, and anything else is not remembered.
        if (purpose is null && read.TryGetValue(protectedText, out var known)) return Copy(known);
        var ticket = inner.Unprotect(protectedText, purpose);
        if (ticket is null || purpose is not null) return ticket;
        if (read.Count >= Capacity) read.Clear();
        read[protectedText] = ticket;
        return Copy(ticket);
    }

    public string Protect(AuthenticationTicket data) => inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

    // ClaimsPrincipal.Clone shares its identities; each is copied here, claims and all.
    private static AuthenticationTicket Copy(AuthenticationTicket ticket) =>
        new(new ClaimsPrincipal(ticket.Principal.Identities.Select(identity => identity.Clone())), ticket.Properties.Clone(), ticket.AuthenticationScheme);

    /// <summary>Wraps the protector the framework sets up for the bearer scheme (so this runs after its own set-up).</summary>
    public sealed class Setup : IPostConfigureOptions<BearerTokenOptions>
    {
        public void PostConfigure(string? name, BearerTokenOptions options)
        {
            if (name == Microsoft.AspNetCore.Identity.IdentityConstants.BearerScheme && options.BearerTokenProtector is not RememberedBearerTickets)
                options.BearerTokenProtector = new RememberedBearerTickets(options.BearerTokenProtector);
        }
    }
}
