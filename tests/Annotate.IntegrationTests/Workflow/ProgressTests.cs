using Annotate.IntegrationTests.LiveSync;

namespace Annotate.IntegrationTests.Workflow;

public class ProgressTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    private const string Text = "Officials said 212 were rescued. The company said 190 were.";

    [Fact]
    public async Task Progress_figures_match_a_hand_made_case_and_both_tables_download_as_csv()
    {
        var lead = await factory.PersonAsync("lead");
        var ana = await factory.PersonAsync("ana");
        var ben = await factory.PersonAsync("ben");
        var rita = await factory.PersonAsync("rita");
        var outsider = await factory.PersonAsync("outsider");
        var (projectId, d) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator"), (rita, "reviewer")], Text, Text + " B.", Text + " C.");
        var anaId = await Work.UserIdAsync(lead, projectId, ana.Email);
        var benId = await Work.UserIdAsync(lead, projectId, ben.Email);
        var ritaId = await Work.UserIdAsync(lead, projectId, rita.Email);
        (await Work.PatchAsync(lead, projectId, new { assignment = "assigned" })).EnsureSuccessStatusCode();
        await Work.AssignAsync(lead, projectId, [d[0], d[1]], [anaId]);
        await Work.AssignAsync(lead, projectId, [d[1], d[2]], [benId]);
        await Work.AssignAsync(lead, projectId, [d[1]], [ritaId], kind: "curate");
        // Ana: two spans on the first (in progress), the second finished. Ben: the second finished, the third not begun.
        await Work.ClaimAsync(ana, d[0]);
        await Work.ClaimAsync(ana, d[0], 33, 44);
        (await ana.Http.PutAsJsonAsync($"/api/documents/{d[1]}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        (await ben.Http.PutAsJsonAsync($"/api/documents/{d[1]}/status", new { status = "finished" })).EnsureSuccessStatusCode();

        // Curation: Rita starts on the second, the lead reopens the third; the first nobody has reviewed.
        (await rita.Http.PutAsJsonAsync($"/api/documents/{d[1]}/curation", new { state = "in_progress" })).EnsureSuccessStatusCode();
        (await lead.Http.PutAsJsonAsync($"/api/documents/{d[2]}/curation", new { state = "reopened" })).EnsureSuccessStatusCode();

        // Rita's My work lists what she is to curate with its state, and her Next document is that one's review.
        var ritasWork = await rita.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/my-work");
        var toCurate = Assert.Single(ritasWork.GetProperty("toCurate").EnumerateArray());
        Assert.Equal((d[1], "in_progress"), (toCurate.GetProperty("documentId").GetInt64(), toCurate.GetProperty("state").GetString()));
        Assert.Empty((await ana.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/my-work")).GetProperty("toCurate").EnumerateArray());
        var ritasNext = await (await rita.Http.PostAsJsonAsync($"/api/projects/{projectId}/next-document", new { })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((d[1], true), (ritasNext.GetProperty("documentId").GetInt64(), ritasNext.GetProperty("review").GetBoolean()));
        var noneAfter = await (await rita.Http.PostAsJsonAsync($"/api/projects/{projectId}/next-document", new { current = d[1] })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Null, noneAfter.GetProperty("documentId").ValueKind);
        var ritasPage = await rita.Http.GetStringAsync($"/projects/{projectId}/my-work");
        Assert.Contains("data-testid=\"to-curate\"", ritasPage);
        Assert.Contains($"/documents/{d[1]}/review", ritasPage);

        var report = await rita.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/progress");
        var people = report.GetProperty("annotators").EnumerateArray().ToDictionary(a => a.GetProperty("userId").GetString()!);
        Assert.Equal(2, people.Count); // the reviewer has no annotating work
        Assert.Equal((2, 0, 1, 1, 2), Figures(people[anaId]));
        Assert.Equal((2, 1, 0, 1, 0), Figures(people[benId]));
        Assert.NotEqual(JsonValueKind.Null, people[anaId].GetProperty("lastActive").ValueKind);
        var documents = report.GetProperty("documents").EnumerateArray().ToDictionary(x => x.GetProperty("documentId").GetInt64());
        Assert.Equal((1, 1, 0, 2, 0), Row(documents[d[0]]));
        Assert.Equal((2, 2, 2, 2, 1), Row(documents[d[1]]));
        Assert.Equal((1, 0, 0, 2, 0), Row(documents[d[2]]));
        Assert.Equal(["not_started", "in_progress", "reopened"], d.Select(id => documents[id].GetProperty("curation").GetString()));
        var paged = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/progress/documents");
        Assert.Equal(["not_started", "in_progress", "reopened"], paged.GetProperty("items").EnumerateArray().Select(x => x.GetProperty("curation").GetString()));

        var annotatorsCsv = await lead.Http.GetAsync($"/api/projects/{projectId}/progress.csv?table=annotators");
        Assert.Equal("text/csv", annotatorsCsv.Content.Headers.ContentType?.MediaType);
        var lines = (await annotatorsCsv.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.Equal("user_id,name,email,assigned,not_started,in_progress,finished,spans,last_active", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.StartsWith($"{anaId},") && l.Contains($",{ana.Email},2,0,1,1,2,"));
        var documentsCsv = (await lead.Http.GetStringAsync($"/api/projects/{projectId}/progress.csv?table=documents")).TrimEnd('\n').Split('\n');
        Assert.Equal("document_id,title,assigned,started,finished,required,reviewers,curated_spans,curation_state,spans,last_active", documentsCsv[0]);
        Assert.Contains(documentsCsv, l => l.StartsWith($"{d[1]},") && l.Contains(",2,2,2,2,1,0,in_progress,0,"));
        Assert.Contains(documentsCsv, l => l.StartsWith($"{d[0]},") && l.Contains(",not_started,"));
        Assert.Equal(HttpStatusCode.BadRequest, (await lead.Http.GetAsync($"/api/projects/{projectId}/progress.csv?table=secrets")).StatusCode);

        // Annotators do not see others' progress; outsiders learn nothing.
        Assert.Equal(HttpStatusCode.Forbidden, (await ana.Http.GetAsync($"/api/projects/{projectId}/progress")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ana.Http.GetAsync($"/api/projects/{projectId}/progress.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.Http.GetAsync($"/api/projects/{projectId}/progress")).StatusCode);
        // The page shows both tables, sorted as asked.
        var page = await lead.Http.GetStringAsync($"/projects/{projectId}/progress?peopleSort=spans&peopleDir=desc");
        Assert.Contains("data-testid=\"progress-annotators\"", page);
        Assert.Contains("aria-sort=\"descending\"", page);
        Assert.Contains(">in progress</span>", page);
        Assert.True(page.IndexOf(ana.Email, StringComparison.Ordinal) < page.IndexOf(ben.Email, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_manager_resets_an_annotators_work_on_a_document_confirmed_and_logged()
    {
        var lead = await factory.PersonAsync("lead");
        var ana = await factory.PersonAsync("ana");
        var ben = await factory.PersonAsync("ben");
        var (projectId, d) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator")], Text);
        var anaId = await Work.UserIdAsync(lead, projectId, ana.Email);
        var first = await Work.ClaimAsync(ana, d[0]);
        var second = await Work.ClaimAsync(ana, d[0], 33, 44);
        (await ana.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "contradicts", from = first, to = second })).EnsureSuccessStatusCode();
        var bens = await Work.ClaimAsync(ben, d[0], 15, 18);
        (await ben.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "supports", from = bens, to = first })).EnsureSuccessStatusCode();
        (await ana.Http.PutAsJsonAsync($"/api/documents/{d[0]}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        var before = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events")).GetArrayLength();

        var unconfirmed = await lead.Http.PostAsJsonAsync($"/api/documents/{d[0]}/reset", new { userId = anaId });
        Assert.Equal(HttpStatusCode.BadRequest, unconfirmed.StatusCode);
        Assert.Contains("confirm", (await unconfirmed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await ben.Http.PostAsJsonAsync($"/api/documents/{d[0]}/reset", new { userId = anaId, confirm = true })).StatusCode);
        Assert.Equal(3, (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{d[0]}/annotations")).GetArrayLength());

        var reset = await lead.Http.PostAsJsonAsync($"/api/documents/{d[0]}/reset", new { userId = anaId, confirm = true });
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var result = await reset.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, result.GetProperty("spansDeleted").GetInt32());
        Assert.Equal(2, result.GetProperty("linksDeleted").GetInt32()); // hers, and Ben's that ended at her claim
        var left = Assert.Single((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{d[0]}/annotations")).EnumerateArray());
        Assert.Equal(bens, left.GetProperty("id").GetGuid());
        Assert.Empty((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/relations")).EnumerateArray());
        var state = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{d[0]}/states")).EnumerateArray().Single(s => s.GetProperty("userId").GetString() == anaId);
        Assert.Equal("new", state.GetProperty("status").GetString());
        var logged = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events?after=0")).EnumerateArray().Skip(before).ToList();
        Assert.Equal(5, logged.Count); // two links, two spans, the state
        Assert.Single(logged.Select(e => e.GetProperty("actorId").GetString()).Distinct());
        Assert.NotEqual(anaId, logged[0].GetProperty("actorId").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await lead.Http.PostAsJsonAsync($"/api/documents/{d[0]}/reset", new { userId = "nobody", confirm = true })).StatusCode);
    }

    private static (int, int, int, int, int) Figures(JsonElement a) => (a.GetProperty("assigned").GetInt32(), a.GetProperty("notStarted").GetInt32(),
        a.GetProperty("inProgress").GetInt32(), a.GetProperty("finished").GetInt32(), a.GetProperty("spans").GetInt32());

    private static (int, int, int, int, int) Row(JsonElement d) => (d.GetProperty("assigned").GetInt32(), d.GetProperty("started").GetInt32(),
        d.GetProperty("finished").GetInt32(), d.GetProperty("required").GetInt32(), d.GetProperty("reviewers").GetInt32());
}
