namespace Annotate.IntegrationTests.LiveSync;

/// <summary>
/// A client offline for a minute catches up. The minute is the app's own clock (its TimeProvider, which stamps every
/// change-log entry), replaced by one the test moves, so no test waits a real minute. The catch-up itself is by
/// sequence, not by time: the client rejoins after the last sequence it applied and must end with exactly what the
/// database holds, each change applied once and in order, like a client that never left.
/// </summary>
public sealed class OfflineCatchUpTests : IAsyncLifetime
{
    private readonly ManualClock clock = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly LiveFactory node;

    public OfflineCatchUpTests() => node = LiveFactory.WithServices(services => services.AddSingleton<TimeProvider>(clock));

    private const string Text = "Harbour officials said around 180 passengers were aboard the ferry when the fire began near the galley.";

    [Fact]
    public async Task A_client_offline_for_a_minute_rejoins_with_exactly_the_database_state_each_change_applied_once_in_order()
    {
        var lead = await node.PersonAsync("lead");
        var ana = await node.PersonAsync("ana");
        var ben = await node.PersonAsync("ben");
        var (projectId, docs) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator")], Text);
        var doc = docs[0];
        await using var anaLive = await node.LiveAsync(ana);
        await using var benLive = await node.LiveAsync(ben);
        await anaLive.JoinAsync(doc);
        await benLive.JoinAsync(doc);

        var first = await ben.SpanAsync(doc, "claim", "CLAIM", 0, 17);
        await anaLive.WaitUntilAsync(c => c.Annotations.ContainsKey(first.Id));

        // Offline: the connection is closed, as a laptop lid or a dropped network closes it.
        await anaLive.Hub.StopAsync();
        var offlineFrom = clock.GetUtcNow();

        // A minute of other people's work, a change every five seconds of the app's clock.
        Guid second = Guid.Empty, third = Guid.Empty, fourth = Guid.Empty, link = Guid.Empty;
        var steps = new List<Func<Task>>
        {
            async () => second = (await ben.SpanAsync(doc, "claim", "CLAIM", 18, 44)).Id,
            async () => third = (await lead.SpanAsync(doc, "entity", "ORGANIZATION", 0, 7)).Id,
            async () => await Ok(ben.Http.PatchAsJsonAsync($"/api/annotations/{first.Id}", new { note = "officials, not police", version = 1 })),
            async () => link = (await ben.LinkAsync(projectId, "contradicts", first.Id, second)).Id,
            async () => fourth = (await lead.SpanAsync(doc, "entity", "ORGANIZATION", 61, 66)).Id,
            async () => await Ok(lead.Http.DeleteAsync($"/api/annotations/{fourth}?version=1")),
            async () => await Ok(ben.Http.PatchAsJsonAsync($"/api/annotations/{second}", new { note = "the count", version = 1 })),
            async () => await Ok(ben.Http.DeleteAsync($"/api/relations/{link}?version=1")),
            async () => await ben.LinkAsync(projectId, "supports", second, first.Id),
            async () => await Ok(lead.Http.PatchAsJsonAsync($"/api/annotations/{third}", new { note = "the port authority", version = 1 })),
            async () => await ben.SpanAsync(doc, "claim", "CLAIM", 76, 102),
            async () => await Ok(ben.Http.PatchAsJsonAsync($"/api/annotations/{first.Id}", new { note = "officials, not the police", version = 2 })),
        };
        foreach (var step in steps)
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            await step();
        }
        var log = (await ana.Http.GetFromJsonAsync<List<JsonElement>>($"/api/projects/{projectId}/events?after=0&document={doc}"))!;
        var lastSequence = log.Max(e => e.GetProperty("sequence").GetInt64());
        await benLive.WaitForAsync(lastSequence);
        Assert.True(anaLive.LastSequence < lastSequence, "the offline client must not have heard of the minute's changes");

        // Back online: the client starts again and rejoins after the last sequence it applied, as the page does.
        await anaLive.Hub.StartAsync();
        var rejoined = await anaLive.JoinAsync(doc);
        await anaLive.WaitForAsync(lastSequence);

        // Exactly the database's state...
        var spans = await ana.Http.GetFromJsonAsync<List<JsonElement>>($"/api/documents/{doc}/annotations");
        var links = await ana.Http.GetFromJsonAsync<List<JsonElement>>($"/api/projects/{projectId}/relations?document={doc}");
        foreach (var live in new[] { anaLive, benLive })
        {
            Assert.Equal(spans!.ToDictionary(s => s.GetProperty("id").GetGuid(), s => s.GetRawText()).OrderBy(p => p.Key),
                live.Annotations.ToDictionary(p => p.Key, p => p.Value.GetRawText()).OrderBy(p => p.Key));
            Assert.Equal(links!.ToDictionary(s => s.GetProperty("id").GetGuid(), s => s.GetRawText()).OrderBy(p => p.Key),
                live.Relations.ToDictionary(p => p.Key, p => p.Value.GetRawText()).OrderBy(p => p.Key));
            // ...each change of the log applied once, in the log's order.
            Assert.Equal(log.Select(e => e.GetProperty("sequence").GetInt64()), live.Applied);
        }
        Assert.Equal(4, anaLive.Annotations.Count);
        Assert.Single(anaLive.Relations);

        // The catch-up carried the minute as the app's clock stamped it: a step every five seconds (a step may write two
        // entries, such as someone's first span and their document becoming "in progress", under one stamp).
        var caughtUp = rejoined.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(log.Where(e => e.GetProperty("at").GetDateTimeOffset() > offlineFrom).Count(), caughtUp.Count);
        Assert.Equal(Enumerable.Range(1, steps.Count).Select(i => offlineFrom.AddSeconds(5 * i)), caughtUp.Distinct());
        Assert.Equal(TimeSpan.FromMinutes(1), caughtUp[^1] - offlineFrom);
    }

    private static async Task Ok(Task<HttpResponseMessage> request) => (await request).EnsureSuccessStatusCode();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await node.DisposeAsync();

    /// <summary>The app's clock, moved only by the test.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset now = start;

        public override DateTimeOffset GetUtcNow() { lock (this) return now; }

        public void Advance(TimeSpan by) { lock (this) now += by; }
    }
}
