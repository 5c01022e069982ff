using Microsoft.AspNetCore.Mvc.Testing;

namespace Annotate.IntegrationTests.Platform;

public class PlatformTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    private HttpClient Anonymous() => factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Fact]
    public async Task Health_reports_the_database()
    {
        var health = await Anonymous().GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal("up", health.GetProperty("database").GetString());
    }

    [Fact]
    public async Task The_api_is_described_by_openapi()
    {
        var document = await Anonymous().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/projects", out _));
        Assert.True(paths.TryGetProperty("/api/projects/{projectId}/documents", out _));
        Assert.True(paths.TryGetProperty("/api/auth/login", out _));
    }

    [Fact]
    public async Task The_api_without_credentials_answers_401_problem_and_pages_redirect_to_sign_in()
    {
        var client = Anonymous();
        var api = await client.GetAsync("/api/projects");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);

        var request = new HttpRequestMessage(HttpMethod.Get, "/projects");
        request.Headers.Accept.ParseAdd("text/html");
        var page = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/account/login", page.Headers.Location?.PathAndQuery);
    }

    [Fact]
    public async Task Static_files_arrive_with_their_content()
    {
        var client = Anonymous();
        var css = await client.GetStringAsync("/css/site.css");
        Assert.Contains(".doc-text", css);
        var bootstrap = await client.GetAsync("/lib/bootstrap/css/bootstrap.min.css");
        Assert.Equal(HttpStatusCode.OK, bootstrap.StatusCode);
        Assert.True((await bootstrap.Content.ReadAsByteArrayAsync()).Length > 100_000);
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_account()
    {
        var user = await factory.SignUpAsync("lockout");
        var client = Anonymous();
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = "wrong password" })).StatusCode);
        var right = await client.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = AnnotateFactory.Password });
        // Locked: the right password is refused too, with the answer of any failure (saying "locked" would tell
        // anyone the account exists).
        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
        var body = await right.Content.ReadAsStringAsync();
        Assert.Contains("\"Failed\"", body);
        Assert.DoesNotContain("Locked", body);
    }

    [Fact]
    public async Task An_unknown_api_route_is_a_problem_not_a_page()
    {
        var user = await factory.SignUpAsync();
        var response = await user.Http.GetAsync("/api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
