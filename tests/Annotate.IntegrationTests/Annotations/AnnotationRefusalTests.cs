namespace Annotate.IntegrationTests.Annotations;

/// <summary>Every refusal of the REST API changes nothing: not the spans, not the links, not the log.</summary>
public class AnnotationRefusalTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    private const string Text = "A🇸🇾 flag. Officials said 212 were rescued. The company said 190 were.";

    private async Task<(SignedInClient Lead, long ProjectId, long DocumentId)> ProjectAsync()
    {
        var lead = await factory.SignUpAsync("lead");
        var projectId = await lead.ProjectAsync("Refusals " + Guid.NewGuid());
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(Text)), "files", "a.txt" } };
        var created = await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        return (lead, projectId, created.GetProperty("created")[0].GetProperty("id").GetInt64());
    }

    /// <summary>Spans, links and log as they are now, to compare after a refusal.</summary>
    private static async Task<string> StateAsync(SignedInClient lead, long projectId, long documentId) =>
        (await lead.Http.GetStringAsync($"/api/documents/{documentId}/annotations"))
        + (await lead.Http.GetStringAsync($"/api/projects/{projectId}/relations"))
        + (await lead.Http.GetStringAsync($"/api/projects/{projectId}/events?after=0"));

    private static async Task<Microsoft.AspNetCore.Mvc.ProblemDetails> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string expected)
    {
        var problem = await response.ProblemAsync(status);
        Assert.Contains(expected, problem.Detail);
        return problem;
    }

    [Fact]
    public async Task Bad_updates_stale_deletes_and_bad_links_are_refused_and_change_nothing()
    {
        var (lead, projectId, documentId) = await ProjectAsync();
        var first = await (await lead.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", new { layer = "claim", label = "CLAIM", start = 10, end = 41 }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var second = await (await lead.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", new { layer = "claim", label = "CLAIM", start = 42, end = 68 }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var entity = await (await lead.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", new { layer = "entity", label = "QUANTITY", start = 27, end = 30 }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var id = first.GetProperty("id").GetGuid();
        var before = await StateAsync(lead, projectId, documentId);

        await ProblemAsync(await lead.Http.PatchAsJsonAsync($"/api/annotations/{id}", new { start = 10, end = 500, version = 1 }), HttpStatusCode.BadRequest, "past the end");
        await ProblemAsync(await lead.Http.PatchAsJsonAsync($"/api/annotations/{id}", new { start = -2, end = 5, version = 1 }), HttpStatusCode.BadRequest, "cannot be negative");
        await ProblemAsync(await lead.Http.PatchAsJsonAsync($"/api/annotations/{id}", new { start = 30, end = 12, version = 1 }), HttpStatusCode.BadRequest, "start must be before its end");
        await ProblemAsync(await lead.Http.PatchAsJsonAsync($"/api/annotations/{id}", new { start = 2, end = 8, unit = "utf16", version = 1 }), HttpStatusCode.BadRequest, "inside a character");
        await ProblemAsync(await lead.Http.PatchAsJsonAsync($"/api/annotations/{id}", new { label = "RUMOUR", version = 1 }), HttpStatusCode.BadRequest, "RUMOUR");
        await ProblemAsync(await lead.Http.PatchAsJsonAsync($"/api/annotations/{Guid.NewGuid()}", new { note = "x", version = 1 }), HttpStatusCode.NotFound, "");

        Assert.Equal(before, await StateAsync(lead, projectId, documentId));

        // A stale delete is refused with the span as it is now, so the client can show the conflict.
        (await lead.Http.PatchAsJsonAsync($"/api/annotations/{id}", new { note = "checked", version = 1 })).EnsureSuccessStatusCode();
        before = await StateAsync(lead, projectId, documentId);
        var stale = await ProblemAsync(await lead.Http.DeleteAsync($"/api/annotations/{id}?version=1"), HttpStatusCode.Conflict, "");
        var current = Assert.IsType<JsonElement>(stale.Extensions["current"]);
        Assert.Equal("checked", current.GetProperty("note").GetString());
        Assert.Equal(2, current.GetProperty("version").GetInt32());

        // Links: to an entity, to a missing span, of an unknown type, to itself.
        var from = first.GetProperty("id").GetGuid();
        await ProblemAsync(await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "contradicts", from, to = entity.GetProperty("id").GetGuid() }), HttpStatusCode.BadRequest, "relations link claims");
        await ProblemAsync(await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "contradicts", from, to = Guid.NewGuid() }), HttpStatusCode.NotFound, "");
        await ProblemAsync(await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "refutes", from, to = second.GetProperty("id").GetGuid() }), HttpStatusCode.BadRequest, "CONTRADICTS");
        await ProblemAsync(await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "supports", from, to = from }), HttpStatusCode.BadRequest, "");
        Assert.Equal(before, await StateAsync(lead, projectId, documentId));
    }

    [Fact]
    public async Task A_create_tells_an_outsider_only_that_the_document_is_not_theirs_and_a_member_what_is_wrong()
    {
        // A create's access is decided in its batch, after its offsets were checked against the text: the offsets,
        // the label or the project being archived must still reveal nothing to someone who may not write there.
        var (lead, projectId, documentId) = await ProjectAsync();
        var outsider = await factory.SignUpAsync("outsider");
        var before = await StateAsync(lead, projectId, documentId);
        object[] bad =
        [
            new { layer = "claim", label = "CLAIM", start = 5, end = 500 },
            new { layer = "entity", label = "QUANTITY", start = 2, end = 8, unit = "utf16" },
            new { layer = "entity", label = "RUMOUR", start = 27, end = 30 },
        ];
        foreach (var create in bad)
            await ProblemAsync(await outsider.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", create), HttpStatusCode.NotFound, "not a member");
        await ProblemAsync(await lead.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", bad[0]), HttpStatusCode.BadRequest, "past the end");
        await ProblemAsync(await lead.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", bad[1]), HttpStatusCode.BadRequest, "inside a character");
        await ProblemAsync(await lead.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", bad[2]), HttpStatusCode.BadRequest, "RUMOUR");
        Assert.Equal(before, await StateAsync(lead, projectId, documentId));

        (await lead.Http.PostAsync($"/api/projects/{projectId}/archive", null)).EnsureSuccessStatusCode();
        var good = new { layer = "entity", label = "QUANTITY", start = 27, end = 30 };
        await ProblemAsync(await outsider.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", good), HttpStatusCode.NotFound, "not a member");
        await ProblemAsync(await lead.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", good), HttpStatusCode.Conflict, "archived");
        // An archived project's bad offsets still say archived first: nothing can be written there.
        await ProblemAsync(await lead.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", bad[0]), HttpStatusCode.Conflict, "archived");
    }

    [Fact]
    public async Task A_retried_create_answers_the_same_span_once_and_a_link_is_deleted_with_its_version()
    {
        var (lead, projectId, documentId) = await ProjectAsync();
        var id = Guid.NewGuid();
        var request = new { id, layer = "claim", label = "CLAIM", start = 10, end = 41 };
        var created = await lead.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var retried = await lead.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", request);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal((await created.Content.ReadFromJsonAsync<JsonElement>()).GetRawText(), (await retried.Content.ReadFromJsonAsync<JsonElement>()).GetRawText());
        // The same id with other content is not a retry: refused, not silently merged.
        var clash = await lead.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", new { id, layer = "claim", label = "CLAIM", start = 42, end = 68 });
        Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
        Assert.Single((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{documentId}/annotations")).EnumerateArray());

        var other = await (await lead.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", new { layer = "claim", label = "CLAIM", start = 42, end = 68 }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var link = await (await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "contradicts", from = id, to = other.GetProperty("id").GetGuid() }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var linkId = link.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Conflict, (await lead.Http.DeleteAsync($"/api/relations/{linkId}?version=7")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await lead.Http.DeleteAsync($"/api/relations/{linkId}?version=1")).StatusCode);
        Assert.Empty((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/relations")).EnumerateArray());
        var events = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events?after=0")).EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal(1, events.Count(k => k == "relation_deleted"));
        Assert.Equal(2, events.Count(k => k == "annotation_created"));
    }
}
