using Annotate.IntegrationTests.LiveSync;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Annotate.IntegrationTests.Workflow;

/// <summary>What the workflow tests share: settings, claims, assignments through the API.</summary>
public static class Work
{
    public static Task<HttpResponseMessage> PatchAsync(SignedInClient who, long projectId, object settings) =>
        who.Http.PatchAsync($"/api/projects/{projectId}", JsonContent.Create(settings));

    public static async Task<Guid> ClaimAsync(SignedInClient who, long documentId, int start = 0, int end = 9)
    {
        var response = await who.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", new { layer = "claim", label = "CLAIM", start, end });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public static async Task AssignAsync(SignedInClient manager, long projectId, long[] documents, string[] users, bool assigned = true, string kind = "annotate")
    {
        var response = await manager.Http.PutAsJsonAsync($"/api/projects/{projectId}/assignments", new { documents, users, kind, assigned });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task<string> UserIdAsync(SignedInClient manager, long projectId, string email) =>
        (await manager.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/members")).EnumerateArray()
            .First(m => m.GetProperty("email").GetString() == email).GetProperty("userId").GetString()!;
}

/// <summary>
/// Assigned mode: an annotator gets 404 for a document not assigned to them through every route and the hub, as if it
/// did not exist; the document assigned to them works through the same routes.
/// </summary>
public class AssignmentAccessTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    private const string Text = "Officials said 212 were rescued. The company said 190 were.";

    [Fact]
    public async Task An_annotator_gets_404_for_an_unassigned_document_through_every_route_and_the_hub()
    {
        var manager = await factory.PersonAsync("manager");
        var ana = await factory.PersonAsync("ana");
        var (projectId, docs) = await LiveFactory.ProjectAsync(manager, "open", [(ana, "annotator")], Text, Text + " Again.");
        var (mine, other) = (docs[0], docs[1]);
        var anaId = await Work.UserIdAsync(manager, projectId, ana.Email);
        // The manager's work on both, and a link across them: open project, so Ana would see it all in free mode.
        var onMine = await Work.ClaimAsync(manager, mine);
        var onOther = await Work.ClaimAsync(manager, other);
        (await manager.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "contradicts", from = onMine, to = onOther })).EnsureSuccessStatusCode();
        (await Work.PatchAsync(manager, projectId, new { assignment = "assigned" })).EnsureSuccessStatusCode();
        await Work.AssignAsync(manager, projectId, [mine], [anaId]);

        var refusedReads = new[]
        {
            $"/api/documents/{other}", $"/api/documents/{other}/annotations", $"/api/documents/{other}/states",
            $"/api/annotations/{onOther}", $"/api/projects/{projectId}/claims?document={other}",
            $"/api/projects/{projectId}/relations?document={other}", $"/api/projects/{projectId}/events?document={other}",
            $"/documents/{other}", $"/projects/{projectId}/compare?left={mine}&right={other}",
        };
        foreach (var path in refusedReads)
        {
            var response = await ana.Http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
            Assert.DoesNotContain("190 were", await response.Content.ReadAsStringAsync());
        }
        // Writes to it are refused the same way, and change nothing.
        Assert.Equal(HttpStatusCode.NotFound, (await ana.Http.PostAsJsonAsync($"/api/documents/{other}/annotations", new { layer = "claim", label = "CLAIM", start = 0, end = 9 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ana.Http.PutAsJsonAsync($"/api/documents/{other}/status", new { status = "finished" })).StatusCode);
        var mineClaim = await Work.ClaimAsync(ana, mine);
        Assert.Equal(HttpStatusCode.NotFound, (await ana.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "contradicts", from = mineClaim, to = onOther })).StatusCode);

        // Lists leave it out: documents, claims, relations (the link crosses into it), events.
        var documents = await ana.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents");
        Assert.Equal(1, documents.GetProperty("total").GetInt32());
        Assert.Equal([mine], documents.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetInt64()));
        var claims = await ana.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/claims");
        Assert.All(claims.EnumerateArray(), c => Assert.Equal(mine, c.GetProperty("documentId").GetInt64()));
        Assert.Equal(2, claims.GetArrayLength()); // the manager's and Ana's on her document
        Assert.Empty((await ana.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/relations")).EnumerateArray());
        var events = await ana.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events");
        Assert.NotEmpty(events.EnumerateArray());
        Assert.All(events.EnumerateArray(), e =>
        {
            Assert.Equal(mine, e.GetProperty("documentId").GetInt64());
            Assert.True(e.GetProperty("otherDocumentId").ValueKind == JsonValueKind.Null);
        });
        var projectPage = await ana.Http.GetStringAsync($"/projects/{projectId}");
        Assert.Contains($"/documents/{mine}\"", projectPage);
        Assert.DoesNotContain($"/documents/{other}\"", projectPage);
        // The compare view needs two documents she may open.
        Assert.Equal(HttpStatusCode.BadRequest, (await ana.Http.GetAsync($"/projects/{projectId}/compare")).StatusCode);

        // Her own document works through the same routes.
        foreach (var path in new[] { $"/api/documents/{mine}", $"/api/documents/{mine}/annotations", $"/api/annotations/{onMine}", $"/documents/{mine}",
                     $"/api/projects/{projectId}/relations?document={mine}", $"/api/projects/{projectId}/events?document={mine}" })
            Assert.True((await ana.Http.GetAsync(path)).IsSuccessStatusCode, path);

        // The hub: joining is refused with the same words, a write is answered 404.
        await using (var live = await factory.LiveAsync(ana))
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => live.Hub.InvokeAsync<JsonElement>("JoinDocument", other, 0L));
            Assert.Contains("does not exist or you are not a member", refused.Message);
            var write = await live.CallAsync("CreateAnnotation", other, new { layer = "claim", label = "CLAIM", start = 0, end = 9 });
            Assert.False(write.GetProperty("ok").GetBoolean());
            Assert.Equal(404, write.GetProperty("status").GetInt32());
            var status = await live.CallAsync("SetDocumentStatus", other, "finished");
            Assert.Equal(404, status.GetProperty("status").GetInt32());
            var joined = await live.JoinAsync(mine);
            Assert.Equal(mine, joined.GetProperty("documentId").GetInt64());
        }
        // The manager still sees everything; nothing of Ana's reached the other document.
        Assert.Single((await manager.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{other}/annotations")).EnumerateArray());
        Assert.DoesNotContain((await manager.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{other}/states")).EnumerateArray(),
            s => s.GetProperty("userId").GetString() == anaId);

        // The rule is the mode's: free again, she opens it; assigned again and unassigned, her own is gone too.
        (await Work.PatchAsync(manager, projectId, new { assignment = "free" })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await ana.Http.GetAsync($"/api/documents/{other}")).StatusCode);
        (await Work.PatchAsync(manager, projectId, new { assignment = "assigned" })).EnsureSuccessStatusCode();
        await Work.AssignAsync(manager, projectId, [mine], [anaId], assigned: false);
        Assert.Equal(HttpStatusCode.NotFound, (await ana.Http.GetAsync($"/api/documents/{mine}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ana.Http.GetAsync($"/api/annotations/{mineClaim}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ana.Http.PatchAsync($"/api/annotations/{mineClaim}", JsonContent.Create(new { note = "x", version = 1 }))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ana.Http.DeleteAsync($"/api/annotations/{mineClaim}?version=1")).StatusCode);
        Assert.Empty((await ana.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items").EnumerateArray());
        // What she did stays hers: the manager still sees her span.
        Assert.Contains((await manager.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{mine}/annotations")).EnumerateArray(),
            a => a.GetProperty("id").GetGuid() == mineClaim && a.GetProperty("annotatorId").GetString() == anaId);
    }

    [Fact]
    public async Task Assignment_changes_reach_the_work_pages_live_managers_all_and_annotators_their_own()
    {
        var manager = await factory.PersonAsync("manager");
        var ana = await factory.PersonAsync("ana");
        var ben = await factory.PersonAsync("ben");
        var (projectId, docs) = await LiveFactory.ProjectAsync(manager, "open", [(ana, "annotator"), (ben, "annotator")], Text, Text + " Two.");
        var anaId = await Work.UserIdAsync(manager, projectId, ana.Email);
        var benId = await Work.UserIdAsync(manager, projectId, ben.Email);
        var heard = new Dictionary<string, List<JsonElement>> { ["manager"] = [], ["ana"] = [] };
        await using var managerLive = await factory.LiveAsync(manager);
        await using var anaLive = await factory.LiveAsync(ana);
        foreach (var (who, live) in new[] { ("manager", managerLive), ("ana", anaLive) })
        {
            live.Hub.On<JsonElement>("Changed", e => { lock (heard) heard[who].Add(e); });
            await live.Hub.InvokeAsync("WatchWork", projectId);
        }

        await Work.AssignAsync(manager, projectId, [docs[0]], [anaId]);
        await Work.AssignAsync(manager, projectId, [docs[1]], [benId]);
        (await ben.Http.PutAsJsonAsync($"/api/documents/{docs[1]}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        await managerLive.WaitUntilAsync(_ => { lock (heard) return heard["manager"].Count >= 3; });
        await anaLive.WaitUntilAsync(_ => { lock (heard) return heard["ana"].Count >= 1; });
        await Task.Delay(500); // anything Ana should not hear would have come by now
        lock (heard)
        {
            Assert.Equal(["assignment_added", "assignment_added", "document_state_changed"], heard["manager"].Select(e => e.GetProperty("kind").GetString()));
            var own = Assert.Single(heard["ana"]);
            Assert.Equal(anaId, own.GetProperty("ownerId").GetString());
        }
        // A stranger cannot watch.
        var outsider = await factory.PersonAsync("outsider");
        await using var outsiderLive = await factory.LiveAsync(outsider);
        await Assert.ThrowsAsync<HubException>(() => outsiderLive.Hub.InvokeAsync("WatchWork", projectId));
    }

    [Fact]
    public async Task A_live_link_into_a_document_the_annotator_may_not_open_does_not_reach_them()
    {
        var manager = await factory.PersonAsync("manager");
        var ana = await factory.PersonAsync("ana");
        var (projectId, docs) = await LiveFactory.ProjectAsync(manager, "open", [(ana, "annotator")], Text, Text + " Hidden.");
        var anaId = await Work.UserIdAsync(manager, projectId, ana.Email);
        (await Work.PatchAsync(manager, projectId, new { assignment = "assigned" })).EnsureSuccessStatusCode();
        await Work.AssignAsync(manager, projectId, [docs[0]], [anaId]);
        var here = await Work.ClaimAsync(manager, docs[0]);
        var there = await Work.ClaimAsync(manager, docs[1]);
        await using var live = await factory.LiveAsync(ana);
        await live.JoinAsync(docs[0]);

        (await manager.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "contradicts", from = here, to = there })).EnsureSuccessStatusCode();
        var after = await Work.ClaimAsync(manager, docs[0], 33, 44); // a change she does hear: once it arrives, the link would have too
        await live.WaitUntilAsync(c => c.Annotations.ContainsKey(after));
        Assert.Empty(live.Relations);
    }

    [Fact]
    public async Task Unassigning_takes_a_live_subscription_away_at_once()
    {
        var manager = await factory.PersonAsync("manager");
        var ana = await factory.PersonAsync("ana");
        var (projectId, docs) = await LiveFactory.ProjectAsync(manager, "open", [(ana, "annotator")], Text);
        var anaId = await Work.UserIdAsync(manager, projectId, ana.Email);
        (await Work.PatchAsync(manager, projectId, new { assignment = "assigned" })).EnsureSuccessStatusCode();
        await Work.AssignAsync(manager, projectId, docs, [anaId]);
        await using var live = await factory.LiveAsync(ana);
        await live.JoinAsync(docs[0]);

        await Work.AssignAsync(manager, projectId, docs, [anaId], assigned: false);
        await live.WaitUntilAsync(c => c.AccessChanges.Contains(projectId));
        await Assert.ThrowsAsync<HubException>(() => live.Hub.InvokeAsync<JsonElement>("JoinDocument", docs[0], 0L));
    }
}
