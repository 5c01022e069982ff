namespace Annotate.IntegrationTests.Documents;

/// <summary>The documents API and the list page page and search on the server: {items, next, total} with a keyset cursor.</summary>
public class DocumentListTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    private static async Task<(long ProjectId, long[] Ids)> ProjectAsync(SignedInClient lead, params string[] names)
    {
        var projectId = await lead.ProjectAsync("List " + Guid.NewGuid());
        return (projectId, await ImportAsync(lead, projectId, names));
    }

    private static Task<long[]> ImportAsync(SignedInClient lead, long projectId, params string[] names) =>
        lead.DocumentsAsync(projectId, [.. names.Select(name => (name + ".txt", $"The article called {name} says something."))]);

    private static List<long> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetInt64()).ToList();

    [Fact]
    public async Task Pages_follow_the_cursor_to_the_end_and_a_document_imported_meanwhile_comes_last_without_repeats()
    {
        var lead = await factory.SignUpAsync("lead");
        var (projectId, ids) = await ProjectAsync(lead, "a1", "a2", "a3", "a4", "a5", "a6", "a7");

        var first = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents?limit=3");
        Assert.Equal(7, first.GetProperty("total").GetInt32());
        Assert.Equal(ids.Order().Take(3), Ids(first));
        var seen = Ids(first);
        // Imported between two pages: it shifts nothing, and comes on the last page.
        var late = (await ImportAsync(lead, projectId, "late")).Single();
        var cursor = first.GetProperty("next").GetString();
        while (cursor is not null)
        {
            var page = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents?limit=3&cursor={Uri.EscapeDataString(cursor)}");
            Assert.Equal(8, page.GetProperty("total").GetInt32());
            seen.AddRange(Ids(page));
            cursor = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }
        Assert.Equal([.. ids.Order(), late], seen);

        var whole = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents");
        Assert.Equal(8, whole.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, whole.GetProperty("next").ValueKind);
        var item = whole.GetProperty("items")[0];
        foreach (var field in new[] { "id", "title", "source", "publishedAt", "length", "sha256", "createdAt" }) Assert.True(item.TryGetProperty(field, out _), field);
        Assert.False(item.TryGetProperty("text", out _));
    }

    [Fact]
    public async Task Search_by_title_or_source_and_by_the_callers_state_and_clear_refusals()
    {
        var lead = await factory.SignUpAsync("lead");
        var (projectId, ids) = await ProjectAsync(lead, "ferry-fire", "ferry_rescue", "election-night", "turnout");
        (await lead.Http.PatchAsJsonAsync($"/api/documents/{ids[1]}", new { title = "ferry_rescue" })).EnsureSuccessStatusCode();
        (await lead.Http.PatchAsJsonAsync($"/api/documents/{ids[3]}", new { title = "100% turnout" })).EnsureSuccessStatusCode();
        var ferry = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents?q=FERRY");
        Assert.Equal(2, ferry.GetProperty("total").GetInt32());
        Assert.Equal([ids[0], ids[1]], Ids(ferry));
        // LIKE's wildcards are searched for as themselves.
        Assert.Equal([ids[1]], Ids(await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents?q=y_r")));
        Assert.Equal([ids[3]], Ids(await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents?q={Uri.EscapeDataString("100%")}")));

        (await lead.Http.PutAsJsonAsync($"/api/documents/{ids[2]}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        (await lead.Http.PutAsJsonAsync($"/api/documents/{ids[3]}/status", new { status = "in_progress" })).EnsureSuccessStatusCode();
        Assert.Equal([ids[2]], Ids(await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents?state=finished")));
        Assert.Equal([ids[3]], Ids(await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents?state=in_progress")));
        Assert.Equal([ids[0], ids[1]], Ids(await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents?state=new")));
        // The state is the caller's own: another member has not started any.
        var ana = await factory.SignUpAsync("ana");
        (await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = ana.Email, role = "annotator" })).EnsureSuccessStatusCode();
        Assert.Equal(4, (await ana.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents?state=new")).GetProperty("total").GetInt32());

        foreach (var (query, says) in new[] { ("limit=0", "limit"), ("limit=1001", "limit"), ("cursor=bm9wZQ", "cursor"), ("cursor=%%%", "cursor"), ("state=done", "state") })
        {
            var refused = await lead.Http.GetAsync($"/api/projects/{projectId}/documents?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(says, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }
        var outsider = await factory.SignUpAsync("outsider");
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.Http.GetAsync($"/api/projects/{projectId}/documents?q=ferry")).StatusCode);
    }

    [Fact]
    public async Task The_project_page_lists_one_page_with_links_to_the_next_and_searches_on_the_server()
    {
        var lead = await factory.SignUpAsync("lead");
        var names = Enumerable.Range(1, 53).Select(i => $"article-{i:000}").ToArray();
        var (projectId, ids) = await ProjectAsync(lead, names);

        var html = await lead.Http.GetStringAsync($"/projects/{projectId}");
        Assert.Contains("53 document(s).", html);
        Assert.Contains($"/documents/{ids[49]}\"", html);
        Assert.DoesNotContain($"/documents/{ids[50]}\"", html);
        var next = System.Text.RegularExpressions.Regex.Match(html, "href=\"([^\"]*after=[^\"]*)\" ?[^>]*>Next").Groups[1].Value;
        Assert.NotEmpty(next);
        var second = await lead.Http.GetStringAsync(System.Net.WebUtility.HtmlDecode(next));
        Assert.Contains($"/documents/{ids[50]}\"", second);
        Assert.Contains($"/documents/{ids[52]}\"", second);
        Assert.DoesNotContain($"/documents/{ids[49]}\"", second);
        Assert.Contains("Previous", second);

        var found = await lead.Http.GetStringAsync($"/projects/{projectId}?tab=documents&q=article-017");
        Assert.Contains("1 document(s) match.", found);
        Assert.Contains($"/documents/{ids[16]}\"", found);
        Assert.DoesNotContain($"/documents/{ids[0]}\"", found);
    }
}
