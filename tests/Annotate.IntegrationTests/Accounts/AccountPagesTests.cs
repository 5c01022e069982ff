using System.Text.RegularExpressions;
using Annotate.IntegrationTests.LiveSync;
using Annotate.Web.Infrastructure;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Annotate.IntegrationTests.Accounts;

/// <summary>A session check on every request, so what another session does shows at once (the default is a minute).</summary>
public sealed class AccountsFactory() : ConfiguredFactory([new("Accounts:SessionCheckSeconds", "0")]);

/// <summary>A person's account page, and the site admins' users page, driven as a browser drives them.</summary>
public partial class AccountPagesTests(AccountsFactory factory) : IClassFixture<AccountsFactory>
{
    [GeneratedRegex("New password for [^:]+: (\\S+) ")]
    private static partial Regex NewPassword();

    private async Task<HttpStatusCode> ApiSignInAsync(string email, string password) =>
        (await factory.CreateClient().PostAsJsonAsync("/api/auth/login", new { email, password })).StatusCode;

    private static async Task<string> PageAsync(HttpClient browser, string path) =>
        await (await browser.GetPageAsync(path)).Content.ReadAsStringAsync();

    [Fact]
    public async Task A_person_changes_the_name_others_see()
    {
        var (browser, email, _) = await factory.SignedInBrowserAsync("named");
        Assert.Contains(email, await PageAsync(browser, "/account"));

        var empty = await browser.PostFormAsync("/account", "/account/name", new() { ["Name.DisplayName"] = "  " });
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Contains("Enter the name others see", await empty.Content.ReadAsStringAsync());

        var saved = await browser.PostFormAsync("/account", "/account/name", new() { ["Name.DisplayName"] = "Ana Lima <b>" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var page = await PageAsync(browser, "/account");
        Assert.Contains("Your name is saved", page);
        Assert.Contains("value=\"Ana Lima &lt;b&gt;\"", page); // kept as typed, drawn inert
    }

    [Fact]
    public async Task A_person_changes_their_password_and_their_other_sessions_end()
    {
        var (browser, email, _) = await factory.SignedInBrowserAsync("password");
        var other = factory.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await other.PostFormAsync("/account/login", "/account/login",
            new() { ["Email"] = email, ["Password"] = AnnotateFactory.Password })).StatusCode);

        var wrong = await browser.PostFormAsync("/account", "/account/password", new()
            { ["Password.CurrentPassword"] = "not it at all", ["Password.NewPassword"] = "a brand new password", ["Password.ConfirmPassword"] = "a brand new password" });
        Assert.Contains("The current password is not right.", await wrong.Content.ReadAsStringAsync());
        var differ = await browser.PostFormAsync("/account", "/account/password", new()
            { ["Password.CurrentPassword"] = AnnotateFactory.Password, ["Password.NewPassword"] = "a brand new password", ["Password.ConfirmPassword"] = "a brand new passwort" });
        Assert.Contains("The two new passwords differ.", await differ.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, await ApiSignInAsync(email, AnnotateFactory.Password)); // refusals changed nothing

        var changed = await browser.PostFormAsync("/account", "/account/password", new()
            { ["Password.CurrentPassword"] = AnnotateFactory.Password, ["Password.NewPassword"] = "a brand new password", ["Password.ConfirmPassword"] = "a brand new password" });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await ApiSignInAsync(email, AnnotateFactory.Password));
        Assert.Equal(HttpStatusCode.OK, await ApiSignInAsync(email, "a brand new password"));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetPageAsync("/account")).StatusCode); // this session goes on
        var otherNow = await other.GetPageAsync("/account");
        Assert.Equal(HttpStatusCode.Redirect, otherNow.StatusCode); // the other one is signed out
        Assert.Contains("/account/login", otherNow.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Only_site_admins_reach_the_users_page()
    {
        var (plain, _, _) = await factory.SignedInBrowserAsync("plain");
        var refused = await plain.GetPageAsync("/admin/users");
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
        Assert.DoesNotContain("user-row", await refused.Content.ReadAsStringAsync());
        Assert.DoesNotContain("/admin/users", await PageAsync(plain, "/projects")); // no link for them either

        var (admin, _, _) = await factory.SignedInBrowserAsync("admin", admin: true);
        var (_, findMe, _) = await factory.SignedInBrowserAsync("findme");
        var found = await PageAsync(admin, "/admin/users?q=" + Uri.EscapeDataString(findMe));
        Assert.Contains($"data-email=\"{findMe}\"", found);
        Assert.Contains("1 account found", found);
        Assert.Contains("/admin/users", await PageAsync(admin, "/projects"));
    }

    [Fact]
    public async Task A_disabled_account_is_shut_out_everywhere_until_enabled()
    {
        var (admin, _, _) = await factory.SignedInBrowserAsync("admin", admin: true);
        var (browser, email, id) = await factory.SignedInBrowserAsync("disabled");
        var api = factory.CreateClient();
        await AnnotateFactory.AuthorizeAsync(api, email, AnnotateFactory.Password);
        // Used once before: the app keeps what the token said, and must still refuse it once the account is disabled.
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/projects")).StatusCode);

        var disabled = await admin.PostFormAsync("/admin/users", $"/admin/users/{id}/disable", new());
        Assert.Equal(HttpStatusCode.Redirect, disabled.StatusCode);
        Assert.Contains("disabled", await PageAsync(admin, disabled.Headers.Location!.OriginalString));

        // Disabling renews the account's security stamp: its cookie session ends (sent to sign in)...
        var page = await browser.GetPageAsync("/projects");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains("/account/login", page.Headers.Location!.OriginalString);
        // ...and its bearer token, which carries no stamp, is refused with the reason.
        var token = await api.GetAsync("/api/projects");
        Assert.Equal(HttpStatusCode.Unauthorized, token.StatusCode);
        Assert.Equal("application/problem+json", token.Content.Headers.ContentType?.MediaType);
        Assert.Contains("disabled this account", await token.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, await ApiSignInAsync(email, AnnotateFactory.Password));

        await admin.PostFormAsync("/admin/users", $"/admin/users/{id}/enable", new());
        Assert.Equal(HttpStatusCode.OK, await ApiSignInAsync(email, AnnotateFactory.Password));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/projects")).StatusCode); // the token works again
    }

    [Fact]
    public async Task A_bearer_token_is_read_once_and_a_changed_one_is_refused()
    {
        var protector = factory.Services.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(IdentityConstants.BearerScheme).BearerTokenProtector;
        Assert.IsType<RememberedBearerTickets>(protector);
        var (_, email, _) = await factory.SignedInBrowserAsync("token");
        var api = factory.CreateClient();
        var token = await AnnotateFactory.AuthorizeAsync(api, email, AnnotateFactory.Password);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/projects")).StatusCode); // from what was kept

        // One character changed in the middle or at the end: not a token this app issued.
        foreach (var forged in new[] { token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1], token[..20] + (token[20] == 'x' ? 'y' : 'x') + token[21..] })
        {
            var other = factory.CreateClient();
            other.DefaultRequestHeaders.Authorization = new("Bearer", forged);
            Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync("/api/projects")).StatusCode);
        }
    }

    [Fact]
    public async Task An_admin_gives_a_new_password_shown_once_and_the_old_one_stops_working()
    {
        var (admin, _, _) = await factory.SignedInBrowserAsync("admin", admin: true);
        var (_, email, id) = await factory.SignedInBrowserAsync("forgetful");

        var reset = await admin.PostFormAsync("/admin/users", $"/admin/users/{id}/password", new());
        var notice = await PageAsync(admin, reset.Headers.Location!.OriginalString);
        var password = WebUtility.HtmlDecode(NewPassword().Match(notice).Groups[1].Value);
        Assert.NotEmpty(password);
        Assert.DoesNotContain(password, await PageAsync(admin, "/admin/users")); // shown once

        Assert.Equal(HttpStatusCode.Unauthorized, await ApiSignInAsync(email, AnnotateFactory.Password));
        Assert.Equal(HttpStatusCode.OK, await ApiSignInAsync(email, password));
    }

    [Fact]
    public async Task An_admin_makes_and_unmakes_site_admins_but_never_themselves()
    {
        var (admin, _, adminId) = await factory.SignedInBrowserAsync("admin", admin: true);
        var (browser, _, id) = await factory.SignedInBrowserAsync("promoted");

        await admin.PostFormAsync("/admin/users", $"/admin/users/{id}/admin", new());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetPageAsync("/admin/users")).StatusCode);
        await admin.PostFormAsync("/admin/users", $"/admin/users/{id}/unadmin", new());
        Assert.NotEqual(HttpStatusCode.OK, (await browser.GetPageAsync("/admin/users")).StatusCode);

        var self = await admin.PostFormAsync("/admin/users", $"/admin/users/{adminId}/disable", new());
        Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
        Assert.Contains("ask another site admin", await self.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetPageAsync("/admin/users")).StatusCode);
    }
}

