using System.Net.Sockets;
using System.Net.WebSockets;
using Annotate.Web.Infrastructure;

namespace Annotate.IntegrationTests.LiveSync;

/// <summary>
/// A reader that stops reading (a stalled tab, a phone in a tunnel) must not hold back anyone else's pushes: each
/// connection has its own bounded send queue, and one that overflows is closed so its client reconnects and catches
/// up from the log. Before that design the broadcaster awaited every recipient's write in turn, so once the stalled
/// socket's buffers were full every document on the node stopped receiving.
/// </summary>
public class StalledReaderTests
{
    /// <summary>Enough pushes of a large note to fill every buffer between the app and a reader that does not read.</summary>
    private const int Writes = 640;
    private const int WritersAtOnce = 8;

    [Fact]
    public async Task A_reader_that_stops_reading_is_cut_off_and_holds_back_no_one_else()
    {
        await using var app = LiveFactory.With(("Live:SendQueueLength", "16"));
        var lead = await app.PersonAsync("stall");
        var text = string.Join(' ', Enumerable.Range(0, Writes).Select(i => $"w{i:0000}"));
        var (_, documents) = await LiveFactory.ProjectAsync(lead, "open", [], text);
        var document = documents[0];

        // A tiny receive window, set before connecting so the window the server sees is small from the start: the
        // kernel's buffers then fill after a few megabytes at most and the server's writes to this socket block.
        using var smallWindow = new HttpMessageInvoker(new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancel) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 4096 };
                try { await socket.ConnectAsync(context.DnsEndPoint, cancel); }
                catch { socket.Dispose(); throw; }
                return new NetworkStream(socket, ownsSocket: true);
            },
        });
        using var stalled = await RawHubConnection.ConnectAsync(app.BaseUrl, "?access_token=" + Uri.EscapeDataString(lead.Token), _ => { }, smallWindow);
        await stalled.InvokeAsync("JoinDocument", $"[{document},0]");
        // From here on the stalled connection reads nothing until the writes are over. It still sends SignalR's
        // pings, as a stalled tab's client would, so the server's client timeout cannot be what ends it.
        using var writesOver = new CancellationTokenSource();
        var pings = Task.Run(async () =>
        {
            while (!writesOver.IsCancellationRequested)
            {
                try { await stalled.SendAsync("""{"type":6}"""); await Task.Delay(2000, writesOver.Token); }
                catch (Exception) { return; } // cut off, or the writes are over
            }
        });

        await using var reader = await app.LiveAsync(lead);
        await reader.JoinAsync(document);
        await using var writer = await app.LiveAsync(lead);
        var note = new string('n', Limits.NoteMax); // about 10 KB a push: 640 of them are more than the buffers hold

        for (var first = 0; first < Writes; first += WritersAtOnce)
        {
            var made = await Task.WhenAll(Enumerable.Range(first, WritersAtOnce).Select(i => writer.CallAsync("CreateAnnotation", document,
                new { id = Guid.NewGuid(), layer = "claim", label = "CLAIM", start = i * 6, end = i * 6 + 5, note })));
            Assert.All(made, m => Assert.True(m.GetProperty("ok").GetBoolean(), m.ToString()));
            var ids = made.Select(m => m.GetProperty("value").GetProperty("id").GetGuid()).ToArray();
            // The healthy reader keeps up round by round: with a broadcaster held back by the stalled socket it would
            // stop receiving altogether once that socket's buffers were full.
            await reader.WaitUntilAsync(r => ids.All(r.Annotations.ContainsKey), timeoutMs: 15_000);
        }

        await writesOver.CancelAsync();
        await pings;
        Assert.Equal(Writes, reader.Annotations.Count);
        Assert.Equal(0, reader.SkippedRepeats);
        Assert.Equal(reader.Applied.Order(), reader.Applied);

        // The stalled connection was cut once its queue overflowed: reading now, it finds the end before the last push
        // (with a queue long enough for every push it reads all of them, so the buffers alone did not end it).
        var pushesBeforeTheEnd = 0;
        try
        {
            while (await stalled.ReceiveAsync() is { } message)
                if (message.GetProperty("type").GetInt32() == 1 && message.GetProperty("target").GetString() == "Changed") pushesBeforeTheEnd++;
        }
        catch (WebSocketException) { } // the server aborted the socket rather than closing it politely: an end too
        Assert.True(pushesBeforeTheEnd < Writes, $"the stalled reader was never cut off: it read all {pushesBeforeTheEnd} pushes");
    }
}
