using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Annotate.IntegrationTests.LiveSync;

/// <summary>The hub at /hubs/annotations with real SignalR connections over WebSockets.</summary>
public class HubTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    private const string Text = "The Coast Guard said all 212 passengers were rescued on Tuesday.";

    private static object Span(string label, int start, int end, Guid? id = null, string layer = "claim") =>
        new { id = id ?? Guid.NewGuid(), layer, label, start, end };

    [Fact]
    public async Task A_change_made_through_the_api_reaches_a_joined_client_in_the_events_api_shape()
    {
        var lead = await factory.PersonAsync("lead");
        var (projectId, docs) = await LiveFactory.ProjectAsync(lead, "open", [], Text + " 1");
        await using var live = await factory.LiveAsync(lead);
        var joined = await live.JoinAsync(docs[0]);
        Assert.Equal(projectId, joined.GetProperty("projectId").GetInt64());

        var created = await (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", Span("CLAIM", 4, 15)))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetGuid();
        await live.WaitUntilAsync(c => c.Annotations.ContainsKey(id));

        var log = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events?after=0");
        var logged = log.EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "annotation_created");
        Assert.Equal("Coast Guard", live.Annotations[id].GetProperty("text").GetString());
        Assert.Equal(logged.GetProperty("data").GetRawText(), live.Annotations[id].GetRawText());
    }

    [Fact]
    public async Task A_non_member_cannot_join_and_an_annotator_cannot_change_another_annotators_span()
    {
        var lead = await factory.PersonAsync("lead");
        var ana = await factory.PersonAsync("ana");
        var ben = await factory.PersonAsync("ben");
        var outsider = await factory.PersonAsync("outsider");
        var (_, docs) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator")], Text + " 2");

        await using var stranger = await factory.LiveAsync(outsider);
        var refused = await Assert.ThrowsAsync<HubException>(() => stranger.JoinAsync(docs[0]));
        Assert.Contains("not a member", refused.Message);
        var strangerCreate = await stranger.CallAsync("CreateAnnotation", docs[0], Span("CLAIM", 0, 3));
        Assert.False(strangerCreate.GetProperty("ok").GetBoolean());
        Assert.Equal(404, strangerCreate.GetProperty("status").GetInt32());

        await using var anaLive = await factory.LiveAsync(ana);
        await using var benLive = await factory.LiveAsync(ben);
        await anaLive.JoinAsync(docs[0]);
        await benLive.JoinAsync(docs[0]);
        var made = await anaLive.CallAsync("CreateAnnotation", docs[0], Span("CLAIM", 4, 15));
        Assert.True(made.GetProperty("ok").GetBoolean());
        var id = made.GetProperty("value").GetProperty("id").GetGuid();

        var change = await benLive.CallAsync("UpdateAnnotation", id, new { label = "CLAIM", note = "mine now", version = 1 });
        Assert.False(change.GetProperty("ok").GetBoolean());
        Assert.Equal(403, change.GetProperty("status").GetInt32());
        var delete = await benLive.CallAsync("DeleteAnnotation", id, 1);
        Assert.Equal(403, delete.GetProperty("status").GetInt32());
        var still = await ana.Http.GetFromJsonAsync<JsonElement>($"/api/annotations/{id}");
        Assert.Equal(1, still.GetProperty("version").GetInt32());
        Assert.Equal(JsonValueKind.Null, still.GetProperty("note").ValueKind);
    }

    [Fact]
    public async Task A_retried_create_does_not_duplicate_and_a_stale_update_is_refused_with_the_current_state()
    {
        var lead = await factory.PersonAsync("lead");
        var (projectId, docs) = await LiveFactory.ProjectAsync(lead, "open", [], Text + " 3");
        await using var live = await factory.LiveAsync(lead);
        await live.JoinAsync(docs[0]);
        var id = Guid.NewGuid();
        var first = await live.CallAsync("CreateAnnotation", docs[0], Span("CLAIM", 4, 15, id));
        var retry = await live.CallAsync("CreateAnnotation", docs[0], Span("CLAIM", 4, 15, id));
        Assert.True(first.GetProperty("ok").GetBoolean());
        Assert.True(retry.GetProperty("ok").GetBoolean());
        Assert.Single((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{docs[0]}/annotations")).EnumerateArray());
        var events = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events");
        Assert.Single(events.EnumerateArray(), e => e.GetProperty("kind").GetString() == "annotation_created");

        var updated = await live.CallAsync("UpdateAnnotation", id, new { note = "first edit", version = 1 });
        Assert.Equal(2, updated.GetProperty("value").GetProperty("version").GetInt32());
        var stale = await live.CallAsync("UpdateAnnotation", id, new { note = "edit based on version 1", version = 1 });
        Assert.False(stale.GetProperty("ok").GetBoolean());
        Assert.Equal(409, stale.GetProperty("status").GetInt32());
        Assert.Equal("first edit", stale.GetProperty("current").GetProperty("note").GetString());
        Assert.Equal(2, stale.GetProperty("current").GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_client_that_drops_and_reconnects_ends_with_exactly_the_servers_state()
    {
        var lead = await factory.PersonAsync("lead");
        var ana = await factory.PersonAsync("ana");
        var (projectId, docs) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator")], Text + " 4");
        await using var watcher = await factory.LiveAsync(ana);
        await watcher.JoinAsync(docs[0]);
        await using var writer = await factory.LiveAsync(lead);
        await writer.JoinAsync(docs[0]);

        var before = await writer.CallAsync("CreateAnnotation", docs[0], Span("CLAIM", 0, 3));
        var keptId = before.GetProperty("value").GetProperty("id").GetGuid();
        await watcher.WaitUntilAsync(c => c.Annotations.ContainsKey(keptId));

        // The watcher loses its network; meanwhile the other writer creates, edits and deletes.
        var reconnected = new TaskCompletionSource();
        watcher.Hub.Reconnected += _ => { reconnected.TrySetResult(); return Task.CompletedTask; };
        lock (watcher.Sockets) watcher.Sockets.Last().Abort();
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
            ids.Add((await writer.CallAsync("CreateAnnotation", docs[0], Span("CLAIM", 4 + i, 15 + i))).GetProperty("value").GetProperty("id").GetGuid());
        await writer.CallAsync("UpdateAnnotation", ids[0], new { note = "edited while the watcher was away", version = 1 });
        await writer.CallAsync("DeleteAnnotation", ids[1], 1);
        await writer.CallAsync("DeleteAnnotation", keptId, 1);

        await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(15));
        var head = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events")).EnumerateArray().Last().GetProperty("sequence").GetInt64();
        await watcher.WaitForAsync(head);

        var server = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{docs[0]}/annotations")).EnumerateArray()
            .ToDictionary(a => a.GetProperty("id").GetGuid(), a => a.GetRawText());
        Assert.Equal(server.Keys.Order(), watcher.Annotations.Keys.Order());
        foreach (var (id, json) in server) Assert.Equal(json, watcher.Annotations[id].GetRawText());
        Assert.Equal(watcher.Applied.Distinct().Count(), watcher.Applied.Count);
        Assert.Equal(watcher.Applied.Order(), watcher.Applied);
    }

    [Fact]
    public async Task Concurrent_writers_every_client_applies_every_event_once_in_sequence_order()
    {
        var lead = await factory.PersonAsync("lead");
        var people = new[] { lead, await factory.PersonAsync("a"), await factory.PersonAsync("b"), await factory.PersonAsync("c") };
        var (projectId, docs) = await LiveFactory.ProjectAsync(lead, "open", people.Skip(1).Select(p => (p, "annotator")), Text + " 5");
        var clients = new List<LiveClient>();
        foreach (var person in people)
        {
            var client = await factory.LiveAsync(person);
            await client.JoinAsync(docs[0]);
            clients.Add(client);
        }
        try
        {
            const int perWriter = 15;
            await Task.WhenAll(clients.Select(async client =>
            {
                for (var i = 0; i < perWriter; i++)
                {
                    var result = await client.CallAsync("CreateAnnotation", docs[0], Span("CLAIM", i, i + 5));
                    Assert.True(result.GetProperty("ok").GetBoolean(), result.GetRawText());
                }
            }));
            var log = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events")).EnumerateArray()
                .Select(e => e.GetProperty("sequence").GetInt64()).ToList();
            // The log itself is gapless: 1, 2, 3, ... (spans plus each writer's first "in progress" state).
            Assert.Equal(Enumerable.Range(1, log.Count).Select(i => (long)i), log);
            Assert.Equal(clients.Count * perWriter + clients.Count, log.Count);
            foreach (var client in clients)
            {
                await client.WaitForAsync(log[^1]);
                Assert.Equal(log, client.Applied);
                // Everyone joined before the first write, so nothing may arrive twice (not even to be skipped).
                Assert.Equal(0, client.SkippedRepeats);
                Assert.Equal(clients.Count * perWriter, client.Annotations.Count);
            }
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task In_a_blind_project_an_annotator_never_receives_anothers_work_but_a_reviewer_does()
    {
        var (lead, ana, ben, rita) = await factory.TeamAsync();
        var (projectId, docs) = await LiveFactory.ProjectAsync(lead, "blind", [(ana, "annotator"), (ben, "annotator"), (rita, "reviewer")], Text + " 6");
        await using var anaLive = await factory.LiveAsync(ana);
        await using var benLive = await factory.LiveAsync(ben);
        await using var ritaLive = await factory.LiveAsync(rita);
        foreach (var client in new[] { anaLive, benLive, ritaLive }) await client.JoinAsync(docs[0]);

        var anaSpan = (await anaLive.CallAsync("CreateAnnotation", docs[0], Span("CLAIM", 4, 15))).GetProperty("value").GetProperty("id").GetGuid();
        var benSpan = (await benLive.CallAsync("CreateAnnotation", docs[0], Span("CLAIM", 20, 30))).GetProperty("value").GetProperty("id").GetGuid();
        await ritaLive.WaitUntilAsync(c => c.Annotations.ContainsKey(anaSpan) && c.Annotations.ContainsKey(benSpan));
        await benLive.WaitUntilAsync(c => c.Annotations.ContainsKey(benSpan));
        await Task.Delay(300); // give a wrong delivery the time to arrive

        Assert.DoesNotContain(anaSpan, benLive.Annotations.Keys);
        Assert.DoesNotContain(benSpan, anaLive.Annotations.Keys);
        Assert.DoesNotContain((await ben.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{docs[0]}/annotations")).EnumerateArray(),
            a => a.GetProperty("id").GetGuid() == anaSpan);
        Assert.DoesNotContain((await ben.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events")).EnumerateArray(),
            e => e.GetProperty("ownerId").GetString() != benLive.Annotations[benSpan].GetProperty("annotatorId").GetString());
        // Ben cannot link Ana's claim either: to him it does not exist.
        var link = await benLive.CallAsync("CreateRelation", projectId, new { type = "contradicts", from = benSpan, to = anaSpan });
        Assert.Equal(404, link.GetProperty("status").GetInt32());
        // A rejoin (as after a reconnect) does not leak it through the catch-up either.
        var rejoin = await benLive.Hub.InvokeAsync<JsonElement>("JoinDocument", docs[0], 0L);
        Assert.DoesNotContain(rejoin.GetProperty("events").EnumerateArray(), e => e.GetProperty("subjectId").ValueKind == JsonValueKind.String && e.GetProperty("subjectId").GetGuid() == anaSpan);
    }

    [Fact]
    public async Task Managers_watching_a_project_hear_its_jobs_progress_and_annotators_may_not_watch()
    {
        var lead = await factory.PersonAsync("lead");
        var ana = await factory.PersonAsync("ana");
        var (projectId, _) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator")], Text + " jobs");
        await using var annotator = await factory.LiveAsync(ana);
        await Assert.ThrowsAsync<HubException>(() => annotator.Hub.InvokeAsync("WatchJobs", projectId));

        await using var manager = await factory.LiveAsync(lead);
        await manager.Hub.InvokeAsync("WatchJobs", projectId);
        var started = await (await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/exports", new { format = "spacy-jsonl" })).Content.ReadFromJsonAsync<JsonElement>();
        var exportId = started.GetProperty("id").GetInt64();
        await manager.WaitUntilAsync(c => c.JobProgress.Any(p => p.GetProperty("kind").GetString() == "export" && p.GetProperty("id").GetInt64() == exportId
            && p.GetProperty("status").GetString() == "succeeded"), 30_000);
        var last = manager.JobProgress.Last(p => p.GetProperty("id").GetInt64() == exportId);
        Assert.Equal(1, last.GetProperty("done").GetInt32());
        Assert.Equal(1, last.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Presence_lists_who_is_on_the_document()
    {
        var lead = await factory.PersonAsync("lead");
        var ana = await factory.PersonAsync("ana");
        var (_, docs) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator")], Text + " 7");
        await using var leadLive = await factory.LiveAsync(lead);
        await leadLive.JoinAsync(docs[0]);
        await using (var anaLive = await factory.LiveAsync(ana))
        {
            var joined = await anaLive.JoinAsync(docs[0]);
            Assert.Equal(2, joined.GetProperty("present").GetArrayLength());
            await leadLive.WaitUntilAsync(c => c.PresenceUpdates.Count > 0 && c.PresenceUpdates[^1].GetArrayLength() == 2);
        }
        await leadLive.WaitUntilAsync(c => c.PresenceUpdates[^1].GetArrayLength() == 1);
    }

    [Fact]
    public async Task Lowering_a_role_or_removing_a_member_stops_their_live_pushes_at_once()
    {
        var lead = await factory.PersonAsync("lead");
        var ana = await factory.PersonAsync("ana");
        var rita = await factory.PersonAsync("rita");
        var (projectId, docs) = await LiveFactory.ProjectAsync(lead, "blind", [(ana, "annotator"), (rita, "reviewer")], Text + " access");
        var members = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/members");
        string UserId(SignedInClient person) => members.EnumerateArray().Single(m => m.GetProperty("email").GetString() == person.Email).GetProperty("userId").GetString()!;
        await using var leadLive = await factory.LiveAsync(lead);
        await using var anaLive = await factory.LiveAsync(ana);
        await using var ritaLive = await factory.LiveAsync(rita);
        foreach (var client in new[] { leadLive, anaLive, ritaLive }) await client.JoinAsync(docs[0]);

        // The reviewer becomes an annotator: in a blind project she must stop hearing Ana's work now.
        (await lead.Http.PutAsJsonAsync($"/api/projects/{projectId}/members/{UserId(rita)}", new { role = "annotator" })).EnsureSuccessStatusCode();
        await ritaLive.WaitUntilAsync(c => c.AccessChanges.Contains(projectId));
        var anaSpan = (await anaLive.CallAsync("CreateAnnotation", docs[0], Span("CLAIM", 4, 15))).GetProperty("value").GetProperty("id").GetGuid();
        await leadLive.WaitUntilAsync(c => c.Annotations.ContainsKey(anaSpan));
        await Task.Delay(300); // give a wrong delivery the time to arrive
        Assert.DoesNotContain(anaSpan, ritaLive.Annotations.Keys);
        // Joining again (what the page does on AccessChanged) subscribes her as what she now is.
        await ritaLive.JoinAsync(docs[0]);
        Assert.DoesNotContain(anaSpan, ritaLive.Annotations.Keys);

        // In an open project everyone hears everything, until they are removed; then nothing more reaches them.
        var (openId, openDocs) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator")], Text + " access open");
        var openMembers = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{openId}/members");
        var anaId = openMembers.EnumerateArray().Single(m => m.GetProperty("email").GetString() == ana.Email).GetProperty("userId").GetString();
        // Sequences are per project, and so is a client's memory of them: fresh connections for this one.
        await using var leadOpen = await factory.LiveAsync(lead);
        await using var anaOpen = await factory.LiveAsync(ana);
        await leadOpen.JoinAsync(openDocs[0]);
        await anaOpen.JoinAsync(openDocs[0]);
        var before = (await leadOpen.CallAsync("CreateAnnotation", openDocs[0], Span("CLAIM", 0, 3))).GetProperty("value").GetProperty("id").GetGuid();
        await anaOpen.WaitUntilAsync(c => c.Annotations.ContainsKey(before));
        (await lead.Http.DeleteAsync($"/api/projects/{openId}/members/{anaId}")).EnsureSuccessStatusCode();
        await anaOpen.WaitUntilAsync(c => c.AccessChanges.Contains(openId));
        await leadOpen.WaitUntilAsync(c => c.PresenceUpdates.Count > 0 && c.PresenceUpdates[^1].GetArrayLength() == 1);
        var after = (await leadOpen.CallAsync("CreateAnnotation", openDocs[0], Span("CLAIM", 20, 30))).GetProperty("value").GetProperty("id").GetGuid();
        await leadOpen.WaitUntilAsync(c => c.Annotations.ContainsKey(after));
        await Task.Delay(300);
        Assert.DoesNotContain(after, anaOpen.Annotations.Keys);
        var refused = await Assert.ThrowsAsync<HubException>(() => anaOpen.Hub.InvokeAsync<JsonElement>("JoinDocument", openDocs[0], 0L));
        Assert.Contains("not a member", refused.Message);
    }

    [Fact]
    public async Task Job_progress_published_on_one_app_node_reaches_a_manager_connected_to_another()
    {
        // A second app node on the same database; the manager's page is connected to it, the job runs on the first.
        await using var otherNode = LiveFactory.ServingOnly(); // serves only: other tests' jobs stay with their hosts
        var lead = await otherNode.PersonAsync("lead");
        var (projectId, _) = await LiveFactory.ProjectAsync(lead, "open", [], Text + " nodes");
        await using var watcher = await otherNode.LiveAsync(lead);
        await watcher.Hub.InvokeAsync("WatchJobs", projectId);

        using var scope = factory.Services.CreateScope();
        var feed = scope.ServiceProvider.GetRequiredService<Annotate.Web.Features.LiveSync.JobProgressFeed>();
        await feed.PublishAsync(projectId, new("export", 4242, Annotate.Web.Features.Jobs.JobStatus.Running, 1, 3));
        await feed.PublishAsync(projectId, new("export", 4242, Annotate.Web.Features.Jobs.JobStatus.Failed, 1, 3, new string('x', 5000)));

        await watcher.WaitUntilAsync(c => c.JobProgress.Count(p => p.GetProperty("id").GetInt64() == 4242) == 2);
        var running = watcher.JobProgress.First(p => p.GetProperty("id").GetInt64() == 4242);
        Assert.Equal("running", running.GetProperty("status").GetString());
        Assert.Equal(1, running.GetProperty("done").GetInt32());
        Assert.Equal(3, running.GetProperty("total").GetInt32());
        var failed = watcher.JobProgress.Last(p => p.GetProperty("id").GetInt64() == 4242);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.True(failed.GetProperty("error").GetString()!.Length <= 1001); // cut to fit a notification; the API has it whole
    }
}
