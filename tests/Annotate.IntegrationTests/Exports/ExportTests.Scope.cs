using Annotate.Web.Features.Exports;

namespace Annotate.IntegrationTests.Exports;

/// <summary>What an export holds: one moment of the project, only links whose two ends it holds, one annotator per
/// CoNLL or spaCy file.</summary>
public partial class ExportTests
{
    private static async Task<Guid> SpanAsync(SignedInClient who, long document, string layer, string label, int start, int end) =>
        (await who.SpanAsync(document, layer, label, start, end)).Id;

    private static async Task<Guid> LinkAsync(SignedInClient who, long projectId, string type, Guid from, Guid to) =>
        (await who.LinkAsync(projectId, type, from, to)).Id;

    private static async Task<Guid> ClaimOfAsync(SignedInClient who, long document) =>
        (await who.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{document}/annotations")).EnumerateArray()
            .Single(a => a.GetProperty("label").GetString() == "CLAIM").GetProperty("id").GetGuid();

    /// <summary>Imports <paramref name="file"/> with its annotations into a new project of <paramref name="lead"/>.</summary>
    private static async Task<(HttpResponseMessage Response, long ProjectId)> ImportIntoNewProjectAsync(SignedInClient lead, byte[] file,
        string mode = "pre-annotations", string fileName = "export.jsonl")
    {
        var copyId = await lead.ProjectAsync("Copy " + Guid.NewGuid());
        var form = new MultipartFormDataContent { { new ByteArrayContent(file), "files", fileName }, { new StringContent(mode), "annotations" } };
        return (await lead.Http.PostAsync($"/api/projects/{copyId}/documents", form), copyId);
    }

    private static JsonElement Meta(List<JsonElement> lines) => lines[0].GetProperty("meta");

    [Fact]
    public async Task Every_read_of_an_export_sees_the_project_as_it_was_when_the_export_began()
    {
        var (lead, ana, projectId, docs, _) = await ProjectAsync();
        using var run = await ExportToRunByHandAsync(projectId);
        var (export, storage, runner) = (run.Export, run.Storage, run.Runner);

        // The first progress report comes once the export has counted its documents and before it opens the streams of
        // documents, spans and links (each on its own connection): what is committed now came after the export began.
        Guid lateFrom = default, lateTo = default, lateLink = default;
        var (fileName, _) = await runner.WriteFileAsync(export, storage, async (done, _) =>
        {
            if (done != 0) return;
            lateFrom = await SpanAsync(ana, docs[0], "claim", "CLAIM", 0, 10);
            lateTo = await SpanAsync(ana, docs[1], "claim", "CLAIM", 35, 55);
            lateLink = await LinkAsync(ana, projectId, "supports", lateFrom, lateTo);
            var late = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("A late article, imported mid-export.")), "files", "late.txt" } };
            Assert.Equal(HttpStatusCode.Created, (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", late)).StatusCode);
        }, CancellationToken.None);

        var file = await File.ReadAllTextAsync(storage.PathOf(fileName));
        var lines = Lines(Encoding.UTF8.GetBytes(file));
        Assert.Equal(3, lines.Count); // the header and the two articles there were; not the late one
        Assert.Equal(5, lines.Skip(1).Sum(l => l.GetProperty("spans").GetArrayLength()));
        Assert.Equal(1, lines.Skip(1).Sum(l => l.GetProperty("relations").GetArrayLength()));
        foreach (var late in new[] { lateFrom, lateTo, lateLink }) Assert.DoesNotContain(late.ToString(), file);

        // They were committed: the next export has them.
        var next = Encoding.UTF8.GetString(await ExportAsync(lead.Http, projectId, new { format = "annotate-jsonl" }));
        Assert.Contains(lateLink.ToString(), next);
        Assert.Contains("A late article", next);
    }

