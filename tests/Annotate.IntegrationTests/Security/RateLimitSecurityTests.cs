using Annotate.IntegrationTests.LiveSync;

namespace Annotate.IntegrationTests.Security;

/// <summary>
/// The rate limits and the per-address lockout, with the real limits (the rest of the suite raises them). The app
/// trusts X-Forwarded-For from loopback here (Proxy__KnownProxies), so one test plays several client addresses.
/// The people the tests sign up come from loopback itself, which the per-address limits count too: the limits
/// are set above what that setup spends.
/// </summary>
public sealed class RateLimitSecurityTests : IAsyncLifetime
{
    private readonly LiveFactory app = LiveFactory.With(
        ("Proxy:KnownProxies", "127.0.0.1"),
        ("RateLimits:SignInsPerMinute", "30"),
        ("RateLimits:RegistrationsPerHour", "20"),
        ("RateLimits:WritesPerSecond", "1"),
        ("RateLimits:WriteBurst", "5"),
        ("RateLimits:MemberAddsPerHour", "2"),
        ("RateLimits:LockoutFailures", "3"));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    private HttpClient From(string address)
    {
        var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/api/auth/login", new { email, password });

    private static async Task AssertTooManyAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(int.TryParse(response.Headers.GetValues("Retry-After").Single(), out var seconds) && seconds >= 1);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Contains($"try again in {seconds} s", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Sign_ins_are_limited_per_client_address_and_other_addresses_go_on()
    {
        var person = await app.PersonAsync("limited");
        var near = From("203.0.113.10");
        for (var i = 0; i < 30; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(near, AnnotateFactory.NewEmail("nobody"), "wrong password")).StatusCode);

        await AssertTooManyAsync(await SignInAsync(near, person.Email, AnnotateFactory.Password));
        // The page's sign-in form shares the API's count: switching doors gives no more tries.
        var page = await near.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["Email"] = person.Email, ["Password"] = "x" }));
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(From("203.0.113.11"), person.Email, AnnotateFactory.Password)).StatusCode);

        // Changing one's password checks the current one, a guess like any sign-in: it shares the address's count.
        var cookies = new System.Net.CookieContainer();
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        (await browser.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email = person.Email, password = AnnotateFactory.Password })).EnsureSuccessStatusCode();
        var token = await browser.FormTokenAsync("/account");
        var change = new HttpRequestMessage(HttpMethod.Post, "/account/password")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["Password.CurrentPassword"] = "a guess",
                ["Password.NewPassword"] = "a brand new password", ["Password.ConfirmPassword"] = "a brand new password",
            }),
        };
        change.Headers.Add("X-Forwarded-For", "203.0.113.10");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await browser.SendAsync(change)).StatusCode);
    }

    [Fact]
    public async Task Registrations_are_limited_per_client_address()
    {
        var client = From("203.0.113.20");
        for (var i = 0; i < 20; i++)
            (await client.PostAsJsonAsync("/api/auth/register", new { email = AnnotateFactory.NewEmail("many"), password = AnnotateFactory.Password })).EnsureSuccessStatusCode();

        var third = AnnotateFactory.NewEmail("many");
        await AssertTooManyAsync(await client.PostAsJsonAsync("/api/auth/register", new { email = third, password = AnnotateFactory.Password }));
        // Refused means not created: from elsewhere, the third address is still free to sign up and sign in.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(From("203.0.113.21"), third, AnnotateFactory.Password)).StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_lock_out_only_the_address_they_came_from()
    {
        var owner = await app.PersonAsync("owner");
        var attacker = From("198.51.100.7");
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(attacker, owner.Email, "guessed wrong")).StatusCode);

        // The attacker's address is locked out of the account, even with the right password...
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(attacker, owner.Email, AnnotateFactory.Password)).StatusCode);
        // ...but its owner, elsewhere, signs in as usual, and that does not unlock the attacker.
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(From("192.0.2.50"), owner.Email, AnnotateFactory.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(attacker, owner.Email, AnnotateFactory.Password)).StatusCode);
    }

    [Fact]
    public async Task A_right_password_before_the_limit_resets_the_count()
    {
        var owner = await app.PersonAsync("typo");
        var laptop = From("192.0.2.60");
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 2; i++)
                Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(laptop, owner.Email, "typo")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await SignInAsync(laptop, owner.Email, AnnotateFactory.Password)).StatusCode);
        }
    }

    [Fact]
    public async Task Writes_are_limited_per_person_over_rest_and_the_hub_alike()
    {
        var lead = await app.PersonAsync("lead");
        var writer = await app.PersonAsync("writer");
        var other = await app.PersonAsync("other");
        var (_, documents) = await LiveFactory.ProjectAsync(lead, "open", [(writer, "annotator"), (other, "annotator")], "Officials said 212 were rescued from the ferry after it struck rocks off the coast.");
        // A new place each time: the same span twice would be refused as a duplicate, not for the rate.
        var next = 0;
        object Span() { next++; return new { id = Guid.NewGuid(), layer = "entity", label = "QUANTITY", start = next, end = next + 1 }; }

        // The burst of 5 passes, then writes are refused (and store nothing). The bucket also refills at 1 a second
        // while this runs, so on a slow machine a few more may pass first: as many as the seconds it took.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var acceptedOverRest = 0;
        HttpResponseMessage answer;
        do
        {
            answer = await writer.Http.PostAsJsonAsync($"/api/documents/{documents[0]}/annotations", Span());
            if (answer.StatusCode == HttpStatusCode.Created) acceptedOverRest++;
        } while (answer.StatusCode == HttpStatusCode.Created && acceptedOverRest < 100);
        await AssertTooManyAsync(answer);
        Assert.InRange(acceptedOverRest, 5, 5 + (int)Math.Ceiling(clock.Elapsed.TotalSeconds));

        var acceptedOverHub = 0;
        await using (var live = await app.LiveAsync(writer))
        {
            await live.JoinAsync(documents[0]);
            // A token may have come back while connecting (1 a second): the hub takes it, then refuses.
            JsonElement hubAnswer;
            do
            {
                hubAnswer = await live.CallAsync("CreateAnnotation", documents[0], Span());
                if (hubAnswer.GetProperty("ok").GetBoolean()) acceptedOverHub++;
            } while (hubAnswer.GetProperty("ok").GetBoolean() && acceptedOverHub < 100);
            Assert.Equal(429, hubAnswer.GetProperty("status").GetInt32());
            Assert.Contains("try again in", hubAnswer.GetProperty("detail").GetString());
            // One bucket for both doors: all they took together is the burst plus one a second since the start.
            Assert.InRange(acceptedOverRest + acceptedOverHub, 5, 5 + (int)Math.Ceiling(clock.Elapsed.TotalSeconds));
        }

        // Another person's bucket is their own; reading is never limited.
        Assert.Equal(HttpStatusCode.Created, (await other.Http.PostAsJsonAsync($"/api/documents/{documents[0]}/annotations", Span())).StatusCode);
        var spans = await writer.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{documents[0]}/annotations");
        Assert.Equal(acceptedOverRest + acceptedOverHub + 1, spans.GetArrayLength());

        // The bucket refills at the sustained rate (1 a second here).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpResponseMessage later;
        do
        {
            await Task.Delay(250);
            later = await writer.Http.PostAsJsonAsync($"/api/documents/{documents[0]}/annotations", Span());
        } while (later.StatusCode == HttpStatusCode.TooManyRequests && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.Created, later.StatusCode);
    }

    [Fact]
    public async Task Adding_members_by_email_is_limited_per_manager()
    {
        var lead = await app.PersonAsync("members-lead");
        var id = await lead.ProjectAsync("Members " + Guid.NewGuid());

        // Each answer tells whether an account uses the email, so a manager gets only a few an hour.
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.BadRequest, (await lead.Http.PostAsJsonAsync($"/api/projects/{id}/members",
                new { email = AnnotateFactory.NewEmail("probe"), role = "annotator" })).StatusCode);
        await AssertTooManyAsync(await lead.Http.PostAsJsonAsync($"/api/projects/{id}/members",
            new { email = AnnotateFactory.NewEmail("probe"), role = "annotator" }));
    }
}
