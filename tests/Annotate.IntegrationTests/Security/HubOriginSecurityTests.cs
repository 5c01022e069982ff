using System.Net.WebSockets;
using Annotate.IntegrationTests.LiveSync;

namespace Annotate.IntegrationTests.Security;

/// <summary>
/// A page of another origin (another port of the same host is the same site, so the browser sends the sign-in
/// cookie) cannot use the hub as the person signed in; the app's own pages and bearer-token scripts can.
/// </summary>
public class HubOriginSecurityTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    private const string Text = "Officials said 212 were rescued. The company said 190 were.";

    private string Own => factory.BaseUrl.TrimEnd('/');
    /// <summary>The same host on another port: what the probe's page was.</summary>
    private string Foreign => $"http://127.0.0.1:{new Uri(factory.BaseUrl).Port + 1}";

    [Fact]
    public async Task A_cookie_connection_from_another_origin_is_refused_with_403()
    {
        var (victim, cookies, documentId) = await VictimAsync();

        var negotiate = await NegotiateAsync(cookies, Foreign);
        Assert.Equal(HttpStatusCode.Forbidden, negotiate.StatusCode);
        Assert.Equal("application/problem+json", negotiate.Content.Headers.ContentType?.MediaType);
        var problem = await negotiate.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Origin not allowed", problem.GetProperty("title").GetString());
        Assert.Contains("Hub__AllowedOrigins", problem.GetProperty("detail").GetString());

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => RawHubConnection.ConnectAsync(factory.BaseUrl, "", options =>
        {
            options.Cookies = cookies;
            options.SetRequestHeader("Origin", Foreign);
        }));
        Assert.Contains("'403'", refused.Message);
        Assert.Empty(await SpansAsync(victim, documentId)); // nothing was created in the victim's name
    }

    [Fact]
    public async Task A_cookie_connection_from_the_apps_own_origin_works()
    {
        var (victim, cookies, documentId) = await VictimAsync();

        Assert.Equal(HttpStatusCode.OK, (await NegotiateAsync(cookies, Own)).StatusCode);
        using var hub = await RawHubConnection.ConnectAsync(factory.BaseUrl, "", options =>
        {
            options.Cookies = cookies;
            options.SetRequestHeader("Origin", Own);
        });
        var created = await hub.InvokeAsync("CreateAnnotation", CreateArguments(documentId));

        Assert.True(created.GetProperty("ok").GetBoolean(), created.GetRawText());
        Assert.Single(await SpansAsync(victim, documentId));
    }

    [Fact]
    public async Task A_bearer_token_connection_is_not_checked_for_its_origin()
    {
        var (victim, _, documentId) = await VictimAsync();

        using var hub = await RawHubConnection.ConnectAsync(factory.BaseUrl, "?access_token=" + Uri.EscapeDataString(victim.Token),
            options => options.SetRequestHeader("Origin", Foreign));
        var created = await hub.InvokeAsync("CreateAnnotation", CreateArguments(documentId));

        Assert.True(created.GetProperty("ok").GetBoolean(), created.GetRawText());
    }

    private static string CreateArguments(long documentId) =>
        $$"""[{{documentId}},{"id":"{{Guid.NewGuid()}}","layer":"entity","label":"QUANTITY","start":15,"end":18}]""";

    /// <summary>A manager of a project with one document, signed in twice: a bearer token and the sign-in cookie.</summary>
    private async Task<(SignedInClient Victim, CookieContainer Cookies, long DocumentId)> VictimAsync()
    {
        var victim = await factory.PersonAsync("victim");
        var (_, documents) = await LiveFactory.ProjectAsync(victim, "open", [], Text);
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(factory.BaseUrl) };
        (await browser.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email = victim.Email, password = AnnotateFactory.Password }))
            .EnsureSuccessStatusCode();
        Assert.Contains(cookies.GetCookies(new Uri(factory.BaseUrl)), c => c.Name == "annotate.auth");
        return (victim, cookies, documents[0]);
    }

    private async Task<HttpResponseMessage> NegotiateAsync(CookieContainer cookies, string origin)
    {
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(factory.BaseUrl) };
        var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/annotations/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", origin);
        return await browser.SendAsync(request);
    }

    private static async Task<List<JsonElement>> SpansAsync(SignedInClient person, long documentId) =>
        (await person.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{documentId}/annotations")).EnumerateArray().ToList();
}
