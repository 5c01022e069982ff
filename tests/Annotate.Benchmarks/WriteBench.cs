using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.Testing;
using Annotate.Testing.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Annotate.Benchmarks;

/// <summary>
/// The write path under load: span creates over REST and the hub, each committed with its log entry, by one writer and by 16
/// at once (on one project, whose writers share its counter lock, and on 16), beside PostgreSQL's own single-row
/// INSERT + commit on as many connections in the same run.
/// </summary>
public static class WriteBench
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);
    private const int Writers = 16, SingleWriterRounds = 400;

    public static async Task<List<Figure>> RunAsync(BrowserFixture browser)
    {
        var lead = await AnnotateFactory.SignUpAsync(new HttpClient { BaseAddress = new Uri(browser.BaseUrl) }, "writer");
        var text = string.Concat(Enumerable.Repeat("The Coast Guard said all 212 passengers were rescued. ", 1200)); // 66,000 characters
        var shared = await DocumentAsync(lead, text);
        // The one-writer phases and the warm-ups write on a document of their own: at several thousand creates a second
        // the 16 writers' spans (writer w at w, w + 16, ...) reach any place of the shared ones.
        var single = await DocumentAsync(lead, text);
        var own = new List<long>();
        for (var i = 0; i < Writers; i++) own.Add(await DocumentAsync(lead, text));

        // Where each phase's CPU went, per create: this process (the app and the bench's clients) and PostgreSQL.
        var cpu = await Measure.CpuMeterAsync(await TestDatabase.ConnectionStringAsync());
        var cpuPerCreate = new Dictionary<string, (double Process, double Postgres)>();
        async Task<double> Metered(string phase, Func<Task<(double PerSecond, int Count)>> run)
        {
            var before = cpu?.Invoke();
            var (perSecond, count) = await run();
            if (cpu?.Invoke() is { } after && before is { } start && count > 0)
            {
                cpuPerCreate[phase] = ((after.Process - start.Process) * 1000 / count, (after.Postgres - start.Postgres) * 1000 / count);
                Console.WriteLine($"  cpu per operation, {phase}: {cpuPerCreate[phase].Process:0.000} ms in this process (app and clients), {cpuPerCreate[phase].Postgres:0.000} ms in PostgreSQL");
            }
            return perSecond;
        }

        var rawOne = await RawInsertsAsync(1);
        var rawMany = default((double PerSecond, double P50, double P99, int Count));
        await Metered("raw INSERT + commit, 16 connections", async () => { rawMany = await RawInsertsAsync(Writers); return (rawMany.PerSecond, rawMany.Count); });

        // Warm-up, not measured: run alone, this part would otherwise time the first creates' just-in-time compilation
        // (the editor and live parts that come before it in a full run warm the hub's path, not the REST one).
        for (var i = 0; i < SingleWriterRounds; i++) await RestCreateAsync(lead.Http, single, 60_000 + i);
        await SettleAsync(await DocumentAsync(lead, text));

        // One writer: the latency of a create, request to answer.
        var latencies = new List<double>();
        for (var i = 0; i < SingleWriterRounds; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await RestCreateAsync(lead.Http, single, 20_000 + i);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        var p50 = Figure.Median(latencies);
        var p99 = Figure.Percentile(latencies, 0.99);

        // The same through the hub: one connection per writer, as the editor has.
        var hubs = new List<HubConnection>();
        for (var w = 0; w < Writers; w++)
        {
            var hub = LiveLoad.Connect(browser.BaseUrl + "/hubs/annotations?access_token=" + Uri.EscapeDataString(lead.Token));
            await hub.StartAsync();
            hubs.Add(hub);
        }
        for (var i = 0; i < SingleWriterRounds; i++) await HubCreateAsync(hubs[0], single, 60_000 + i); // warm-up, as above
        var hubLatencies = new List<double>();
        for (var i = 0; i < SingleWriterRounds; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await HubCreateAsync(hubs[0], single, 40_000 + i);
            hubLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        var hubP50 = Figure.Median(hubLatencies);
        var hubP99 = Figure.Percentile(hubLatencies, 0.99);

        // What HTTP alone costs on this machine: the same client and body against an endpoint that only answers 201.
        await using var bare = await BareEndpoint.StartAsync();
        using var bareHttp = new HttpClient { BaseAddress = new Uri(bare.Url) };
        var bareLatencies = new List<double>();
        for (var i = 0; i < SingleWriterRounds; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await RestCreateAsync(bareHttp, 1, i);
            bareLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        var bareMany = await Metered("bare HTTP, 16 writers", () => WritersAsync((w, start) => RestCreateAsync(bareHttp, 1, start)));

        var onOne = await Metered("REST, 16 writers on one project", () => WritersAsync((w, start) => RestCreateAsync(lead.Http, shared, start)));
        var hubOnOne = await Metered("hub, 16 writers on one project", () => WritersAsync((w, start) => HubCreateAsync(hubs[w], shared, start)));
        var onMany = await Metered("REST, 16 writers on 16 projects", () => WritersAsync((w, start) => RestCreateAsync(lead.Http, own[w], start)));
        foreach (var hub in hubs) await hub.DisposeAsync();

        return
        [
            new("REST: one span create, one writer (p50)", p50, "ms", "single-row INSERT + commit, 1 connection (p50)", rawOne.P50, "<= 2 ms", p50 <= 2),
            new("REST: one span create, one writer (p99)", p99, "ms", "single-row INSERT + commit, 1 connection (p99)", rawOne.P99, "<= 10 ms", p99 <= 10),
            new($"REST: {Writers} writers on one project, creates committed with their log entry", onOne, "/s", $"single-row INSERT + commit, {Writers} connections", rawMany.PerSecond,
                ">= 2,000/s and >= 0.25x", onOne >= 2000 && onOne >= 0.25 * rawMany.PerSecond),
            new("hub: one span create, one writer (p50)", hubP50, "ms", "single-row INSERT + commit, 1 connection (p50)", rawOne.P50, "<= 2 ms", hubP50 <= 2),
            new("hub: one span create, one writer (p99)", hubP99, "ms", "single-row INSERT + commit, 1 connection (p99)", rawOne.P99, "<= 10 ms", hubP99 <= 10),
            new($"hub: {Writers} writers on one project, creates committed with their log entry", hubOnOne, "/s", $"single-row INSERT + commit, {Writers} connections", rawMany.PerSecond,
                ">= 2,000/s and >= 0.25x", hubOnOne >= 2000 && hubOnOne >= 0.25 * rawMany.PerSecond),
            new($"REST: {Writers} writers on {Writers} projects", onMany, "/s", $"single-row INSERT + commit, {Writers} connections", rawMany.PerSecond,
                ">= 0.5x", onMany >= 0.5 * rawMany.PerSecond),
            .. CpuFigures(cpuPerCreate),
            new("bare HTTP (context): the same POST, one writer, to an endpoint that only answers 201 (p50)", Figure.Median(bareLatencies), "ms",
                "single-row INSERT + commit, 1 connection (p50)", rawOne.P50, "context", null),
            new($"bare HTTP (context): {Writers} writers, the same POSTs to an endpoint that only answers 201", bareMany, "/s",
                $"single-row INSERT + commit, {Writers} connections", rawMany.PerSecond, "context", null),
        ];
    }

    /// <summary>
    /// Context beside the rates: the CPU one create cost, in PostgreSQL (beside one raw INSERT + commit's) and in this
    /// process (the app with the bench's clients, beside one bare POST's). On a machine whose cores are all busy, these
    /// say which side a faster rate has to come from.
    /// </summary>
    private static IEnumerable<Figure> CpuFigures(Dictionary<string, (double Process, double Postgres)> cpu)
    {
        if (!cpu.TryGetValue("raw INSERT + commit, 16 connections", out var raw) || !cpu.TryGetValue("bare HTTP, 16 writers", out var bare)) yield break;
        foreach (var phase in new[] { "REST, 16 writers on one project", "hub, 16 writers on one project", "REST, 16 writers on 16 projects" })
        {
            if (!cpu.TryGetValue(phase, out var spent)) continue;
            yield return new($"CPU in PostgreSQL per create (context), {phase}", spent.Postgres, "ms", "PostgreSQL's CPU per raw INSERT + commit, 16 connections", raw.Postgres, "context", null);
            yield return new($"CPU in the app and the bench's clients per create (context), {phase}", spent.Process, "ms", "the same per bare POST (16 writers)", bare.Process, "context", null);
        }
    }

    /// <summary>Creates per second with <see cref="Writers"/> concurrent writers for <see cref="Window"/>; every answer must be a 201.</summary>
    private static async Task<(double PerSecond, int Count)> WritersAsync(Func<int, int, Task> create)
    {
        var count = 0;
        var deadline = Stopwatch.GetTimestamp() + (long)(Window.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(async w =>
        {
            // Writer w marks characters w, w + 16, w + 32, ...: never the same span twice.
            for (var i = 0; Stopwatch.GetTimestamp() < deadline; i++)
            {
                await create(w, w + Writers * i);
                Interlocked.Increment(ref count);
            }
        }));
        return (count / Stopwatch.GetElapsedTime(started).TotalSeconds, count);
    }

    /// <summary>One create over REST; anything but a 201 stops the benchmark.</summary>
    private static async Task RestCreateAsync(HttpClient http, long documentId, int start)
    {
        var response = await http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", new { layer = "entity", label = "QUANTITY", start, end = start + 1 });
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"a create answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>One create through the hub, as a DATE (so its spans never repeat a REST create's); a refusal stops the benchmark.</summary>
    private static async Task HubCreateAsync(HubConnection hub, long documentId, int start)
    {
        var answer = await hub.InvokeAsync<JsonElement>("CreateAnnotation", documentId, new { id = Guid.NewGuid(), layer = "entity", label = "DATE", start, end = start + 1 });
        if (!answer.GetProperty("ok").GetBoolean()) throw new InvalidOperationException($"a hub create was refused: {answer.GetRawText()}");
    }

    private static async Task<long> DocumentAsync(SignedInClient lead, string text)
    {
        var projectId = await lead.ProjectAsync("Write bench " + Guid.NewGuid().ToString("N")[..6]);
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "files", "bench.txt" } };
        var created = await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        return created.GetProperty("created")[0].GetProperty("id").GetInt64();
    }

    /// <summary>
    /// Kestrel in this process with one route that reads the create's JSON and answers 201 with a small JSON body: no
    /// authentication, no database. What the app's REST figures cannot go below with this client on this machine.
    /// </summary>
    private sealed class BareEndpoint(WebApplication app) : IAsyncDisposable
    {
        public string Url => app.Urls.First();

        public static async Task<BareEndpoint> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.MapPost("/api/documents/{id:long}/annotations", (long id, JsonElement body) =>
                Results.Json(new { id = Guid.NewGuid(), documentId = id, start = body.GetProperty("start").GetInt32() }, statusCode: 201));
            await app.StartAsync();
            return new BareEndpoint(app);
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>
    /// Makes the database one a team has worked in for a while: 20,000 earlier spans (on a document of their own, in a
    /// project of its own), and the tables analyzed, as a running server's autovacuum analyzes a table as it grows. A fresh
    /// database is not that: the app plans each write statement once per connection (ChangeLog), and a plan made while a
    /// table holds a few hundred rows reads the whole table (right for a few hundred rows) until an ANALYZE replaces it.
    /// In a part of a few minutes on a new database the autovacuum may not come at all: measured so, the creates' look-up
    /// of earlier spans read every span of the table in every batch (1 to 3.5 ms of PostgreSQL's time, growing as it ran).
    /// </summary>
    private static async Task SettleAsync(long history)
    {
        await TestDatabase.SeedSpansAsync(history, 20_000, spacing: 3);
        await using var connection = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using var analyze = new NpgsqlCommand("ANALYZE annotations, change_events, document_states, project_sequences, documents, projects, project_members", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>PostgreSQL alone: single-row INSERTs, each its own commit, on <paramref name="connections"/> connections.</summary>
    private static async Task<(double PerSecond, double P50, double P99, int Count)> RawInsertsAsync(int connections)
    {
        var connectionString = await TestDatabase.ConnectionStringAsync();
        await using (var setup = new NpgsqlConnection(connectionString))
        {
            await setup.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS bench_raw_inserts (id bigserial PRIMARY KEY, payload text NOT NULL)", setup);
            await create.ExecuteNonQueryAsync();
        }
        var latencies = new List<double>();
        var count = 0;
        var deadline = Stopwatch.GetTimestamp() + (long)(Window.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("INSERT INTO bench_raw_inserts (payload) VALUES ($1)", connection) { Parameters = { new() { Value = "QUANTITY 212" } } };
            await insert.PrepareAsync();
            var mine = new List<double>();
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var one = Stopwatch.GetTimestamp();
                await insert.ExecuteNonQueryAsync();
                mine.Add(Stopwatch.GetElapsedTime(one).TotalMilliseconds);
                Interlocked.Increment(ref count);
            }
            lock (latencies) latencies.AddRange(mine);
        }));
        return (count / Stopwatch.GetElapsedTime(started).TotalSeconds, Figure.Median(latencies), Figure.Percentile(latencies, 0.99), count);
    }
}