/// <summary>An open hub connection of an account disabled while it was open is refused on its next call.</summary>
public class DisabledHubTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    [Fact]
    public async Task A_disabled_accounts_open_hub_connection_is_refused()
    {
        var lead = await factory.PersonAsync("lead");
        var ana = await factory.PersonAsync("ana");
        var (_, documents) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator")], "Officials said 212 were rescued.");
        await using var live = await factory.LiveAsync(ana);
        await live.JoinAsync(documents[0]);

        using (var scope = factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Annotate.Web.Features.Accounts.AppUser>>();
            var user = (await users.FindByEmailAsync(ana.Email))!;
            await users.SetLockoutEndDateAsync(user, Annotate.Web.Features.Accounts.DisabledAccounts.Forever);
            scope.ServiceProvider.GetRequiredService<Annotate.Web.Features.Accounts.DisabledAccounts>().Forget();
        }

        var refused = await Assert.ThrowsAnyAsync<Exception>(() =>
            live.CallAsync("CreateAnnotation", documents[0], new { id = Guid.NewGuid(), layer = "entity", label = "QUANTITY", start = 15, end = 18 }));
        Assert.True(refused is HubException or OperationCanceledException or InvalidOperationException, refused.ToString());
        Assert.Empty((await lead.Http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/documents/{documents[0]}/annotations")).EnumerateArray());
    }
}
