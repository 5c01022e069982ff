namespace Annotate.IntegrationTests.Pages;

public partial class PageTests
{
    [Fact]
    public async Task Hangfire_dashboard_is_for_site_admins_only()
    {
        // Anonymous (a browser, asking for a page): sent to sign in.
        var anonymous = await Browser().SendAsync(new HttpRequestMessage(HttpMethod.Get, "/jobs/dashboard") { Headers = { { "Accept", "text/html" } } });
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/account/login", anonymous.Headers.Location!.PathAndQuery);

        // A project's manager and its annotator: signed in, but not site admins.
        var (lead, _) = await SignedUpBrowserAsync();
        var (annotator, annotatorEmail) = await SignedUpBrowserAsync();
        var created = await PageForms.PostFormAsync(lead, "/projects", "/projects", new() { ["name"] = "Dashboard " + Guid.NewGuid() });
        var projectPath = created.Headers.Location!.OriginalString;
        await PageForms.PostFormAsync(lead, projectPath + "?tab=members", projectPath + "/members", new() { ["email"] = annotatorEmail, ["role"] = "Annotator" });
        foreach (var person in new[] { lead, annotator })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await person.GetAsync("/jobs/dashboard")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await person.GetAsync("/jobs/dashboard/jobs/enqueued")).StatusCode);
        }

        var (admin, adminEmail) = await SignedUpBrowserAsync();
        using (var scope = factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Web.Features.Accounts.AppUser>>();
            var roles = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.RoleManager<Microsoft.AspNetCore.Identity.IdentityRole>>();
            await Web.Features.Accounts.AccountCommands.CreateOrResetAsync(users, roles, adminEmail, AnnotateFactory.Password, admin: true);
        }
        // The role counts from the next sign-in.
        await PageForms.PostFormAsync(admin, "/projects", "/account/logout", new());
        await PageForms.PostFormAsync(admin, "/account/login", "/account/login", new() { ["Email"] = adminEmail, ["Password"] = AnnotateFactory.Password });
        var dashboard = await admin.GetAsync("/jobs/dashboard");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        var html = await dashboard.Content.ReadAsStringAsync();
        Assert.Contains("Annotate jobs", html);
        // Its API answers too (the dashboard's live counters), and its pages list our recurring jobs.
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/jobs/dashboard/jobs/succeeded")).StatusCode);
        Assert.Contains("nightly-agreement", await admin.GetStringAsync("/jobs/dashboard/recurring"));
        // Its commands keep an antiforgery check: a POST without the token is refused (a harmless one: no such job).
        var command = await admin.PostAsync("/jobs/dashboard/jobs/enqueued/delete", new FormUrlEncodedContent(new Dictionary<string, string> { ["jobs[]"] = "999999999" }));
        Assert.Equal(HttpStatusCode.Forbidden, command.StatusCode);
    }
}
