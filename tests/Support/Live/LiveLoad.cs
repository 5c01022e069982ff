using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Annotate.Testing.Live;

/// <summary>
/// What the driver talks to: a hub address, how a reader joins a document, and how a writer makes one create there
/// (answering its status: 200 when it was stored and will be pushed). The app's hub is <see cref="App"/>; a benchmark's
/// bare SignalR hub is another target, driven and counted the same way.
/// </summary>
public sealed record LiveTarget(string HubUrl, Func<HubConnection, long, Task> Join, Func<HubConnection, long, Guid, int, Task<int>> Create)
{
    /// <summary>The app's hub: readers join with JoinDocument, writers call CreateAnnotation (with a note of <paramref name="noteLength"/> characters).</summary>
    public static LiveTarget App(string baseUrl, string token, int noteLength = 0) => new(
        baseUrl.TrimEnd('/') + "/hubs/annotations?access_token=" + Uri.EscapeDataString(token),
        (hub, document) => hub.InvokeAsync<JsonElement>("JoinDocument", document, 0L),
        async (hub, document, id, i) =>
        {
            var note = noteLength > 0 ? new string('n', noteLength) : null;
            var result = await hub.InvokeAsync<JsonElement>("CreateAnnotation", document, new { id, layer = "entity", label = "QUANTITY", start = i, end = i + 1, note });
            return result.GetProperty("ok").GetBoolean() ? 200 : result.GetProperty("status").GetInt32();
        });
}

/// <param name="Rate">Creates a second over all documents, sent on schedule (not after the last answer).</param>
public sealed record LoadPlan(IReadOnlyList<long> Documents, int ReadersPerDocument, int Rate, TimeSpan Duration)
{
    /// <summary>How long deliveries still missing after the last create may take before they count as lost.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(15);
}

/// <summary>Every reader's deliveries together. Expected is each stored create times the readers of its document.</summary>
public sealed record LoadResult(long Sent, long Stored, long Refused, long ServerErrors, long Expected, long Received, long Duplicates, long Disordered,
    int ClosedReaders, double P50Ms, double P99Ms, double MaxMs, int PayloadBytes)
{
    public long Lost => Expected - Received;

    /// <summary>The longest a delivery came after its writer's answer (negative when pushes beat answers).</summary>
    public double MaxAfterAnswerMs { get; init; }

    public override string ToString() =>
        $"{Sent} creates sent, {Stored} stored, {Refused} refused ({ServerErrors} server errors); {Received} of {Expected} deliveries " +
        $"({Lost} lost, {Duplicates} duplicates, {Disordered} out of order, {ClosedReaders} readers closed); p50 {P50Ms:0.0} ms, p99 {P99Ms:0.0} ms, max {MaxMs:0.0} ms, at most {MaxAfterAnswerMs:0.0} ms after the writer's answer";
}

/// <summary>
/// The live load driver, shared by the load tests and the benchmark: real SignalR .NET clients, each on its own
/// WebSocket, <see cref="LoadPlan.ReadersPerDocument"/> on every document, one writer connection per document
/// (as an editor has; the hub runs a connection's calls side by side, so a writer is not capped at one call per round trip), every delivery
/// counted by the create it carries and checked for loss, repeats and order (<see cref="LoadReader"/>).
/// </summary>
public static class LiveLoad
{
    public static async Task<LoadResult> RunAsync(LiveTarget target, LoadPlan plan)
    {
        var sentAt = new ConcurrentDictionary<Guid, long>();
        var answeredAt = new ConcurrentDictionary<Guid, long>();
        var readers = new List<LoadReader>();
        var writers = new List<HubConnection>();
        try
        {
            // Connected a few at a time: hundreds of handshakes at once would measure the connect storm, not the pushes.
            foreach (var batch in plan.Documents.SelectMany(d => Enumerable.Repeat(d, plan.ReadersPerDocument)).Chunk(10))
                readers.AddRange(await Task.WhenAll(batch.Select(async document =>
                {
                    var reader = new LoadReader(Connect(target.HubUrl), document);
                    reader.Listen(sentAt);
                    await reader.Connection.StartAsync();
                    await target.Join(reader.Connection, document);
                    return reader;
                })));
            foreach (var _ in plan.Documents)
            {
                var writer = Connect(target.HubUrl);
                await writer.StartAsync();
                writers.Add(writer);
            }

            var storedByDocument = new ConcurrentDictionary<long, long>();
            long refused = 0, serverErrors = 0;
            var sent = await SendAtRateAsync(plan.Rate, plan.Duration, async i =>
            {
                var slot = i % plan.Documents.Count;
                var document = plan.Documents[slot];
                var id = Guid.NewGuid();
                sentAt[id] = Stopwatch.GetTimestamp();
                int status;
                try { status = await target.Create(writers[slot], document, id, i / plan.Documents.Count); }
                catch (Exception) { status = 500; } // a call the hub failed or dropped counts as a server error
                if (status == 200)
                {
                    answeredAt[id] = Stopwatch.GetTimestamp();
                    storedByDocument.AddOrUpdate(document, 1, (_, n) => n + 1);
                }
                else
                {
                    Interlocked.Increment(ref refused);
                    if (status >= 500) Interlocked.Increment(ref serverErrors);
                }
            });

            var expected = readers.Sum(r => storedByDocument.GetValueOrDefault(r.DocumentId));
            var deadline = Stopwatch.GetTimestamp() + (long)(plan.Drain.TotalSeconds * Stopwatch.Frequency);
            while (readers.Sum(r => (long)r.ReceivedCount) < expected && Stopwatch.GetTimestamp() < deadline)
                await Task.Delay(50);

            var latencies = readers.SelectMany(r => r.Latencies()).ToArray();
            // How long after its writer heard "stored" a push still had to wait: the fan-out's own delay, without the
            // writes' queue (a write backlog delays a create's push from its send, but not from its commit).
            var afterAnswer = readers.SelectMany(r => r.ReceivedAt().Select(d => answeredAt.TryGetValue(d.Id, out var answered)
                ? Stopwatch.GetElapsedTime(answered, d.At).TotalMilliseconds : 0)).DefaultIfEmpty(0).Max();
            return new LoadResult(sent, storedByDocument.Values.Sum(), refused, serverErrors, expected, readers.Sum(r => (long)r.ReceivedCount),
                readers.Sum(r => r.Duplicates), readers.Sum(r => r.Disordered), readers.Count(r => r.Closed),
                Percentile(latencies, 0.5), Percentile(latencies, 0.99), latencies.Length == 0 ? double.NaN : latencies.Max(),
                readers.Select(r => r.PayloadBytes).FirstOrDefault(b => b > 0)) { MaxAfterAnswerMs = afterAnswer };
        }
        finally
        {
            foreach (var connection in readers.Select(r => r.Connection).Concat(writers)) await connection.DisposeAsync();
        }
    }

    /// <summary>Makes <paramref name="send"/>(i) calls at <paramref name="rate"/> a second, each on schedule; answers how many.</summary>
    public static async Task<int> SendAtRateAsync(int rate, TimeSpan duration, Func<int, Task> send)
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

    public static HubConnection Connect(string address) => new HubConnectionBuilder()
        .WithUrl(address, HttpTransportType.WebSockets, options => options.SkipNegotiation = true)
        .Build();

    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1))];
    }
}
