using System.Security.Claims;
using Annotate.Web.Infrastructure;
using Microsoft.AspNetCore.Authentication;

namespace Annotate.Tests.Infrastructure;

public class RememberedBearerTicketsTests
{
    /// <summary>Reads "token-N" as a ticket of user N, anything else as invalid, and counts its reads.</summary>
    private sealed class CountingFormat : ISecureDataFormat<AuthenticationTicket>
    {
        public int Reads;

        public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Reads++;
            if (protectedText?.StartsWith("token-") != true) return null;
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, protectedText[6..])], "Test");
            return new AuthenticationTicket(new ClaimsPrincipal(identity), new AuthenticationProperties { ExpiresUtc = DateTimeOffset.UtcNow.AddHours(1) }, "Test");
        }

        public string Protect(AuthenticationTicket data) => Protect(data, null);
        public string Protect(AuthenticationTicket data, string? purpose) => "token-" + data.Principal.FindFirstValue(ClaimTypes.NameIdentifier);
    }

    [Fact]
    public void A_token_is_read_once_and_each_request_gets_its_own_copy_of_what_it_says()
    {
        var inner = new CountingFormat();
        var tickets = new RememberedBearerTickets(inner);

        var first = tickets.Unprotect("token-7")!;
        ((ClaimsIdentity)first.Principal.Identity!).AddClaim(new Claim("added-downstream", "yes"));
        first.Properties.Items["changed"] = "yes";
        var second = tickets.Unprotect("token-7")!;

        Assert.Equal(1, inner.Reads);
        Assert.Equal("7", second.Principal.FindFirstValue(ClaimTypes.NameIdentifier));
        Assert.Null(second.Principal.FindFirst("added-downstream"));
        Assert.False(second.Properties.Items.ContainsKey("changed"));
        Assert.Equal(first.Properties.ExpiresUtc, second.Properties.ExpiresUtc); // the handler checks it on every request
        Assert.Equal("token-3", tickets.Protect(tickets.Unprotect("token-3")!));
    }

    [Fact]
    public void Invalid_tokens_and_reads_for_another_purpose_are_never_remembered()
    {
        var inner = new CountingFormat();
        var tickets = new RememberedBearerTickets(inner);

        Assert.Null(tickets.Unprotect("forged"));
        Assert.Null(tickets.Unprotect("forged"));
        Assert.Null(tickets.Unprotect(""));
        Assert.NotNull(tickets.Unprotect("token-1", "refresh"));
        Assert.NotNull(tickets.Unprotect("token-1", "refresh"));
        Assert.Equal(5, inner.Reads);
    }

    [Fact]
    public void When_full_it_forgets_and_reads_again()
    {
        var inner = new CountingFormat();
        var tickets = new RememberedBearerTickets(inner);
        for (var i = 0; i < RememberedBearerTickets.Capacity; i++) tickets.Unprotect($"token-{i}");
        tickets.Unprotect("token-0");
        Assert.Equal(RememberedBearerTickets.Capacity, inner.Reads);

        tickets.Unprotect("token-new"); // the store is full: it starts again with this one
        tickets.Unprotect("token-0");
        tickets.Unprotect("token-new");
        Assert.Equal(RememberedBearerTickets.Capacity + 2, inner.Reads);
    }
}
