using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Annotate.Benchmarks;

/// <summary>
/// Live fan-out under load: many readers on one article, a writer creating spans at a fixed rate, each delivery timed
/// from its create on one monotonic clock and counted by sequence (lost, repeated or out of order). The baseline is a
/// bare SignalR hub in this process sending payloads of the same size to a group of as many clients at the same rate:
/// the figure shows what the app adds to SignalR itself. The driver (<see cref="RunAsync(string, string, long, int, int, TimeSpan)"/>)
/// is the one a short load test can reuse.
/// </summary>
public static class LiveLoadBench
{
    public static async Task<List<Figure>> RunAsync(BrowserFixture browser, bool quick)
    {
        var (readers, rate, duration) = quick ? (20, 100, TimeSpan.FromSeconds(5)) : (50, 200, TimeSpan.FromSeconds(30));
        var lead = await AnnotateFactory.SignUpAsync(new HttpClient { BaseAddress = new Uri(browser.BaseUrl) }, "fanout");
        var project = await (await lead.Http.PostAsJsonAsync("/api/projects", new { name = "Fan-out " + Guid.NewGuid().ToString("N")[..6] }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var text = string.Concat(Enumerable.Repeat("The Coast Guard said all 212 passengers were rescued. ", 1200));
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "files", "fanout.txt" } };
        var document = (await (await lead.Http.PostAsync($"/api/projects/{project.GetProperty("id").GetInt64()}/documents", form))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created")[0].GetProperty("id").GetInt64();

        var app = await RunAsync(browser.BaseUrl, lead.Token, document, readers, rate, duration);
        var bare = await BareHubAsync(readers, rate, duration, payloadBytes: app.PayloadBytes);
        var name = $"{readers} readers on one article, {rate} creates/s for {duration.TotalSeconds:0} s";
        return
        [
            new($"live: {name}, create to receive (p50)", app.P50, "ms", "bare SignalR hub, same clients, rate and payload (p50)", bare.P50, "<= 5 ms", app.P50 <= 5),
            new($"live: {name}, create to receive (p99)", app.P99, "ms", "bare SignalR hub (p99)", bare.P99, "<= 25 ms", app.P99 <= 25),
            new($"live: {name}, deliveries lost, repeated or out of order", app.Lost + app.Disordered, "", "bare SignalR hub", bare.Lost + bare.Disordered,
                "0", app.Lost + app.Disordered == 0, Comparable: false),
        ];
    }

    public record LoadResult(double P50, double P99, long Lost, long Disordered, int PayloadBytes);

    /// <summary>
    /// The driver: <paramref name="readers"/> hub clients join <paramref name="documentId"/>; one more creates spans at
    /// <paramref name="rate"/> a second (sent on schedule, not one after another) for <paramref name="duration"/>. Every
    /// reader must receive every create once, in sequence order.
    /// </summary>
    public static async Task<LoadResult> RunAsync(string baseUrl, string token, long documentId, int readers, int rate, TimeSpan duration)
    {
        var sentAt = new ConcurrentDictionary<Guid, long>();
        var latencies = new ConcurrentBag<double>();
        long disordered = 0, received = 0, payloadBytes = 0;
        var clients = new List<HubConnection>();
        for (var r = 0; r < readers; r++)
        {
            var client = Connect(baseUrl + "/hubs/annotations?access_token=" + Uri.EscapeDataString(token));
            long last = 0;
            client.On<JsonElement>("Changed", change =>
            {
                var now = Stopwatch.GetTimestamp();
                var sequence = change.GetProperty("sequence").GetInt64();
                if (sequence <= Interlocked.Read(ref last)) { Interlocked.Increment(ref disordered); return; }
                Interlocked.Exchange(ref last, sequence);
                if (change.GetProperty("kind").GetString() != "annotation_created") return;
                Interlocked.CompareExchange(ref payloadBytes, change.GetRawText().Length, 0);
                if (change.TryGetProperty("subjectId", out var subject) && sentAt.TryGetValue(subject.GetGuid(), out var sent))
                {
                    latencies.Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
                    Interlocked.Increment(ref received);
                }
            });
            await client.StartAsync();
            await client.InvokeAsync<JsonElement>("JoinDocument", documentId, 0L);
            clients.Add(client);
        }
        await using var writer = Connect(baseUrl + "/hubs/annotations?access_token=" + Uri.EscapeDataString(token));
        await writer.StartAsync();

        var total = await SendAtRateAsync(rate, duration, i =>
        {
            var id = Guid.NewGuid();
            sentAt[id] = Stopwatch.GetTimestamp();
            return writer.InvokeAsync<JsonElement>("CreateAnnotation", documentId, new { id, layer = "entity", label = "QUANTITY", start = i, end = i + 1 });
        });
        var expected = (long)total * readers;
        await AwaitDeliveriesAsync(() => Interlocked.Read(ref received) >= expected, clients);
        return new LoadResult(Figure.Median(latencies), Figure.Percentile(latencies, 0.99), expected - Interlocked.Read(ref received),
            Interlocked.Read(ref disordered), (int)Interlocked.Read(ref payloadBytes));
    }

    /// <summary>Makes <paramref name="send"/>(i) calls at <paramref name="rate"/> a second, each on schedule (not after the last answer); the count.</summary>
    private static async Task<int> SendAtRateAsync(int rate, TimeSpan duration, Func<int, Task> send)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var started = Stopwatch.GetTimestamp();
        var calls = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var due = started + (long)(i * Stopwatch.Frequency / (double)rate);
            while (Stopwatch.GetTimestamp() < due) await Task.Delay(1);
            calls.Add(send(i));
        }
        await Task.WhenAll(calls);
        return total;
    }

    /// <summary>Waits up to ten seconds for every delivery (what is still missing then counts as lost), then closes the readers.</summary>
    private static async Task AwaitDeliveriesAsync(Func<bool> allDelivered, List<HubConnection> clients)
    {
        var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        while (!allDelivered() && Stopwatch.GetTimestamp() < deadline) await Task.Delay(50);
        foreach (var client in clients) await client.DisposeAsync();
    }

    internal static HubConnection Connect(string address) => new HubConnectionBuilder()
        .WithUrl(address, HttpTransportType.WebSockets, options => options.SkipNegotiation = true)
        .Build();

    /// <summary>The baseline: SignalR alone, a hub that sends what it is given to a group, in this process.</summary>
    private static async Task<LoadResult> BareHubAsync(int readers, int rate, TimeSpan duration, int payloadBytes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSignalR(hub => hub.MaximumReceiveMessageSize = 1024 * 1024);
        await using var app = builder.Build();
        app.MapHub<RelayHub>("/relay");
        await app.StartAsync();
        var address = app.Urls.First();

        var latencies = new ConcurrentBag<double>();
        long received = 0, disordered = 0;
        var clients = new List<HubConnection>();
        for (var r = 0; r < readers; r++)
        {
            var client = Connect(address + "/relay");
            long last = 0;
            client.On<long, long, string>("Changed", (sequence, sent, _) =>
            {
                var now = Stopwatch.GetTimestamp();
                if (sequence <= Interlocked.Read(ref last)) { Interlocked.Increment(ref disordered); return; }
                Interlocked.Exchange(ref last, sequence);
                latencies.Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
                Interlocked.Increment(ref received);
            });
            await client.StartAsync();
            await client.InvokeAsync("Join");
            clients.Add(client);
        }
        await using var writer = Connect(address + "/relay");
        await writer.StartAsync();
        var payload = new string('x', Math.Max(payloadBytes, 100));
        var total = await SendAtRateAsync(rate, duration, i => writer.InvokeAsync("Send", i + 1L, Stopwatch.GetTimestamp(), payload));
        var expected = (long)total * readers;
        await AwaitDeliveriesAsync(() => Interlocked.Read(ref received) >= expected, clients);
        await app.StopAsync();
        return new LoadResult(Figure.Median(latencies), Figure.Percentile(latencies, 0.99), expected - Interlocked.Read(ref received), Interlocked.Read(ref disordered), payloadBytes);
    }

    /// <summary>What SignalR does by itself: one group, every message sent on to it.</summary>
    public sealed class RelayHub : Hub
    {
        public Task Join() => Groups.AddToGroupAsync(Context.ConnectionId, "readers");

        public Task Send(long sequence, long sentAt, string payload) => Clients.Group("readers").SendAsync("Changed", sequence, sentAt, payload);
    }
}
