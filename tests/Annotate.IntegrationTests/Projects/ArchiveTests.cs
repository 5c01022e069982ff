using Annotate.IntegrationTests.LiveSync;

namespace Annotate.IntegrationTests.Projects;

/// <summary>An archived project is hidden from the project list and read-only: every write refuses (409), reading and exporting work.</summary>
public class ArchiveTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    private const string Text = "The Coast Guard said all 212 passengers were rescued on Tuesday.";

    private static async Task AssertArchivedRefusal(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("archived", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Only_managers_archive_an_archived_project_leaves_the_list_and_refuses_every_write_until_unarchived()
    {
        var lead = await factory.PersonAsync("lead");
        var ana = await factory.PersonAsync("ana");
        var rita = await factory.PersonAsync("rita");
        var outsider = await factory.PersonAsync("outsider");
        var newcomer = await factory.PersonAsync("newcomer");
        var (projectId, docs) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator"), (rita, "reviewer")], Text + " 1", Text + " 2");
        var span = await (await ana.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "claim", label = "CLAIM", start = 4, end = 15 }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        await using var anaLive = await factory.LiveAsync(ana);
        await anaLive.JoinAsync(docs[0]);

        Assert.Equal(HttpStatusCode.Forbidden, (await ana.Http.PostAsync($"/api/projects/{projectId}/archive", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await rita.Http.PostAsync($"/api/projects/{projectId}/archive", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.Http.PostAsync($"/api/projects/{projectId}/archive", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await lead.Http.PostAsync($"/api/projects/{projectId}/archive", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await lead.Http.PostAsync($"/api/projects/{projectId}/archive", null)).StatusCode);

        // Hidden from the list, listed among the archived ones.
        Assert.DoesNotContain((await ana.Http.GetFromJsonAsync<JsonElement>("/api/projects")).EnumerateArray(), p => p.GetProperty("id").GetInt64() == projectId);
        var archived = Assert.Single((await ana.Http.GetFromJsonAsync<JsonElement>("/api/projects?archived=true")).EnumerateArray(), p => p.GetProperty("id").GetInt64() == projectId);
        Assert.NotEqual(JsonValueKind.Null, archived.GetProperty("archivedAt").ValueKind);
        Assert.DoesNotContain($"/projects/{projectId}\"", await ana.Http.GetStringAsync("/projects"));
        Assert.Contains($"/projects/{projectId}\"", await ana.Http.GetStringAsync("/projects?archived=true"));

        // Open pages were told their access changed (they reload into the read-only page).
        await anaLive.WaitUntilAsync(c => c.AccessChanges.Contains(projectId));

        // Every write refuses, through the API and the hub.
        var upload = new MultipartFormDataContent { { new ByteArrayContent("Another article."u8.ToArray()), "files", "c.txt" } };
        await AssertArchivedRefusal(await lead.Http.PostAsync($"/api/projects/{projectId}/documents", upload));
        await AssertArchivedRefusal(await ana.Http.PostAsJsonAsync($"/api/documents/{docs[1]}/annotations", new { layer = "claim", label = "CLAIM", start = 4, end = 15 }));
        await AssertArchivedRefusal(await ana.Http.PatchAsJsonAsync($"/api/annotations/{span.GetProperty("id").GetGuid()}", new { label = "CLAIM", note = "n", version = 1 }));
        await AssertArchivedRefusal(await ana.Http.DeleteAsync($"/api/annotations/{span.GetProperty("id").GetGuid()}?version=1"));
        await AssertArchivedRefusal(await ana.Http.PutAsJsonAsync($"/api/documents/{docs[0]}/status", new { status = "finished" }));
        await AssertArchivedRefusal(await lead.Http.PatchAsJsonAsync($"/api/documents/{docs[0]}", new { title = "Renamed" }));
        await AssertArchivedRefusal(await lead.Http.DeleteAsync($"/api/documents/{docs[0]}"));
        await AssertArchivedRefusal(await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = newcomer.Email, role = "annotator" }));
        await AssertArchivedRefusal(await lead.Http.PatchAsJsonAsync($"/api/projects/{projectId}", new { name = "Renamed project" }));
        await AssertArchivedRefusal(await lead.Http.DeleteAsync($"/api/projects/{projectId}/members/{Uri.EscapeDataString(await UserIdAsync(lead, projectId, rita.Email))}"));
        var hubCreate = await anaLive.CallAsync("CreateAnnotation", docs[0], new { id = Guid.NewGuid(), layer = "entity", label = "ORGANIZATION", start = 4, end = 15 });
        Assert.False(hubCreate.GetProperty("ok").GetBoolean());
        Assert.Equal(409, hubCreate.GetProperty("status").GetInt32());
        Assert.Contains("archived", hubCreate.GetProperty("detail").GetString());
        var hubStatus = await anaLive.CallAsync("SetDocumentStatus", docs[0], "finished");
        Assert.Equal(409, hubStatus.GetProperty("status").GetInt32());

        // Reading and exporting still work.
        Assert.Single((await ana.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{docs[0]}/annotations")).EnumerateArray());
        Assert.Equal(2, (await ana.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await ana.Http.GetAsync($"/documents/{docs[0]}")).StatusCode);
        var export = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/exports", new { format = "annotate-jsonl" });
        Assert.True(export.IsSuccessStatusCode, await export.Content.ReadAsStringAsync());

        // Unarchiving: only managers; then writes work again and the project is listed.
        Assert.Equal(HttpStatusCode.Forbidden, (await ana.Http.PostAsync($"/api/projects/{projectId}/unarchive", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await lead.Http.PostAsync($"/api/projects/{projectId}/unarchive", null)).StatusCode);
        Assert.Contains((await ana.Http.GetFromJsonAsync<JsonElement>("/api/projects")).EnumerateArray(), p => p.GetProperty("id").GetInt64() == projectId);
        (await ana.Http.PostAsJsonAsync($"/api/documents/{docs[1]}/annotations", new { layer = "claim", label = "CLAIM", start = 4, end = 15 })).EnsureSuccessStatusCode();
        (await lead.Http.PatchAsJsonAsync($"/api/documents/{docs[0]}", new { title = "Renamed" })).EnsureSuccessStatusCode();
    }

    private static async Task<string> UserIdAsync(SignedInClient manager, long projectId, string email) =>
        (await manager.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/members")).EnumerateArray()
            .Single(m => m.GetProperty("email").GetString() == email).GetProperty("userId").GetString()!;
}
