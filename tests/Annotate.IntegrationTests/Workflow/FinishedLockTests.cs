using Annotate.IntegrationTests.LiveSync;

namespace Annotate.IntegrationTests.Workflow;

/// <summary>"Finished means done": with finishedLocks on, a finished document is read-only for its annotator until reopened.</summary>
public class FinishedLockTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    private const string Text = "Officials said 212 were rescued. The company said 190 were.";

    [Fact]
    public async Task Every_write_route_and_hub_method_refuses_until_the_annotator_or_a_manager_reopens()
    {
        var manager = await factory.PersonAsync("manager");
        var ana = await factory.PersonAsync("ana");
        var (projectId, docs) = await LiveFactory.ProjectAsync(manager, "open", [(ana, "annotator")], Text, Text + " More.");
        var anaId = await Work.UserIdAsync(manager, projectId, ana.Email);
        (await Work.PatchAsync(manager, projectId, new { finishedLocks = true })).EnsureSuccessStatusCode();
        var claim = await Work.ClaimAsync(ana, docs[0]);
        var second = await Work.ClaimAsync(ana, docs[0], 33, 44);
        var elsewhere = await Work.ClaimAsync(ana, docs[1]);
        var link = await (await ana.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "contradicts", from = claim, to = second }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        (await ana.Http.PutAsJsonAsync($"/api/documents/{docs[0]}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        var before = await manager.Http.GetStringAsync($"/api/documents/{docs[0]}/annotations");

        var refusals = new[]
        {
            await ana.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "claim", label = "CLAIM", start = 10, end = 20 }),
            await ana.Http.PatchAsync($"/api/annotations/{claim}", JsonContent.Create(new { note = "changed", version = 1 })),
            await ana.Http.DeleteAsync($"/api/annotations/{claim}?version=1"),
            await ana.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "supports", from = elsewhere, to = claim }),
            await ana.Http.DeleteAsync($"/api/relations/{link.GetProperty("id").GetGuid()}?version=1"),
        };
        foreach (var refused in refusals)
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("finished", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }
        await using (var live = await factory.LiveAsync(ana))
        {
            var create = await live.CallAsync("CreateAnnotation", docs[0], new { layer = "claim", label = "CLAIM", start = 10, end = 20 });
            Assert.Equal(409, create.GetProperty("status").GetInt32());
            Assert.Contains("Reopen", create.GetProperty("detail").GetString());
            var delete = await live.CallAsync("DeleteAnnotation", claim, 1);
            Assert.Equal(409, delete.GetProperty("status").GetInt32());
        }
        Assert.Equal(before, await manager.Http.GetStringAsync($"/api/documents/{docs[0]}/annotations"));
        // Her other, unfinished document is not locked.
        Assert.Equal(HttpStatusCode.OK, (await ana.Http.PatchAsync($"/api/annotations/{elsewhere}", JsonContent.Create(new { note = "fine", version = 1 }))).StatusCode);
        // The editor says so.
        var page = await ana.Http.GetStringAsync($"/documents/{docs[0]}");
        Assert.Contains("\"finishedLocks\":true", page);
        Assert.Contains("data-testid=\"read-only\"", page);

        // She reopens it herself: writing works again.
        (await ana.Http.PutAsJsonAsync($"/api/documents/{docs[0]}/status", new { status = "in_progress" })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await ana.Http.PatchAsync($"/api/annotations/{claim}", JsonContent.Create(new { note = "changed", version = 1 }))).StatusCode);

        // Finished again; only a manager reopens it for her, and the log names the manager as the actor.
        (await ana.Http.PutAsJsonAsync($"/api/documents/{docs[0]}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        var byAnnotator = await ana.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/reopen", new { userId = anaId });
        Assert.Equal(HttpStatusCode.Forbidden, byAnnotator.StatusCode);
        var reopened = await manager.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/reopen", new { userId = anaId });
        Assert.Equal(HttpStatusCode.OK, reopened.StatusCode);
        Assert.Equal("in_progress", (await reopened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var last = (await manager.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events?document={docs[0]}")).EnumerateArray().Last();
        Assert.Equal("document_state_changed", last.GetProperty("kind").GetString());
        Assert.Equal(anaId, last.GetProperty("ownerId").GetString());
        Assert.NotEqual(anaId, last.GetProperty("actorId").GetString());
        Assert.Equal(HttpStatusCode.OK, (await ana.Http.PatchAsync($"/api/annotations/{claim}", JsonContent.Create(new { note = "again", version = 2 }))).StatusCode);
        // Nothing to reopen now.
        Assert.Equal(HttpStatusCode.Conflict, (await manager.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/reopen", new { userId = anaId })).StatusCode);

        // With the setting off, finished documents stay editable (as before).
        (await ana.Http.PutAsJsonAsync($"/api/documents/{docs[0]}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        (await Work.PatchAsync(manager, projectId, new { finishedLocks = false })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await ana.Http.PatchAsync($"/api/annotations/{claim}", JsonContent.Create(new { note = "unlocked", version = 3 }))).StatusCode);
    }
}
