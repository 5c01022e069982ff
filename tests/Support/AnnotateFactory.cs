using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Annotate.Testing;

/// <summary>The real app (same Program, same middleware) on the test database. Settings can be overridden per fixture.</summary>
public class AnnotateFactory : WebApplicationFactory<Program>
{
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Default", TestDatabase.ConnectionStringAsync().GetAwaiter().GetResult());
        // Test output shows failures, not request logs.
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Error");
        builder.UseSetting("Exports:Folder", ExportsFolder);
        foreach (var (key, value) in FastJobs) builder.UseSetting(key, value);
        foreach (var (key, value) in UnlimitedRates) builder.UseSetting(key, value);
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
    }

    /// <summary>
    /// Hangfire in seconds, not its production minutes: its storage is the schema "hangfire" of this process's own
    /// database (so every app host of the process shares it, as nodes do), polled often, with a short invisibility
    /// timeout (a crashed node's job comes back within seconds) and a quick stop. Few workers: many hosts share two cores.
    /// </summary>
    /// <summary>
    /// Every test client comes from loopback, so the per-address limits would count the whole suite as one
    /// client. Only the limiter's own tests (RateLimitSecurityTests) bring the real limits back, by Settings.
    /// </summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string?>> UnlimitedRates =
    [
        new("RateLimits:SignInsPerMinute", "1000000"), new("RateLimits:RegistrationsPerHour", "1000000"),
        new("RateLimits:WritesPerSecond", "1000000"), new("RateLimits:WriteBurst", "1000000"),
        new("RateLimits:MemberAddsPerHour", "1000000"),
    ];

    public static readonly IReadOnlyList<KeyValuePair<string, string?>> FastJobs =
    [
        new("Jobs:QueuePollSeconds", "1"), new("Jobs:SchedulePollSeconds", "1"), new("Jobs:InvisibilitySeconds", "6"),
        new("Jobs:CancellationCheckSeconds", "1"), new("Jobs:ShutdownSeconds", "5"), new("Jobs:Workers", "2"),
    ];

    /// <summary>Where this test process's exports are written.</summary>
    public static readonly string ExportsFolder = Path.Combine(Path.GetTempPath(), $"annotate-test-exports-{Environment.ProcessId}");

    public static string NewEmail(string who = "user") => $"{who}-{Guid.NewGuid():N}@test.example";

    public const string Password = "correct horse battery";

    /// <summary>Signs up through the API and returns a client that sends that account's bearer token.</summary>
    public Task<SignedInClient> SignUpAsync(string who = "user") =>
        SignUpAsync(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }), who);

    /// <summary>Signs up with the given client (e.g. one aimed at a real Kestrel port) and makes it send the token.</summary>
    public static async Task<SignedInClient> SignUpAsync(HttpClient client, string who)
    {
        var email = NewEmail(who);
        var register = await client.PostAsJsonAsync("/api/auth/register", new { email, password = Password });
        register.EnsureSuccessStatusCode();
        var token = await AuthorizeAsync(client, email, Password);
        return new SignedInClient(client, email, token);
    }

    public static async Task<string> AuthorizeAsync(HttpClient client, string email, string password)
    {
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return token;
    }

    private record TokenResponse(string AccessToken);
}

public record SignedInClient(HttpClient Http, string Email, string Token);

/// <summary>The app with settings of its own (e.g. another database, Jobs:Run=false).</summary>
public class ConfiguredFactory(IEnumerable<KeyValuePair<string, string?>> settings) : AnnotateFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => settings;
}
