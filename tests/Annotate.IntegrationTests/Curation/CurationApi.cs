namespace Annotate.IntegrationTests.Curation;

/// <summary>A project with annotators, a reviewer and documents, set up through the API as people would.</summary>
public sealed record ReviewSetup(SignedInClient Lead, SignedInClient Reviewer, Dictionary<string, SignedInClient> Annotators, long ProjectId, long[] Docs);

/// <summary>Helpers the curation tests share.</summary>
public static class CurationApi
{
    public static async Task<ReviewSetup> ProjectAsync(Func<string, Task<SignedInClient>> signUp, string[] annotators, string visibility, params string[] texts)
    {
        var lead = await signUp("lead");
        var reviewer = await signUp("rita");
        var people = new Dictionary<string, SignedInClient>();
        foreach (var name in annotators) people[name] = await signUp(name);
        var projectId = await lead.ProjectAsync("Review " + Guid.NewGuid(), visibility);
        foreach (var (who, role) in people.Values.Select(p => (p, "annotator")).Append((reviewer, "reviewer")))
            (await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = who.Email, role })).EnsureSuccessStatusCode();
        var form = new MultipartFormDataContent();
        for (var i = 0; i < texts.Length; i++) form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(texts[i])), "files", $"doc{i}.txt");
        var docs = (await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("created").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()).ToArray();
        return new ReviewSetup(lead, reviewer, people, projectId, docs);
    }

    /// <summary>Ana Smith [0,9) met Ben Jones [14,23) in Paris [27,32) on Monday [36,42).</summary>
    public const string FourKindsText = "Ana Smith met Ben Jones in Paris on Monday.";

    /// <summary>ana and ben annotate <see cref="FourKindsText"/> (the first document) with one unit of each kind, and both finish.</summary>
    public static async Task<ReviewSetup> FourKindsAsync(Func<string, Task<SignedInClient>> signUp, string visibility = "open", params string[] moreTexts)
    {
        var setup = await ProjectAsync(signUp, ["ana", "ben"], visibility, [FourKindsText, .. moreTexts]);
        var (ana, ben, doc) = (setup.Annotators["ana"], setup.Annotators["ben"], setup.Docs[0]);
        await SpanAsync(ana, doc, "PERSON", 0, 9); await SpanAsync(ben, doc, "PERSON", 0, 9);                  // agreed
        await SpanAsync(ana, doc, "PERSON", 14, 23); await SpanAsync(ben, doc, "ORGANIZATION", 14, 23);        // label
        await SpanAsync(ana, doc, "LOCATION", 27, 32); await SpanAsync(ben, doc, "LOCATION", 27, 33);          // boundary
        await SpanAsync(ana, doc, "DATE", 36, 42);                                                           // missing
        await FinishAsync(ana, doc); await FinishAsync(ben, doc);
        return setup;
    }

    public static async Task<Guid> SpanAsync(SignedInClient who, long doc, string label, int start, int end, string layer = "entity") =>
        (await (await who.Http.PostAsJsonAsync($"/api/documents/{doc}/annotations", new { layer, label, start, end }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

    public static async Task LinkAsync(SignedInClient who, long projectId, string type, Guid from, Guid to) =>
        (await who.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type, from, to })).EnsureSuccessStatusCode();

    public static async Task FinishAsync(SignedInClient who, long doc) =>
        (await who.Http.PutAsJsonAsync($"/api/documents/{doc}/status", new { status = "finished" })).EnsureSuccessStatusCode();

    public static Task<JsonElement> ReviewAsync(HttpClient http, long doc) => http.GetFromJsonAsync<JsonElement>($"/api/documents/{doc}/review");

    public static Task<HttpResponseMessage> DecideAsync(HttpClient http, long doc, object decision) =>
        http.PostAsJsonAsync($"/api/documents/{doc}/review/decisions", decision);

    public static async Task<JsonElement> DecidedAsync(HttpClient http, long doc, object decision) =>
        await (await DecideAsync(http, doc, decision)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();

    /// <summary>The span unit that starts at <paramref name="start"/>.</summary>
    public static JsonElement UnitAt(JsonElement review, int start, string layer = "entity") =>
        review.GetProperty("units").EnumerateArray().Single(u => u.GetProperty("start").GetInt32() == start && u.GetProperty("layer").GetString() == layer);

    public static string Id(JsonElement unit) => unit.GetProperty("id").GetString()!;

    public static int Version(JsonElement unit) => unit.GetProperty("version").GetInt32();

    public static string UserIdOf(JsonElement review, string name) =>
        review.GetProperty("annotators").EnumerateArray().Single(a => a.GetProperty("name").GetString()!.StartsWith(name + "-", StringComparison.Ordinal)).GetProperty("id").GetString()!;

    public static List<(string Label, int Start, int End)> CuratedSpans(JsonElement review) =>
        review.GetProperty("curated").GetProperty("spans").EnumerateArray()
            .Select(s => (s.GetProperty("label").GetString()!, s.GetProperty("start").GetInt32(), s.GetProperty("end").GetInt32())).OrderBy(s => s.Item2).ToList();

    public static Task<JsonElement> WaitForReportAsync(HttpClient http, long reportId) =>
        http.WaitForJobAsync($"/api/agreement-reports/{reportId}");
}
