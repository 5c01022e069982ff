using Annotate.IntegrationTests.LiveSync;

namespace Annotate.IntegrationTests.Security;

/// <summary>Every kind of response carries the security headers; over HTTPS (through a known proxy) also HSTS and Secure cookies.</summary>
public sealed class SecurityHeaderTests : IAsyncLifetime
{
    private readonly LiveFactory app = LiveFactory.With(("Proxy:KnownProxies", "127.0.0.1"));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static void AssertHeaders(HttpResponseMessage response, string what)
    {
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", csp);
        Assert.DoesNotContain("'unsafe-inline'; style-src", csp); // no inline script
        Assert.Contains("frame-ancestors 'self'", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("SAMEORIGIN", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), $"{what}: HSTS over plain HTTP");
    }

    [Fact]
    public async Task Pages_api_answers_static_files_and_errors_all_carry_the_headers()
    {
        var person = await app.PersonAsync("headers");
        var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        var cases = new (string What, HttpClient Client, string Path, HttpStatusCode Status)[]
        {
            ("the sign-in page", anonymous, "/account/login", HttpStatusCode.OK),
            ("a static script", anonymous, "/js/live.js", HttpStatusCode.OK),
            ("an API answer", person.Http, "/api/projects", HttpStatusCode.OK),
            ("an API 404", person.Http, "/api/projects/999999999", HttpStatusCode.NotFound),
            ("an unknown page", anonymous, "/no/such/page", HttpStatusCode.NotFound),
            ("a 401 to a script", anonymous, "/api/projects", HttpStatusCode.Unauthorized),
        };
        foreach (var (what, client, path, status) in cases)
        {
            var response = await client.GetAsync(path);
            Assert.True(status == response.StatusCode, $"{what}: {response.StatusCode}");
            AssertHeaders(response, what);
        }
    }

    [Fact]
    public async Task Over_https_through_a_known_proxy_browsers_are_told_to_stay_on_https_and_cookies_are_secure()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(app.BaseUrl) };
        var request = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        var response = await client.SendAsync(request);

        Assert.StartsWith("max-age=", response.Headers.GetValues("Strict-Transport-Security").Single());
        var antiforgery = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("annotate.antiforgery="));
        Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase);

        // Over plain HTTP the same cookie is not Secure (a browser would drop it): only what came over TLS is marked.
        var plain = await client.GetAsync("/account/login");
        Assert.DoesNotContain("secure", plain.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("annotate.antiforgery=")), StringComparison.OrdinalIgnoreCase);
    }
}
