using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Annotate.IntegrationTests.LiveSync;
using Annotate.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Benchmarks;

/// <summary>
/// Live sync over real sockets: an edit's round trip through the hub (validate, write with its log entry,
/// commit) and the delay until another client has it, against a bare WebSocket echo on the same machine.
/// </summary>
public static class LiveSyncBench
{
    private const int Rounds = 300;

    public static async Task<List<Figure>> RunAsync(BrowserFixture browser)
    {
        Console.WriteLine("live sync: hub round trips vs a raw WebSocket echo");
        var echo = await RawEchoAsync();

        var http = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        var writerPerson = await AnnotateFactory.SignUpAsync(http, "writer");
        var watcherPerson = await AnnotateFactory.SignUpAsync(new HttpClient { BaseAddress = new Uri(browser.BaseUrl) }, "watcher");
        var projectId = await writerPerson.ProjectAsync("Bench live");
        (await writerPerson.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = watcherPerson.Email, role = "annotator" })).EnsureSuccessStatusCode();
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("The ferry was carrying 212 passengers. ", 200)))), "files", "live.txt" } };
        var documentId = (await (await writerPerson.Http.PostAsync($"/api/projects/{projectId}/documents", form)).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("created")[0].GetProperty("id").GetInt64();

        await using var writer = await LiveClient.ConnectAsync(browser.BaseUrl, writerPerson.Token);
        await using var watcher = await LiveClient.ConnectAsync(browser.BaseUrl, watcherPerson.Token);
        await writer.JoinAsync(documentId);
        await watcher.JoinAsync(documentId);

        var roundTrips = new List<double>();
        var delivered = new List<double>();
        for (var i = 0; i < Rounds; i++)
        {
            var start = (i * 7) % 7000;
            var clock = Stopwatch.StartNew();
            var result = await writer.CallAsync("CreateAnnotation", documentId, new { id = Guid.NewGuid(), layer = "entity", label = "QUANTITY", start, end = start + 3 });
            roundTrips.Add(clock.Elapsed.TotalMilliseconds);
            var id = result.GetProperty("value").GetProperty("id").GetGuid();
            await watcher.WaitUntilAsync(c => c.Annotations.ContainsKey(id));
            delivered.Add(clock.Elapsed.TotalMilliseconds);
        }
        var hubMedian = Figure.Median(roundTrips);
        var deliveredMedian = Figure.Median(delivered);
        var deliveredP95 = Figure.Percentile(delivered, 0.95);
        return
        [
            new("hub: create a span, round trip (median of 300)", hubMedian, "ms", "raw WebSocket echo round trip", Figure.Median(echo), "< 20 ms", hubMedian < 20),
            new("hub: create a span until another client has it (median)", deliveredMedian, "ms", "raw WebSocket echo round trip", Figure.Median(echo), "< 50 ms", deliveredMedian < 50),
            new("hub: create a span until another client has it (p95)", deliveredP95, "ms", "raw WebSocket echo round trip (p95)", Figure.Percentile(echo, 0.95), "< 100 ms", deliveredP95 < 100),
        ];
    }

    /// <summary>A bare Kestrel WebSocket echo: the least a round trip over a local socket can cost.</summary>
    private static async Task<List<double>> RawEchoAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.UseWebSockets();
        app.Map("/echo", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[4096];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    break;
                }
                await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Text, true, CancellationToken.None);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri(address.Replace("http://", "ws://") + "/echo"), CancellationToken.None);
        var message = Encoding.UTF8.GetBytes("{\"type\":1,\"target\":\"CreateAnnotation\",\"arguments\":[1,{\"layer\":\"entity\",\"label\":\"QUANTITY\",\"start\":1,\"end\":4}]}\u001e");
        var reply = new byte[4096];
        var times = new List<double>();
        for (var i = 0; i < Rounds; i++)
        {
            var clock = Stopwatch.StartNew();
            await client.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
            await client.ReceiveAsync(reply, CancellationToken.None);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await app.StopAsync();
        return times;
    }
}