    [Fact]
    public async Task Finished_only_leaves_out_links_into_unfinished_articles_counts_them_and_the_file_imports()
    {
        var (lead, ana, projectId, docs, _) = await ProjectAsync();
        // Only the article the contradiction starts in is finished; the one it points to is not exported.
        (await ana.Http.PutAsJsonAsync($"/api/documents/{docs[0]}/status", new { status = "finished" })).EnsureSuccessStatusCode();

        var file = await ExportAsync(lead.Http, projectId, new { format = "annotate-jsonl", finishedOnly = true });
        var lines = Lines(file);
        Assert.Equal(2, lines.Count);
        Assert.Equal(docs[0], lines[1].GetProperty("id").GetInt64());
        Assert.Empty(lines[1].GetProperty("relations").EnumerateArray());
        Assert.Equal(1, Meta(lines).GetProperty("relationsLeftOut").GetInt32());

        var (imported, _) = await ImportIntoNewProjectAsync(lead, file);
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var result = await imported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((3, 0), (result.GetProperty("spans").GetInt32(), result.GetProperty("relations").GetInt32()));

        // Both articles finished: the link is whole again, and nothing is left out.
        (await ana.Http.PutAsJsonAsync($"/api/documents/{docs[1]}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        var both = Lines(await ExportAsync(lead.Http, projectId, new { format = "annotate-jsonl", finishedOnly = true }));
        Assert.Equal(0, Meta(both).GetProperty("relationsLeftOut").GetInt32());
        Assert.Single(both.Skip(1).SelectMany(l => l.GetProperty("relations").EnumerateArray()));
    }

    [Fact]
    public async Task One_annotators_export_leaves_out_their_links_to_someone_elses_span_counts_them_and_the_file_imports()
    {
        var (lead, ana, projectId, docs, _) = await ProjectAsync();
        // Ana links her claim to the lead's claim in the other article (the project is open: she sees it).
        var leads = await SpanAsync(lead, docs[1], "claim", "CLAIM", 35, 55);
        var toLead = await LinkAsync(ana, projectId, "supports", await ClaimOfAsync(ana, docs[0]), leads);

        var file = await ExportAsync(lead.Http, projectId, new { format = "annotate-jsonl", scope = $"annotator:{ana.Email}" });
        var lines = Lines(file);
        Assert.Equal(1, Meta(lines).GetProperty("relationsLeftOut").GetInt32());
        var relation = Assert.Single(lines.Skip(1).SelectMany(l => l.GetProperty("relations").EnumerateArray()));
        Assert.Equal("CONTRADICTS", relation.GetProperty("type").GetString()); // between two of her own claims
        Assert.DoesNotContain(toLead.ToString(), Encoding.UTF8.GetString(file));
        Assert.DoesNotContain(leads.ToString(), Encoding.UTF8.GetString(file));

        var (imported, copyId) = await ImportIntoNewProjectAsync(lead, file);
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var result = await imported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((4, 1), (result.GetProperty("spans").GetInt32(), result.GetProperty("relations").GetInt32()));
        Assert.Single((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{copyId}/relations")).EnumerateArray());
    }

    [Fact]
    public async Task An_annotators_export_keeps_their_id_and_the_api_names_them_by_email()
    {
        var (lead, ana, projectId, _, _) = await ProjectAsync();
        var started = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/exports", new { format = "annotate-jsonl", scope = $"ANNOTATOR: {ana.Email.ToUpperInvariant()}" });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var view = await started.Content.ReadFromJsonAsync<JsonElement>();
        var anaId = await lead.MemberIdAsync(projectId, ana.Email);
        Assert.Equal($"annotator:{anaId}", view.GetProperty("scope").GetString());
        Assert.Contains(ana.Email, view.GetProperty("scopeName").GetString());
        var listed = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/exports")).EnumerateArray()
            .Single(e => e.GetProperty("id").GetInt64() == view.GetProperty("id").GetInt64());
        Assert.Equal(view.GetProperty("scopeName").GetString(), listed.GetProperty("scopeName").GetString());

        var all = await (await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/exports", new { format = "annotate-jsonl" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("all", "every annotator"), (all.GetProperty("scope").GetString(), all.GetProperty("scopeName").GetString()));
        var refused = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/exports", new { format = "annotate-jsonl", scope = "annotator:" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("annotator:EMAIL", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("conll")]
    [InlineData("spacy-jsonl")]
    public async Task Conll_and_spacy_refuse_several_annotators_and_say_which_scope_to_choose(string format)
    {
        var (lead, ana, projectId, _, _) = await ProjectAsync(); // Ana's and the lead's entities
        var refused = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/exports", new { format });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var detail = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains("2 annotators", detail);
        Assert.Contains("annotator:EMAIL", detail);
        Assert.Contains("curated", detail);

        // One annotator's spans are fine.
        Assert.NotEmpty(await ExportAsync(lead.Http, projectId, new { format, scope = $"annotator:{ana.Email}" }));

        // A second annotator who starts after the request was checked: the job refuses too, and leaves no file.
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var storage = scope.ServiceProvider.GetRequiredService<ExportStorage>();
        var export = new Export
        {
            // Failed, not queued: the runner is driven by hand here, and no sweep of the shared database may run it.
            ProjectId = projectId, Format = format, Scope = ExportScope.All, Status = Web.Features.Jobs.JobStatus.Failed,
            CreatedAt = DateTimeOffset.UtcNow, ExpiresAt = DateTimeOffset.UtcNow.AddDays(1),
        };
        db.Exports.Add(export);
        await db.SaveChangesAsync();
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            scope.ServiceProvider.GetRequiredService<ExportRunner>().WriteFileAsync(export, storage, (_, _) => Task.CompletedTask, CancellationToken.None));
        Assert.Contains("annotator:EMAIL", error.Message);
        Assert.Empty(Directory.GetFiles(storage.Folder, $"export-{projectId}-{export.Id}-*"));
        Assert.False(File.Exists(storage.TemporaryPath(export.Id)));
    }

    [Fact]
    public async Task Conll_with_every_annotator_is_fine_when_only_one_has_entities()
    {
        var lead = await factory.SignUpAsync("lead");
        var projectId = await lead.ProjectAsync("Solo " + Guid.NewGuid());
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("Rebels entered Aleppo.")), "files", "a.txt" } };
        var documentId = (await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("created")[0].GetProperty("id").GetInt64();
        await SpanAsync(lead, documentId, "entity", "LOCATION", 15, 21);
        Assert.Contains("Aleppo\tB-LOCATION", Encoding.UTF8.GetString(await ExportAsync(lead.Http, projectId, new { format = "conll" })));
    }
}
