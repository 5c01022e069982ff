using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.Benchmarks;

/// <summary>
/// Review on a 100,000-character article that five annotators annotated with 5,000 spans each (half the places agreed,
/// the rest label or boundary conflicts): the review page's first render beside the editor on the same text with one
/// annotator's spans, accept-all-agreed beside reading the review, and one decision's round trip beside one span's.
/// </summary>
public static class ReviewBench
{
    private const int Annotators = 5, SpansEach = 5_000;

    public static async Task<List<Figure>> RunAsync(BrowserFixture browser)
    {
        Console.WriteLine($"review: 100,000 characters, {Annotators} annotators x {SpansEach:N0} spans");
        var lead = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        await AnnotateFactory.SignUpAsync(lead, "bench-lead");
        var projectId = (await (await lead.PostAsJsonAsync("/api/projects", new { name = "Bench review" })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        async Task<HttpClient> MemberAsync(string who, string role)
        {
            var client = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
            var person = await AnnotateFactory.SignUpAsync(client, who);
            (await lead.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = person.Email, role })).EnsureSuccessStatusCode();
            return client;
        }
        var annotators = new List<HttpClient>();
        for (var i = 0; i < Annotators; i++) annotators.Add(await MemberAsync($"bench-annotator{i}", "annotator"));
        var reviewerClient = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        var reviewer = await AnnotateFactory.SignUpAsync(reviewerClient, "bench-reviewer");
        (await lead.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = reviewer.Email, role = "reviewer" })).EnsureSuccessStatusCode();

        var text = new StringBuilder();
        var sentence = "The Coast Guard said all 212 passengers 🚢 were rescued after the fire. ";
        while (text.Length < 100_000) text.Append(sentence);
        var article = text.ToString(0, 100_000);
        var documentId = await ImportAsync(lead, projectId, article, "review.txt");
        // The same text (one character changed, so it is no duplicate) with the first annotator's spans only: the editor's baseline.
        var baselineId = await ImportAsync(lead, projectId, "#" + article[1..], "editor.txt");
        await SeedAsync(documentId, Annotators);
        await SeedAsync(baselineId, 1);
        foreach (var annotator in annotators)
            (await annotator.PutAsJsonAsync($"/api/documents/{documentId}/status", new { status = "finished" })).EnsureSuccessStatusCode();

        var page = await browser.SignedInPageAsync(reviewer);
        var review = new List<double>();
        var editor = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            // From the start of navigation until the page has drawn what it is for: the units (review), the spans (editor).
            await page.GotoAsync($"/documents/{documentId}/review");
            await Assertions.Expect(page.GetByTestId("kind-counts")).ToContainTextAsync("open", new() { Timeout = 300_000 });
            review.Add(await page.EvaluateAsync<double>("() => performance.now()"));
            await page.GotoAsync($"/documents/{baselineId}");
            await Assertions.Expect(page.Locator("#document-text")).ToHaveAttributeAsync("data-first-render-ms", new System.Text.RegularExpressions.Regex("."), new() { Timeout = 300_000 });
            editor.Add(await page.EvaluateAsync<double>("() => performance.now()"));
        }
        Console.WriteLine($"review page first render: {string.Join(", ", review.Select(r => r.ToString("0")))} ms; editor: {string.Join(", ", editor.Select(r => r.ToString("0")))} ms");

        var reads = new List<double>();
        for (var i = 0; i < 3; i++) reads.Add(await TimeAsync(() => reviewerClient.GetAsync($"/api/documents/{documentId}/review")));
        var acceptAgreed = await TimeAsync(() => reviewerClient.PostAsJsonAsync($"/api/documents/{documentId}/review/decisions", new { action = "accept-agreed" }));

        // One decision at a time on open conflicts, from the middle of the article on, beside one span created.
        var open = (await reviewerClient.GetFromJsonAsync<JsonElement>($"/api/documents/{documentId}/review")).GetProperty("units").EnumerateArray()
            .Where(u => u.GetProperty("decision").ValueKind == JsonValueKind.Null).Skip(1_000).Take(7).ToList();
        var decisions = new List<double>();
        var spans = new List<double>();
        for (var i = 0; i < open.Count; i++)
        {
            var unit = open[i];
            var version = unit.GetProperty("versions")[0];
            decisions.Add(await TimeAsync(() => reviewerClient.PostAsJsonAsync($"/api/documents/{documentId}/review/decisions", new
            {
                action = "accept", unit = unit.GetProperty("id").GetString(), annotatorId = version.GetProperty("annotatorId").GetString(),
                spanId = version.GetProperty("spanId").GetGuid(), version = unit.GetProperty("version").GetInt32(),
            })));
            spans.Add(await TimeAsync(() => annotators[0].PostAsJsonAsync($"/api/documents/{baselineId}/annotations",
                new { layer = "entity", label = "PERSON", start = 50_000 + i * 19 + 10, end = 50_000 + i * 19 + 14 })));
        }
        var (render, baseline) = (Figure.Median(review), Figure.Median(editor));
        var (decision, span) = (Figure.Median(decisions), Figure.Median(spans));
        return
        [
            new($"review page first render, {Annotators} x {SpansEach:N0} spans (navigation to units drawn, median of 3)", render, "ms",
                "the editor on the same text with one annotator's spans", baseline, "<= 1000 ms", render <= 1000),
            new($"accept all agreed on it ({SpansEach / 2:N0} agreed units), round trip", acceptAgreed, "ms", "reading the review (median of 3)", Figure.Median(reads), "<= 2000 ms", acceptAgreed <= 2000),
            new("one review decision, round trip (median of 7)", decision, "ms", "one span created, round trip", span, "<= 50 ms", decision <= 50),
        ];
    }

    private static async Task<long> ImportAsync(HttpClient http, long projectId, string text, string name)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "files", name } };
        return (await (await http.PostAsync($"/api/projects/{projectId}/documents", form)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("created")[0].GetProperty("id").GetInt64();
    }

    private static async Task<double> TimeAsync(Func<Task<HttpResponseMessage>> call)
    {
        var clock = Stopwatch.StartNew();
        (await call()).EnsureSuccessStatusCode();
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// The first <paramref name="annotators"/> annotators (in account order) each mark 5,000 places, every 19 code
    /// points: where the place's number modulo 20 is 10 or more all agree; below, annotator k alone says PERSON at k
    /// and takes one more character at k + 5, so the other places hold label and boundary conflicts.
    /// </summary>
    private static async Task SeedAsync(long documentId, int annotators)
    {
        await using var connection = new Npgsql.NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using var insert = new Npgsql.NpgsqlCommand("""
            WITH people AS (
                SELECT m.user_id, row_number() OVER (ORDER BY m.user_id) - 1 AS k FROM documents d
                JOIN project_members m ON m.project_id = d.project_id AND m.role = 'annotator' WHERE d.id = @document)
            INSERT INTO annotations (id, project_id, document_id, annotator_id, layer, label, start, "end", text, attributes, version, origin, created_at, updated_at)
            SELECT gen_random_uuid(), d.project_id, d.id, p.user_id, 'entity', s.label, s.start, s.start + s.length,
                   substring(d.text FROM s.start + 1 FOR s.length), '{}', 1, 'manual', now(), now()
            FROM documents d
            CROSS JOIN people p
            CROSS JOIN generate_series(0, @count - 1) AS g
            CROSS JOIN LATERAL (SELECT g * 19 AS start,
                CASE WHEN g % 20 = p.k + 5 THEN 10 ELSE 9 END AS length,
                CASE WHEN g % 20 = p.k THEN 'PERSON' ELSE 'ORGANIZATION' END AS label) s
            WHERE d.id = @document AND p.k < @annotators
            """, connection);
        // Slicing a long text by code points costs a scan per span: 25,000 of them take a while on a busy machine.
        insert.CommandTimeout = 900;
        insert.Parameters.AddWithValue("document", documentId);
        insert.Parameters.AddWithValue("count", SpansEach);
        insert.Parameters.AddWithValue("annotators", (long)annotators);
        await insert.ExecuteNonQueryAsync();
    }
}
