using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Annotate.IntegrationTests.LiveSync;

/// <summary>Two app nodes on one database, as behind a load balancer: changes and presence reach clients of both.</summary>
public sealed class SeveralNodesTests : IAsyncLifetime
{
    private const string Text = "Officials said 212 were rescued. The company said 190 were.";

    // Fast heartbeats, so a dead node's presence expires within seconds here (3 beats; in production 30 s).
    private readonly LiveFactory nodeA = LiveFactory.With(("Live:PresenceHeartbeatSeconds", "1"));
    private readonly LiveFactory nodeB = LiveFactory.With(("Live:PresenceHeartbeatSeconds", "1"));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await nodeA.DisposeAsync();
        await nodeB.DisposeAsync();
    }

    private static string[] Names(JsonElement people) => people.EnumerateArray().Select(p => p.GetProperty("name").GetString()!).Order().ToArray();

    private static string NameOf(SignedInClient person) => person.Email.Split('@')[0];

    [Fact]
    public async Task People_on_one_document_through_different_nodes_see_each_other_come_and_go()
    {
        var lead = await nodeA.PersonAsync("lead");
        var ben = await nodeB.PersonAsync("ben");
        var (_, documents) = await LiveFactory.ProjectAsync(lead, "open", [(ben, "annotator")], Text);

        await using var leadLive = await nodeA.LiveAsync(lead);
        await leadLive.JoinAsync(documents[0]);
        var benLive = await nodeB.LiveAsync(ben);
        var joined = await benLive.JoinAsync(documents[0]);

        // Ben, on node B, is told that the lead (node A) is there; the lead hears of Ben.
        Assert.Equal(new[] { NameOf(ben), NameOf(lead) }.Order(), Names(joined.GetProperty("present")));
        await leadLive.WaitUntilAsync(c => c.PresenceUpdates.Count > 0 && Names(c.PresenceUpdates[^1]).Length == 2);

        // A change made through node A reaches Ben on node B live.
        var made = await leadLive.CallAsync("CreateAnnotation", documents[0], new { id = Guid.NewGuid(), layer = "entity", label = "QUANTITY", start = 15, end = 18 });
        Assert.True(made.GetProperty("ok").GetBoolean(), made.GetRawText());
        await benLive.WaitUntilAsync(c => c.Annotations.Count == 1);

        // Ben closes his page: the lead sees him go.
        await benLive.DisposeAsync();
        await leadLive.WaitUntilAsync(c => Names(c.PresenceUpdates[^1]).SequenceEqual([NameOf(lead)]));
    }

    [Fact]
    public async Task A_dead_nodes_people_disappear_once_its_entries_expire()
    {
        var lead = await nodeA.PersonAsync("lead");
        var (_, documents) = await LiveFactory.ProjectAsync(lead, "open", [], Text + " dead node");
        await using var leadLive = await nodeA.LiveAsync(lead);
        await leadLive.JoinAsync(documents[0]);

        // A node that died with a connection on the document: its entry stays until its expiry passes unrenewed.
        await using (var connection = new NpgsqlConnection(nodeA.Services.GetRequiredService<IConfiguration>().GetConnectionString("Default")))
        {
            await connection.OpenAsync();
            await using var ghost = new NpgsqlCommand("""
                WITH ghost AS (
                    INSERT INTO live_presence (connection_id, document_id, node_id, user_id, name, expires_at)
                    VALUES ('ghost-connection', $1, 'a-node-that-died', 'ghost-user', 'Ghost', now() + interval '2 seconds')
                    RETURNING document_id)
                SELECT pg_notify('annotate_presence', document_id::text) FROM ghost
                """, connection);
            ghost.Parameters.Add(new() { Value = documents[0] });
            await ghost.ExecuteNonQueryAsync();
        }
        await leadLive.WaitUntilAsync(c => c.PresenceUpdates.Count > 0 && Names(c.PresenceUpdates[^1]).Contains("Ghost"));
        await leadLive.WaitUntilAsync(c => Names(c.PresenceUpdates[^1]).SequenceEqual([NameOf(lead)]), timeoutMs: 15_000);
    }

    [Fact]
    public async Task A_node_that_stops_normally_takes_its_people_with_it_at_once()
    {
        var lead = await nodeA.PersonAsync("lead");
        var (projectId, documents) = await LiveFactory.ProjectAsync(lead, "open", [], Text + " stopping node");
        await using var leadLive = await nodeA.LiveAsync(lead);
        await leadLive.JoinAsync(documents[0]);

        var nodeC = LiveFactory.With(("Live:PresenceHeartbeatSeconds", "60")); // would keep its entries for 3 minutes
        try
        {
            var ben = await nodeC.PersonAsync("ben");
            (await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = ben.Email, role = "annotator" })).EnsureSuccessStatusCode();
            var benLive = await nodeC.LiveAsync(ben);
            await benLive.JoinAsync(documents[0]);
            await leadLive.WaitUntilAsync(c => c.PresenceUpdates.Count > 0 && Names(c.PresenceUpdates[^1]).Contains(NameOf(ben)));

            await nodeC.DisposeAsync(); // a normal stop: its entries are removed, not left to expire
            await leadLive.WaitUntilAsync(c => !Names(c.PresenceUpdates[^1]).Contains(NameOf(ben)), timeoutMs: 15_000);
        }
        finally { await nodeC.DisposeAsync(); }
    }
}
