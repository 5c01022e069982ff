using Annotate.Web.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Npgsql;
using Xunit.Sdk;

namespace Annotate.IntegrationTests.LiveSync;

/// <summary>
/// PostgreSQL restarted while two annotators keep writing over real SignalR connections. The app runs on a cluster of
/// this test's own (the suite's shared one stays up): during the outage the hub answers changes with a retryable 503 and
/// REST with 503 problem details and Retry-After, never 500; the clients send again as the page does (same client
/// uuids), and afterwards every client and the database hold the same spans, none lost or doubled.
/// </summary>
public sealed class DatabaseRestartTests : IAsyncLifetime
{
    private const int SpansEach = 40;
    private PrivatePostgres postgres = null!;
    private LiveFactory app = null!;

    public async Task InitializeAsync()
    {
        postgres = await PrivatePostgres.StartAsync();
        app = LiveFactory.With(("ConnectionStrings:Default", postgres.ConnectionString));
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await postgres.DisposeAsync();
    }

    /// <summary>
    /// Sends a change until the server saves or refuses it, as the page's pending edits do: a 503 or 429 answer, or a
    /// call lost with the connection, is sent again. Answers the saved value and how many tries it took.
    /// </summary>
    private static async Task<(JsonElement Value, int Tries)> SaveAsync(LiveClient client, string method, params object?[] args)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        for (var tries = 1; ; tries++)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{method} was not saved within 90 s ({tries} tries).");
            try
            {
                var result = await client.CallAsync(method, args);
                if (result.GetProperty("ok").GetBoolean()) return (result.GetProperty("value"), tries);
                var status = result.GetProperty("status").GetInt32();
                if (status != 503 && status != 429) throw new XunitException($"{method} was refused with {status}: {result.GetProperty("detail")}");
                Assert.StartsWith("Database unavailable", result.GetProperty("detail").GetString());
            }
            catch (Exception error) when (error is not XunitException) { /* not sent: the connection is down */ }
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Two_annotators_writing_through_a_database_restart_end_with_the_same_spans_as_the_database_and_none_lost_or_doubled()
    {
        var lead = await app.PersonAsync("lead");
        var ana = await app.PersonAsync("ana");
        var ben = await app.PersonAsync("ben");
        var text = string.Concat(Enumerable.Repeat("Word word ", SpansEach * 2));
        var (projectId, documents) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator")], text);
        var document = documents[0];

        await using var anaLive = await app.LiveAsync(ana);
        await using var benLive = await app.LiveAsync(ben);
        // A third person's page that is offline through the whole outage and the writing, and comes back after it.
        var leadLive = await app.LiveAsync(lead);
        foreach (var client in new[] { anaLive, benLive, leadLive }) await client.JoinAsync(document);
        await leadLive.Hub.StopAsync();

        var retried = 0;
        async Task WriteAsync(LiveClient client, int offset)
        {
            for (var i = 0; i < SpansEach; i++)
            {
                var start = i * 20 + offset;
                var (_, tries) = await SaveAsync(client, "CreateAnnotation", document, new { id = Guid.NewGuid(), layer = "claim", label = "CLAIM", start, end = start + 4 });
                if (tries > 1) Interlocked.Increment(ref retried);
                await Task.Delay(50);
            }
        }
        var writers = Task.WhenAll(WriteAsync(anaLive, 0), WriteAsync(benLive, 10));

        // Restart the database once both have written some spans and while they keep writing.
        await anaLive.WaitUntilAsync(c => c.Annotations.Count >= 20, 30_000);
        await postgres.StopAsync();
        // While it is down, REST says so in a way a client can retry on.
        var down = await ana.Http.GetAsync($"/api/projects/{projectId}/documents");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(down.Headers.RetryAfter?.Delta);
        var problem = await down.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Database unavailable", problem.GetProperty("title").GetString());
        await Task.Delay(1500); // the writers meet the outage (a stretch of time, not a wait for a result)
        await postgres.StartAgainAsync();
        await writers.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(retried > 0, "some writes met the outage and were sent again");

        var stored = await StoredSpansAsync(document);
        Assert.Equal(2 * SpansEach, stored.Count);
        Assert.Equal(2 * SpansEach, stored.Select(s => s.Start).Distinct().Count());
        Assert.Equal(2 * SpansEach, await CountAsync("SELECT count(*) FROM change_events WHERE kind = 'annotation_created'"));
        foreach (var client in new[] { anaLive, benLive })
        {
            await client.WaitUntilAsync(c => c.Annotations.Count == stored.Count, 30_000);
            Assert.Equal(stored.Select(s => s.Id).Order(), client.Annotations.Keys.Order());
            Assert.Equal(0, client.Applied.Count - client.Applied.Distinct().Count());
        }

        // The page that was away comes back (a new connection) and catches up from the last sequence it applied.
        // A join may meet a connection the restart broke (pooled before it): that refusal says "Database unavailable",
        // and a client sends the join again, as the page does (live.js), until it is accepted.
        await leadLive.Hub.StartAsync();
        var rejoinBy = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try { await leadLive.JoinAsync(document); break; }
            catch (HubException refused) when (refused.Message.Contains(DatabaseOutage.Detail) && DateTime.UtcNow < rejoinBy)
            {
                await Task.Delay(500);
            }
        }
        await leadLive.WaitUntilAsync(c => c.Annotations.Count == stored.Count, 30_000);
        Assert.Equal(stored.Select(s => s.Id).Order(), leadLive.Annotations.Keys.Order());
        await leadLive.DisposeAsync();
    }

    // Reads of the test's own, unpooled: the app in this process shares the pool, whose connections the restart broke.
    private async Task<List<(Guid Id, int Start)>> StoredSpansAsync(long document)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("SELECT id, start FROM annotations WHERE document_id = @d", connection);
        select.Parameters.AddWithValue("d", document);
        await using var reader = await select.ExecuteReaderAsync();
        var spans = new List<(Guid, int)>();
        while (await reader.ReadAsync()) spans.Add((reader.GetGuid(0), reader.GetInt32(1)));
        return spans;
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(sql, connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
