using Annotate.IntegrationTests.LiveSync;

namespace Annotate.IntegrationTests.Workflow;

/// <summary>
/// The progress tables sort on the server by every column, both ways, and page under any sort with a keyset cursor:
/// against a hand-made case of four documents and three annotators whose figures differ column by column.
/// </summary>
public class ProgressSortTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    private const string Text = "Officials said 212 were rescued. The company said 190 were.";

    [Fact]
    public async Task Every_column_sorts_both_ways_pages_exactly_once_under_its_sort_and_a_bad_key_names_the_allowed_ones()
    {
        var lead = await factory.PersonAsync("lead");
        var ana = await factory.PersonAsync("ana");
        var ben = await factory.PersonAsync("ben");
        var cy = await factory.PersonAsync("cy");
        var (projectId, d) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator"), (cy, "annotator")],
            Text, Text + " B.", Text + " C.", Text + " D.");
        var (anaId, benId, cyId) = (await Work.UserIdAsync(lead, projectId, ana.Email), await Work.UserIdAsync(lead, projectId, ben.Email),
            await Work.UserIdAsync(lead, projectId, cy.Email));
        // Titles in an order of their own: alpha (d1), bravo (d3), charlie (d2), delta (d0).
        foreach (var (document, title) in new[] { (d[0], "delta"), (d[1], "alpha"), (d[2], "charlie"), (d[3], "bravo") })
            (await lead.Http.PatchAsJsonAsync($"/api/documents/{document}", new { title })).EnsureSuccessStatusCode();
        await Work.AssignAsync(lead, projectId, [d[0], d[1], d[2]], [anaId]);
        await Work.AssignAsync(lead, projectId, [d[1], d[2]], [benId]);
        await Work.AssignAsync(lead, projectId, [d[1]], [cyId]);
        await Work.AssignAsync(lead, projectId, [d[2]], [await Work.UserIdAsync(lead, projectId, lead.Email)], kind: "curate");

        // In this order, so that last active differs per document and per person.
        foreach (var (start, end) in new[] { (0, 9), (15, 18), (33, 44) }) await Work.ClaimAsync(cy, d[1], start, end);
        await Work.ClaimAsync(ana, d[3]);
        await Work.ClaimAsync(ana, d[3], 33, 44);
        await Work.ClaimAsync(ben, d[1], 50, 53);
        await StatusAsync(ana, d[2], "finished");
        await StatusAsync(ana, d[1], "finished");
        await StatusAsync(ben, d[1], "finished");
        await StatusAsync(ana, d[0], "in_progress");
        (await lead.Http.PutAsJsonAsync($"/api/documents/{d[0]}/curation", new { state = "in_progress" })).EnsureSuccessStatusCode();
        (await lead.Http.PutAsJsonAsync($"/api/documents/{d[1]}/curation", new { state = "reopened" })).EnsureSuccessStatusCode();

        // Ascending, by hand; ties by id. Descending is the same list reversed (ties too).
        var documentOrders = new Dictionary<string, long[]>
        {
            ["id"] = [d[0], d[1], d[2], d[3]],
            ["title"] = [d[1], d[3], d[2], d[0]],
            ["assigned"] = [d[3], d[0], d[2], d[1]],  // d0..d3: 1, 3, 2, 0
            ["started"] = [d[0], d[2], d[3], d[1]],   // 1, 3, 1, 1 (a span starts it)
            ["finished"] = [d[0], d[3], d[2], d[1]],  // 0, 2, 1, 0
            ["reviewers"] = [d[0], d[1], d[3], d[2]], // d2 only
            ["spans"] = [d[0], d[2], d[3], d[1]],     // 0, 4, 0, 2
            ["curatedSpans"] = [d[0], d[1], d[2], d[3]],
            ["curation"] = [d[2], d[3], d[0], d[1]],  // in progress, reopened, none, none
            ["lastActive"] = [d[3], d[2], d[1], d[0]],
        };
        foreach (var (key, ascending) in documentOrders)
        foreach (var (dir, expected) in new[] { ("asc", ascending), ("desc", ascending.Reverse().ToArray()) })
        {
            var whole = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/progress/documents?sort={key}&dir={dir}");
            Assert.True(expected.SequenceEqual(DocumentIds(whole)), $"{key} {dir}: {string.Join(",", DocumentIds(whole))}");
            // One a page, following the cursor: every document once, in the same order.
            var paged = await FollowAsync(lead, $"/api/projects/{projectId}/progress/documents?sort={key}&dir={dir}&limit=1", DocumentIds);
            Assert.True(expected.SequenceEqual(paged), $"{key} {dir} paged: {string.Join(",", paged)}");
        }

        var names = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/progress/annotators")).GetProperty("items").EnumerateArray()
            .ToDictionary(a => a.GetProperty("userId").GetString()!, a => a.GetProperty("name").GetString()!);
        string[] Ties(params string[] tied) => tied.Order(StringComparer.Ordinal).ToArray();
        var annotatorOrders = new Dictionary<string, string[]>
        {
            ["name"] = names.OrderBy(n => n.Value, StringComparer.OrdinalIgnoreCase).ThenBy(n => n.Key, StringComparer.Ordinal).Select(n => n.Key).ToArray(),
            ["email"] = [anaId, benId, cyId], // ana-..., ben-..., cy-...
            ["assigned"] = [cyId, benId, anaId],               // ana 3, ben 2, cy 1
            ["notStarted"] = [.. Ties(anaId, cyId), benId],     // ana 0, ben 1, cy 0 (her spans started it)
            ["inProgress"] = [benId, cyId, anaId],             // ana 2, ben 0, cy 1
            ["finished"] = [cyId, benId, anaId],               // ana 2, ben 1, cy 0
            ["spans"] = [benId, anaId, cyId],                  // ana 2, ben 1, cy 3
            ["lastActive"] = [cyId, benId, anaId],
        };
        foreach (var (key, ascending) in annotatorOrders)
        foreach (var (dir, expected) in new[] { ("asc", ascending), ("desc", ascending.Reverse().ToArray()) })
        {
            var whole = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/progress/annotators?sort={key}&dir={dir}");
            Assert.True(expected.SequenceEqual(UserIds(whole)), $"{key} {dir}");
            Assert.True(expected.SequenceEqual(await FollowAsync(lead, $"/api/projects/{projectId}/progress/annotators?sort={key}&dir={dir}&limit=1", UserIds)), $"{key} {dir} paged");
        }

        // The whole report and the CSVs take the same sorts.
        var report = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/progress?sort=spans&dir=desc&annotatorSort=spans");
        Assert.Equal([d[1], d[3], d[2], d[0]], report.GetProperty("documents").EnumerateArray().Select(x => x.GetProperty("documentId").GetInt64()));
        Assert.Equal([benId, anaId, cyId], report.GetProperty("annotators").EnumerateArray().Select(x => x.GetProperty("userId").GetString()));
        var csv = (await lead.Http.GetStringAsync($"/api/projects/{projectId}/progress.csv?table=documents&sort=title")).TrimEnd('\n').Split('\n');
        Assert.Equal("document_id,title,assigned,started,finished,required,reviewers,curated_spans,curation_state,spans,last_active", csv[0]);
        Assert.Equal(["alpha", "bravo", "charlie", "delta"], csv.Skip(1).Select(l => l.Split(',')[1]));
        Assert.StartsWith($"{d[1]},alpha,3,3,2,", csv[1]);
        Assert.Contains(",0,0,reopened,4,", csv[1]); // reviewers, curated spans, curation, spans
        var people = (await lead.Http.GetStringAsync($"/api/projects/{projectId}/progress.csv?table=annotators&sort=finished&dir=desc")).TrimEnd('\n').Split('\n');
        Assert.Equal([anaId, benId, cyId], people.Skip(1).Select(l => l.Split(',')[0]));

        // The page: both tables sorted as asked, the headers say so and link to the other direction.
        var page = await lead.Http.GetStringAsync($"/projects/{projectId}/progress?sort=spans&dir=desc&peopleSort=lastActive&peopleDir=asc");
        Assert.Matches("aria-sort=\"descending\"><a href=\"[^\"]*sort=spans&amp;dir=asc", page);
        Assert.Matches("aria-sort=\"ascending\"><a href=\"[^\"]*peopleSort=lastActive&amp;peopleDir=desc", page);
        var table = page[page.IndexOf("data-testid=\"progress-documents\"", StringComparison.Ordinal)..];
        Assert.True(table.IndexOf(">alpha<", StringComparison.Ordinal) < table.IndexOf(">bravo<", StringComparison.Ordinal)
            && table.IndexOf(">bravo<", StringComparison.Ordinal) < table.IndexOf(">charlie<", StringComparison.Ordinal));

        // Refusals: a key the table has not, a direction, a cursor of another sort; each a problem naming what is allowed.
        var bad = await lead.Http.GetAsync($"/api/projects/{projectId}/progress/documents?sort=secret");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("id, title, assigned, started, finished, reviewers, spans, curatedSpans, curation, lastActive", problem.GetProperty("detail").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("sort", out _));
        var badPeople = await (await lead.Http.GetAsync($"/api/projects/{projectId}/progress/annotators?sort=title")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("name, email, assigned, notStarted, inProgress, finished, spans, lastActive", badPeople.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await lead.Http.GetAsync($"/api/projects/{projectId}/progress/documents?dir=up")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await lead.Http.GetAsync($"/api/projects/{projectId}/progress.csv?table=documents&sort=name")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await lead.Http.GetAsync($"/projects/{projectId}/progress?sort=secret")).StatusCode);
        var spansCursor = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/progress/documents?sort=spans&limit=1")).GetProperty("next").GetString()!;
        var mixed = await lead.Http.GetAsync($"/api/projects/{projectId}/progress/documents?sort=title&limit=1&cursor={Uri.EscapeDataString(spansCursor)}");
        Assert.Equal(HttpStatusCode.BadRequest, mixed.StatusCode);
        Assert.Contains("sorted by spans asc", (await mixed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_page_pages_back_and_forth_under_a_sort()
    {
        var lead = await factory.PersonAsync("lead");
        var texts = Enumerable.Range(0, 55).Select(i => $"{Text} Number {i}.").ToArray();
        var (projectId, d) = await LiveFactory.ProjectAsync(lead, "open", [], texts);
        // The newest first: the first page ends at the 50th newest, the next page has the five oldest.
        var first = await lead.Http.GetStringAsync($"/projects/{projectId}/progress?sort=id&dir=desc");
        Assert.Contains($"/documents/{d[54]}\"", first);
        Assert.DoesNotContain($"/documents/{d[4]}\"", first);
        var next = System.Text.RegularExpressions.Regex.Match(first, "rel=\"next\" href=\"([^\"]+)\"").Groups[1].Value.Replace("&amp;", "&");
        var second = await lead.Http.GetStringAsync(next);
        Assert.Contains($"/documents/{d[4]}\"", second);
        Assert.Contains($"/documents/{d[0]}\"", second);
        Assert.DoesNotContain($"/documents/{d[5]}\"", second);
        var previous = System.Text.RegularExpressions.Regex.Match(second, "rel=\"prev\" href=\"([^\"]+)\"").Groups[1].Value.Replace("&amp;", "&");
        var back = await lead.Http.GetStringAsync(previous);
        Assert.Contains($"/documents/{d[54]}\"", back);
        Assert.Contains($"/documents/{d[5]}\"", back);
        Assert.DoesNotContain($"/documents/{d[4]}\"", back);
    }

    private static async Task StatusAsync(SignedInClient who, long documentId, string status) =>
        (await who.Http.PutAsJsonAsync($"/api/documents/{documentId}/status", new { status })).EnsureSuccessStatusCode();

    /// <summary>Every item of a listing, page by page through its <c>next</c> cursors; a row seen twice fails.</summary>
    private static async Task<List<T>> FollowAsync<T>(SignedInClient who, string first, Func<JsonElement, IEnumerable<T>> items)
    {
        var all = new List<T>();
        string? cursor = null;
        do
        {
            var page = await who.Http.GetFromJsonAsync<JsonElement>(cursor is null ? first : $"{first}&cursor={Uri.EscapeDataString(cursor)}");
            all.AddRange(items(page));
            cursor = page.GetProperty("next").GetString();
            Assert.True(all.Count <= 10, "the cursor went round");
        } while (cursor is not null);
        Assert.Equal(all.Count, all.Distinct().Count());
        return all;
    }

    private static IEnumerable<long> DocumentIds(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("documentId").GetInt64());

    private static IEnumerable<string> UserIds(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("userId").GetString()!);
}
