using Annotate.IntegrationTests.LiveSync;

namespace Annotate.IntegrationTests.Workflow;

/// <summary>Large projects: the progress table and the documents list page and filter on the server.</summary>
public class ProgressPagingTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    private const string Text = "Officials said 212 were rescued. The company said 190 were.";

    [Fact]
    public async Task Progress_per_document_pages_with_a_cursor_and_filters_by_search_and_assignee()
    {
        var lead = await factory.PersonAsync("lead");
        var ana = await factory.PersonAsync("ana");
        var ben = await factory.PersonAsync("ben");
        var (projectId, d) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator")], Text, Text + " B.", Text + " C.");
        var anaId = await Work.UserIdAsync(lead, projectId, ana.Email);
        var benId = await Work.UserIdAsync(lead, projectId, ben.Email);
        await Work.AssignAsync(lead, projectId, [d[0], d[1]], [anaId]);
        await Work.AssignAsync(lead, projectId, [d[1]], [benId]);
        (await ana.Http.PutAsJsonAsync($"/api/documents/{d[1]}/status", new { status = "finished" })).EnsureSuccessStatusCode();

        // Two a page: the first page has a cursor, the second takes the rest and ends the list.
        var first = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/progress/documents?limit=2");
        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.Equal(new long[] { d[0], d[1] }, Ids(first));
        var second = await lead.Http.GetFromJsonAsync<JsonElement>(
            $"/api/projects/{projectId}/progress/documents?limit=2&cursor={Uri.EscapeDataString(first.GetProperty("next").GetString()!)}");
        Assert.Equal(new long[] { d[2] }, Ids(second));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);
        var row = first.GetProperty("items")[1];
        Assert.Equal((2, 1, 1), (row.GetProperty("assigned").GetInt32(), row.GetProperty("started").GetInt32(), row.GetProperty("finished").GetInt32()));

        // Filters: an assignee by id, nobody, and a title search.
        Assert.Equal(new long[] { d[1] }, Ids(await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/progress/documents?assignee={benId}")));
        Assert.Equal(new long[] { d[2] }, Ids(await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/progress/documents?assignee=none")));
        var title = first.GetProperty("items")[0].GetProperty("title").GetString()!;
        var searched = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/progress/documents?q={Uri.EscapeDataString(title)}");
        Assert.Contains(d[0], Ids(searched));

        // The per-annotator table in the same shape; bad input and roles.
        var people = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/progress/annotators");
        Assert.Equal(2, people.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await lead.Http.GetAsync($"/api/projects/{projectId}/progress/documents?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await lead.Http.GetAsync($"/api/projects/{projectId}/progress/documents?cursor=nonsense")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ana.Http.GetAsync($"/api/projects/{projectId}/progress/documents")).StatusCode);

        // The page shows one page of documents and keeps the filter in its pager.
        var page = await lead.Http.GetStringAsync($"/projects/{projectId}/progress?assignee={anaId}");
        Assert.Contains("2 document(s) match.", page);
        // Ana's finish is on the chart of finished documents over time, dated today (the log's day, UTC).
        Assert.Contains("id=\"finished-chart\"", page);
        Assert.Contains($"\"day\":\"{DateTime.UtcNow:yyyy-MM-dd}\",\"count\":1", page);
    }

    [Fact]
    public async Task The_documents_list_filters_by_assignee_me_an_id_or_none()
    {
        var lead = await factory.PersonAsync("lead");
        var ana = await factory.PersonAsync("ana");
        var (projectId, d) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator")], Text, Text + " B.", Text + " C.");
        var anaId = await Work.UserIdAsync(lead, projectId, ana.Email);
        await Work.AssignAsync(lead, projectId, [d[0], d[2]], [anaId]);
        (await ana.Http.PutAsJsonAsync($"/api/documents/{d[2]}/status", new { status = "finished" })).EnsureSuccessStatusCode();

        Assert.Equal(new long[] { d[0], d[2] }, Ids(await ana.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents?assignee=me")));
        Assert.Equal(new long[] { d[0], d[2] }, Ids(await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents?assignee={anaId}")));
        Assert.Equal(new long[] { d[1] }, Ids(await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents?assignee=none")));
        Assert.Empty(Ids(await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents?assignee=me")));
        // With an assignee, state is theirs: the lead asks which of Ana's are finished.
        Assert.Equal(new long[] { d[2] }, Ids(await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents?assignee={anaId}&state=finished")));
        var page = await lead.Http.GetStringAsync($"/projects/{projectId}?tab=documents&assignee=none");
        Assert.Contains("1 document(s) match.", page);
    }

    private static List<long> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty(i.TryGetProperty("documentId", out _) ? "documentId" : "id").GetInt64()).ToList();
}
