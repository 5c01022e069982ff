using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.Testing;
using Annotate.Testing.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Annotate.Benchmarks;

/// <summary>
/// Live fan-out under load, through the shared driver (<see cref="LiveLoad"/>: real SignalR clients, one monotonic clock,
/// every delivery counted by sequence): many readers on one article, then many clients over many articles. Each figure
/// stands beside a bare SignalR hub in this process sending payloads of the same size to groups of as many clients at
/// the same rate, driven and counted the same way: the ratio is what the app adds to SignalR itself.
/// </summary>
public static class LiveLoadBench
{
    public static async Task<List<Figure>> RunAsync(BrowserFixture browser, bool quick)
    {
        var lead = await AnnotateFactory.SignUpAsync(new HttpClient { BaseAddress = new Uri(browser.BaseUrl) }, "fanout");
        await using var bare = await BareHub.StartAsync();
        var figures = new List<Figure>();

        var (readers, rate, seconds) = quick ? (20, 100, 5) : (50, 200, 30);
        figures.AddRange(await CompareAsync(lead, browser.BaseUrl, bare, $"{readers} readers on one article, {rate} creates/s for {seconds} s",
            articles: 1, readersPerArticle: readers, rate, seconds, p50Target: 5, p99Target: 25));

        var (articles, perArticle, scaleRate, scaleSeconds) = quick ? (10, 10, 100, 10) : (20, 10, 500, 60);
        figures.AddRange(await CompareAsync(lead, browser.BaseUrl, bare, $"{articles * perArticle} clients over {articles} articles, {scaleRate} creates/s for {scaleSeconds} s",
            articles, perArticle, scaleRate, scaleSeconds, p50Target: null, p99Target: 50));
        return figures;
    }

    private static async Task<List<Figure>> CompareAsync(SignedInClient lead, string baseUrl, BareHub bare, string name,
        int articles, int readersPerArticle, int rate, int seconds, double? p50Target, double p99Target)
    {
        Console.WriteLine($"live load: {name}");
        var documents = await ArticlesAsync(lead, articles);
        var plan = new LoadPlan(documents, readersPerArticle, rate, TimeSpan.FromSeconds(seconds));
        var app = await LiveLoad.RunAsync(LiveTarget.App(baseUrl, lead.Token), plan);
        Console.WriteLine($"  app:  {app}");
        var raw = await LiveLoad.RunAsync(bare.Target(app.PayloadBytes), plan);
        Console.WriteLine($"  bare: {raw}");
        var faults = app.Lost + app.Duplicates + app.Disordered + app.ServerErrors;
        var figures = new List<Figure>();
        if (p50Target is { } p50)
            figures.Add(new($"live: {name}, create to receive (p50)", app.P50Ms, "ms", "bare SignalR hub, same clients, rate and payload (p50)", raw.P50Ms, $"<= {p50} ms", app.P50Ms <= p50));
        figures.Add(new($"live: {name}, create to receive (p99)", app.P99Ms, "ms", "bare SignalR hub (p99)", raw.P99Ms, $"<= {p99Target} ms", app.P99Ms <= p99Target));
        figures.Add(new($"live: {name}, deliveries lost, repeated or out of order, and server errors", faults, "", "bare SignalR hub",
            raw.Lost + raw.Duplicates + raw.Disordered + raw.ServerErrors, "0", faults == 0, Comparable: false));
        return figures;
    }

    /// <summary>A project of <paramref name="count"/> articles of about 66,000 characters each.</summary>
    private static async Task<long[]> ArticlesAsync(SignedInClient lead, int count)
    {
        var projectId = await lead.ProjectAsync("Fan-out " + Guid.NewGuid().ToString("N")[..6]);
        var text = string.Concat(Enumerable.Repeat("The Coast Guard said all 212 passengers were rescued. ", 1200));
        // Each its own text: an import keeps one copy of identical articles (the second is reported as a duplicate).
        return await lead.DocumentsAsync(projectId, [.. Enumerable.Range(0, count).Select(i => ($"fanout-{i}.txt", $"{text}Article {i}."))]);
    }

    /// <summary>The baseline: SignalR alone in this process, a hub that sends what it is given to a document's group.</summary>
    private sealed class BareHub(WebApplication app) : IAsyncDisposable
    {
        public static async Task<BareHub> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Services.AddSignalR(hub => hub.MaximumReceiveMessageSize = 1024 * 1024);
            var app = builder.Build();
            app.MapHub<RelayHub>("/relay");
            await app.StartAsync();
            return new BareHub(app);
        }

        /// <summary>Events shaped like the app's (sequence, kind, subject id), padded to <paramref name="payloadBytes"/>, numbered per document in send order.</summary>
        public LiveTarget Target(int payloadBytes)
        {
            var sequences = new ConcurrentDictionary<long, long>();
            var padding = new string('x', Math.Max(payloadBytes - 120, 10));
            return new LiveTarget(app.Urls.First() + "/relay",
                (hub, document) => hub.InvokeAsync("Join", document),
                async (hub, document, id, _) =>
                {
                    var sequence = sequences.AddOrUpdate(document, 1, (_, n) => n + 1);
                    await hub.InvokeAsync("Send", document, new { sequence, kind = "annotation_created", subjectId = id, data = new { padding } });
                    return 200;
                });
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>What SignalR does by itself: a group per document, every message sent on to it.</summary>
    public sealed class RelayHub : Hub
    {
        public Task Join(long document) => Groups.AddToGroupAsync(Context.ConnectionId, $"doc:{document}");

        public Task Send(long document, JsonElement change) => Clients.Group($"doc:{document}").SendAsync("Changed", change);
    }
}
