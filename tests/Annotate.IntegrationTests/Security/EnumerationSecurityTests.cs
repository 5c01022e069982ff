using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Annotate.IntegrationTests.Security;

/// <summary>
/// No answer of the account routes tells whether an email has an account: registering a taken email, signing in to
/// an unknown, a real or a locked account answer alike (and, for signing in, in a similar time).
/// </summary>
public partial class EnumerationSecurityTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{

    [GeneratedRegex("<div[^>]*role=\"alert\"[^>]*>(.*?)</div>", RegexOptions.Singleline)]
    private static partial Regex Alert();

    private HttpClient Anonymous() => factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private HttpClient Browser() => factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    [Fact]
    public async Task The_api_answers_registering_a_taken_email_like_a_new_one()
    {
        var taken = await factory.SignUpAsync("taken");

        var again = await Anonymous().PostAsJsonAsync("/api/auth/register", new { email = taken.Email, password = "another long password" });
        var fresh = await Anonymous().PostAsJsonAsync("/api/auth/register", new { email = AnnotateFactory.NewEmail("fresh"), password = "another long password" });

        Assert.Equal(fresh.StatusCode, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(await fresh.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        // The taken account keeps its own password.
        Assert.Equal(HttpStatusCode.OK, (await Anonymous().PostAsJsonAsync("/api/auth/login", new { email = taken.Email, password = AnnotateFactory.Password })).StatusCode);
    }

    [Fact]
    public async Task The_page_answers_registering_a_taken_email_like_a_new_one_and_signs_in_neither()
    {
        var taken = await factory.SignUpAsync("taken");
        async Task<(HttpStatusCode Status, string? Location, bool SignedIn)> RegisterAsync(string email)
        {
            var browser = Browser();
            var response = await PageForms.PostFormAsync(browser, "/account/register", "/account/register", new()
                { ["Email"] = email, ["Password"] = "another long password", ["ConfirmPassword"] = "another long password" });
            var signedIn = response.Headers.TryGetValues("Set-Cookie", out var set) && set.Any(c => c.StartsWith("annotate.auth="));
            return (response.StatusCode, response.Headers.Location?.OriginalString, signedIn);
        }

        var again = await RegisterAsync(taken.Email);
        var fresh = await RegisterAsync(AnnotateFactory.NewEmail("fresh"));

        Assert.Equal(fresh, again);
        Assert.Equal((HttpStatusCode.Redirect, "/account/login", false), again);
    }

    [Fact]
    public async Task A_locked_account_answers_like_an_unknown_one_on_the_api_and_the_page()
    {
        var locked = await factory.SignUpAsync("locked");
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await Anonymous().PostAsJsonAsync("/api/auth/login", new { email = locked.Email, password = "not the password" })).StatusCode);
        var unknown = AnnotateFactory.NewEmail("nobody");

        // Even the right password: the lockout holds, and says nothing of itself.
        var lockedApi = await ApiSignInAsync(locked.Email, AnnotateFactory.Password);
        var unknownApi = await ApiSignInAsync(unknown, AnnotateFactory.Password);
        var lockedPage = await PageSignInAsync(locked.Email, AnnotateFactory.Password);
        var unknownPage = await PageSignInAsync(unknown, AnnotateFactory.Password);

        Assert.Equal(unknownApi, lockedApi);
        Assert.Equal(HttpStatusCode.Unauthorized, lockedApi.Status);
        Assert.Equal(unknownPage, lockedPage);
        Assert.Contains("Email or password is wrong", lockedPage);
    }

    [Fact]
    public async Task Signing_in_answers_a_wrong_password_and_an_unknown_email_alike_in_a_similar_time()
    {
        var real = await factory.SignUpAsync("real");
        var unknown = AnnotateFactory.NewEmail("nobody");
        Assert.Equal(await ApiSignInAsync(unknown, "a wrong password"), await ApiSignInAsync(real.Email, "a wrong password"));
        Assert.Equal(await PageSignInAsync(unknown, "a wrong password"), await PageSignInAsync(real.Email, "a wrong password"));

        // Interleaved, so a burst of load on the machine falls on both; medians, compared loosely (the old code took
        // about 135 ms for a real account and 5 ms for an unknown one: a factor of 27).
        var realTimes = new List<double>();
        var unknownTimes = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            realTimes.Add(await TimeAsync(() => ApiSignInAsync(real.Email, "a wrong password")));
            unknownTimes.Add(await TimeAsync(() => ApiSignInAsync(unknown, "a wrong password")));
            // The right password resets the count of failures, so the real account is never locked (a locked one is timed above).
            await AnnotateFactory.AuthorizeAsync(Anonymous(), real.Email, AnnotateFactory.Password);
        }
        var (realMedian, unknownMedian) = (realTimes.Order().ElementAt(3), unknownTimes.Order().ElementAt(3));
        Assert.True(unknownMedian * 3 > realMedian && realMedian * 3 > unknownMedian,
            $"a real account's failed sign-in took {realMedian:0} ms, an unknown one's {unknownMedian:0} ms");
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed.TotalMilliseconds;
    }

    private async Task<(HttpStatusCode Status, string? Title, string? Detail)> ApiSignInAsync(string email, string password)
    {
        var response = await Anonymous().PostAsJsonAsync("/api/auth/login", new { email, password });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, problem.GetProperty("title").GetString(), problem.GetProperty("detail").GetString());
    }

    /// <summary>The page's status and its error text.</summary>
    private async Task<string> PageSignInAsync(string email, string password)
    {
        var response = await PageForms.PostFormAsync(Browser(), "/account/login", "/account/login", new() { ["Email"] = email, ["Password"] = password });
        var alert = Alert().Match(await response.Content.ReadAsStringAsync());
        return $"{(int)response.StatusCode} {Regex.Replace(alert.Groups[1].Value, "<[^>]+>", " ").Trim()}";
    }

}
