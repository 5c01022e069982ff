using System.Diagnostics;
using Annotate.IntegrationTests.LiveSync;

namespace Annotate.IntegrationTests.Security;

/// <summary>
/// Only imports read large bodies; span and link writes take one change's budget (<c>ChangeBudgetTests</c>); every
/// other route, anonymous ones too, a small limit. Passwords are capped before any hashing. On a real Kestrel port,
/// where the limits apply.
/// </summary>
public class BodyLimitSecurityTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    private const int TwoMegabytes = 2 * 1024 * 1024;

    public static TheoryData<string, bool> SmallRoutes() => new()
    {
        { "/api/projects", false },
        { "/api/auth/register", true },
        { "/api/auth/login", true },
        { "/account/login", true },
    };

    [Theory]
    [MemberData(nameof(SmallRoutes))]
    public async Task A_2_MB_body_to_a_route_that_is_not_an_import_answers_413_problem_details(string path, bool anonymous)
    {
        var client = anonymous ? new HttpClient { BaseAddress = new Uri(factory.BaseUrl) } : (await factory.PersonAsync("big")).Http;
        var json = $$"""{"name":"{{new string('x', TwoMegabytes)}}","email":"big@test.example","password":"{{new string('p', 16)}}"}""";
        var content = path.StartsWith("/account")
            ? (HttpContent)new FormUrlEncodedContent(new Dictionary<string, string> { ["Email"] = "big@test.example", ["Password"] = new string('x', TwoMegabytes) })
            : new StringContent(json, Encoding.UTF8, "application/json");

        // As well-behaved clients send large bodies: the server may then refuse before a byte of the body is sent
        // (without it, the refusal arrives while the client is still writing, which HttpClient reports as a broken pipe).
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.ExpectContinue = true;
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(413, problem.GetProperty("status").GetInt32());
        Assert.DoesNotContain("   at ", problem.GetRawText());
    }

    [Fact]
    public async Task An_import_still_takes_a_file_of_several_megabytes()
    {
        var lead = await factory.PersonAsync("importer");
        var project = await (await lead.Http.PostAsJsonAsync("/api/projects", new { name = "Big " + Guid.NewGuid() }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var sentence = "Officials said 212 were rescued; the company said 190 were. ";
        var text = string.Concat(Enumerable.Repeat(sentence, 3 * 1024 * 1024 / sentence.Length + 1));
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "files", "big.txt" } };

        var response = await lead.Http.PostAsync($"/api/projects/{project.GetProperty("id").GetInt64()}/documents", form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("/api/auth/register")]
    [InlineData("/api/auth/login")]
    public async Task A_password_over_200_characters_answers_400_naming_it(string path)
    {
        var anonymous = new HttpClient { BaseAddress = new Uri(factory.BaseUrl) };
        var response = await anonymous.PostAsJsonAsync(path, new { email = AnnotateFactory.NewEmail("long"), password = new string('p', 201) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _), problem.GetRawText());
        Assert.Contains("at most 200 characters", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_long_password_is_refused_before_any_hashing()
    {
        var anonymous = new HttpClient { BaseAddress = new Uri(factory.BaseUrl) };
        var person = await factory.PersonAsync("hashed");
        async Task<TimeSpan> MedianAsync(string password, HttpStatusCode expected)
        {
            var times = new List<TimeSpan>();
            for (var i = 0; i < 3; i++)
            {
                var clock = Stopwatch.StartNew();
                var response = await anonymous.PostAsJsonAsync("/api/auth/login", new { email = person.Email, password });
                times.Add(clock.Elapsed);
                Assert.Equal(expected, response.StatusCode);
            }
            return times.Order().ElementAt(1);
        }
        await MedianAsync("warm up", HttpStatusCode.Unauthorized); // JIT and connection; also 3 of the 5 failures before a lockout

        var longOne = await MedianAsync(new string('p', 60_000), HttpStatusCode.BadRequest);
        var wrong = await MedianAsync("a wrong one", HttpStatusCode.Unauthorized);

        // A wrong password runs the slow hash; the refusal of a long one must not (the old code hashed 60,000 characters
        // and answered 401). Two times measured in the same run, compared loosely.
        Assert.True(longOne < wrong, $"a 60,000-character password took {longOne.TotalMilliseconds:0} ms, a wrong one {wrong.TotalMilliseconds:0} ms");
    }
}
