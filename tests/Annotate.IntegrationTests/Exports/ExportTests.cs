using System.IO.Compression;
using System.Text.Json.Nodes;
using Annotate.Web.Features.Exports;

namespace Annotate.IntegrationTests.Exports;

/// <summary>Exports and annotated imports through the API (more in the other ExportTests.*.cs files: one app host for all).</summary>
public partial class ExportTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    private static string Slice(string text, int start, int end) => string.Concat(text.EnumerateRunes().Skip(start).Take(end - start).Select(r => r.ToString()));

    /// <summary>A project with corpus article 002 and a second article, spans after the flags, and a cross-article contradiction.</summary>
    private async Task<(SignedInClient Lead, SignedInClient Ana, long ProjectId, long[] Docs, string Text)> ProjectAsync()
    {
        var lead = await factory.SignUpAsync("lead");
        var ana = await factory.SignUpAsync("ana");
        var projectId = await lead.ProjectAsync("Export " + Guid.NewGuid());
        await lead.AddMemberAsync(projectId, ana.Email);
        var text = await File.ReadAllTextAsync(Corpus.PathOf("002"));
        var docs = await lead.DocumentsAsync(projectId, ("002.txt", text), ("other.txt", "Rebels took more than 50 villages, the observatory said."));
        var runes = text.EnumerateRunes().Select(r => r.ToString()).ToList();
        var utf16 = text.LastIndexOf("Aleppo", StringComparison.Ordinal);
        var start = utf16 - 10; // ten astral characters come before it
        async Task<Guid> SpanAsync(SignedInClient who, long doc, string layer, string label, int s, int e, string? note = null) =>
            (await who.SpanAsync(doc, layer, label, s, e, note, attributes: new { attributedTo = "the observatory" })).Id;
        await SpanAsync(ana, docs[0], "entity", "LOCATION", start, start + 6);
        var flag = text.IndexOf("🇸🇾", StringComparison.Ordinal);
        await SpanAsync(ana, docs[0], "entity", "EQUIPMENT", flag - text[..flag].Count(char.IsLowSurrogate), flag - text[..flag].Count(char.IsLowSurrogate) + 2, "a flag");
        var thirteen = text.IndexOf("13 settlements", StringComparison.Ordinal);
        var claim = await SpanAsync(ana, docs[0], "claim", "CLAIM", thirteen - text[..thirteen].Count(char.IsLowSurrogate), thirteen - text[..thirteen].Count(char.IsLowSurrogate) + 14);
        var other = await SpanAsync(ana, docs[1], "claim", "CLAIM", 0, 33);
        await SpanAsync(lead, docs[1], "entity", "QUANTITY", 17, 24);
        await ana.LinkAsync(projectId, "contradicts", claim, other, note: "13 vs more than 50");
        Assert.Equal("Aleppo", string.Concat(runes.Skip(start).Take(6)));
        return (lead, ana, projectId, docs, text);
    }

    private static async Task<byte[]> ExportAsync(HttpClient http, long projectId, object request) =>
        await (await ExportFileAsync(http, projectId, request)).EnsureSuccessStatusCode().Content.ReadAsByteArrayAsync();

    /// <summary>Starts an export, waits for it to succeed and answers the download of its file.</summary>
    private static async Task<HttpResponseMessage> ExportFileAsync(HttpClient http, long projectId, object request)
    {
        var export = await http.ExportAsync(projectId, request);
        Assert.Equal(export.GetProperty("total").GetInt32(), export.GetProperty("done").GetInt32());
        return await http.GetAsync($"/api/exports/{export.GetProperty("id").GetInt64()}/file");
    }

    private static List<JsonElement> Lines(byte[] file) =>
        Encoding.UTF8.GetString(file).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    [Fact]
    public async Task In_article_002_every_exported_span_slices_its_own_text_in_every_format()
    {
        var (lead, ana, projectId, _, text) = await ProjectAsync();

        var annotate = Lines(await ExportAsync(lead.Http, projectId, new { format = "annotate-jsonl" }));
        Assert.Equal("codepoint", annotate[0].GetProperty("meta").GetProperty("offsets").GetString());
        var article = annotate.Single(l => l.TryGetProperty("text", out var t) && t.GetString() == text);
        Assert.Equal(3, article.GetProperty("spans").GetArrayLength());
        foreach (var span in article.GetProperty("spans").EnumerateArray())
            Assert.Equal(span.GetProperty("text").GetString(), Slice(text, span.GetProperty("start").GetInt32(), span.GetProperty("end").GetInt32()));
        var relation = Assert.Single(article.GetProperty("relations").EnumerateArray());
        Assert.Equal("CONTRADICTS", relation.GetProperty("type").GetString());
        Assert.True(relation.TryGetProperty("toDocument", out _));

        var utf16 = Lines(await ExportAsync(lead.Http, projectId, new { format = "annotate-jsonl", offsets = "utf16" }));
        Assert.Equal("utf16", utf16[0].GetProperty("meta").GetProperty("offsets").GetString());
        foreach (var span in utf16.Single(l => l.TryGetProperty("text", out var t) && t.GetString() == text).GetProperty("spans").EnumerateArray())
            Assert.Equal(span.GetProperty("text").GetString(), text[span.GetProperty("start").GetInt32()..span.GetProperty("end").GetInt32()]);

        var doccano = Lines(await ExportAsync(lead.Http, projectId, new { format = "doccano-jsonl" })).Single(l => l.GetProperty("text").GetString() == text);
        var entities = doccano.TryGetProperty("entities", out var e) ? e.EnumerateArray().Select(x => (x.GetProperty("start_offset").GetInt32(), x.GetProperty("end_offset").GetInt32())).ToList()
            : doccano.GetProperty("label").EnumerateArray().Select(x => (x[0].GetInt32(), x[1].GetInt32())).ToList();
        Assert.Contains(entities, x => Slice(text, x.Item1, x.Item2) == "Aleppo");

        // spaCy and CoNLL hold one annotator's spans (two annotators have spans here): Ana's.
        var spacy = Lines(await ExportAsync(lead.Http, projectId, new { format = "spacy-jsonl", scope = $"annotator:{ana.Email}" })).Single(l => l.GetProperty("text").GetString() == text);
        Assert.Contains(spacy.GetProperty("spans").EnumerateArray(), s => Slice(text, s.GetProperty("start").GetInt32(), s.GetProperty("end").GetInt32()) == "Aleppo");

        var studio = JsonDocument.Parse(await ExportAsync(lead.Http, projectId, new { format = "label-studio-json", gzip = true }) is var gz ? Gunzip(gz) : "").RootElement;
        var task = studio.EnumerateArray().Single(t => t.GetProperty("data").GetProperty("text").GetString() == text);
        var results = task.GetProperty("annotations").EnumerateArray().SelectMany(a => a.GetProperty("result").EnumerateArray()).Where(r => r.GetProperty("type").GetString() == "labels").ToList();
        Assert.All(results, r => Assert.Equal(r.GetProperty("value").GetProperty("text").GetString(),
            Slice(text, r.GetProperty("value").GetProperty("start").GetInt32(), r.GetProperty("value").GetProperty("end").GetInt32())));

        using var brat = new ZipArchive(new MemoryStream(await ExportAsync(lead.Http, projectId, new { format = "brat" })));
        var txt = brat.Entries.Single(x => x.Name.EndsWith(".txt") && new StreamReader(x.Open()).ReadToEnd() == text);
        var ann = new StreamReader(brat.GetEntry(txt.FullName[..^4] + ".ann")!.Open()).ReadToEnd();
        var aleppo = ann.Split('\n').Single(l => l.StartsWith('T') && l.EndsWith("\tAleppo")).Split('\t')[1].Split(' ');
        Assert.Equal("Aleppo", Slice(text, int.Parse(aleppo[1]), int.Parse(aleppo[2])));

        var conll = Encoding.UTF8.GetString(await ExportAsync(lead.Http, projectId, new { format = "conll", scope = $"annotator:{ana.Email}" }));
        Assert.Contains("-DOCSTART-", conll);
        Assert.Contains("Aleppo\tB-LOCATION", conll);
    }

    private static string Gunzip(byte[] data)
    {
        using var reader = new StreamReader(new GZipStream(new MemoryStream(data), CompressionMode.Decompress));
        return reader.ReadToEnd();
    }

    /// <summary>An export without ids and times: what must survive a round trip.</summary>
    private static string Normalise(byte[] file)
    {
        var lines = Encoding.UTF8.GetString(file).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var result = new List<string>();
        foreach (var line in lines)
        {
            if (line.ContainsKey("meta") && !line.ContainsKey("text")) continue;
            var keys = new Dictionary<string, string>();
            var spans = line["spans"]?.AsArray().Select(s => s!.AsObject()).ToList() ?? [];
            for (var i = 0; i < spans.Count; i++) { keys[spans[i]["id"]!.ToString()] = $"span{i}"; spans[i].Remove("id"); }
            foreach (var relation in line["relations"]?.AsArray().Select(r => r!.AsObject()) ?? [])
            {
                relation.Remove("id");
                relation["from"] = keys.GetValueOrDefault(relation["from"]!.ToString(), "?");
                relation["to"] = keys.GetValueOrDefault(relation["to"]!.ToString(), "other");
                relation.Remove("toDocument");
            }
            foreach (var name in new[] { "id", "published", "source" }) line.Remove(name);
            line.Remove("entities"); // doccano's entity and relation ids are per line and checked through the relations below
            result.Add(line.ToJsonString());
        }
        return string.Join('\n', result.Order());
    }

    [Theory]
    [InlineData("annotate-jsonl", "recorded")]
    [InlineData("doccano-jsonl", "pre-annotations")]
    public async Task Export_import_into_a_new_project_and_export_again_gives_the_same_file_but_ids_and_times(string format, string mode)
    {
        var (lead, ana, projectId, _, _) = await ProjectAsync();
        var first = await ExportAsync(lead.Http, projectId, new { format });

        var copyId = await lead.ProjectAsync("Copy " + Guid.NewGuid());
        await lead.AddMemberAsync(copyId, ana.Email);
        var form = new MultipartFormDataContent { { new ByteArrayContent(first), "files", "export.jsonl" }, { new StringContent(mode), "annotations" } };
        var imported = await lead.Http.PostAsync($"/api/projects/{copyId}/documents", form);
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var counts = await imported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(5, counts.GetProperty("spans").GetInt32());

        var second = await ExportAsync(lead.Http, copyId, new { format });
        if (format == "annotate-jsonl") Assert.Equal(Normalise(first), Normalise(second));
        else
        {
            // doccano names no annotator: pre-annotations are the importer's; spans and texts must be the same.
            Assert.Equal(Normalise(first), Normalise(second));
        }
    }

    [Fact]
    public async Task Annotated_imports_refuse_unknown_labels_unless_asked_to_create_them_and_store_nothing_on_error()
    {
        var lead = await factory.SignUpAsync("lead");
        var projectId = await lead.ProjectAsync("Labels " + Guid.NewGuid());
        var line = Encoding.UTF8.GetBytes("{\"text\": \"The T-72 tank rolled in.\", \"label\": [[4, 8, \"WEAPON\"]]}\n{\"text\": \"Bad offsets.\", \"label\": [[5, 99, \"PERSON\"]]}\n");
        var refused = await lead.Http.PostAsync($"/api/projects/{projectId}/documents",
            new MultipartFormDataContent { { new ByteArrayContent(line), "files", "d.jsonl" }, { new StringContent("pre-annotations"), "annotations" } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().ToList();
        Assert.Contains(errors, e => e.GetProperty("line").GetInt32() == 2);
        Assert.Empty((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items").EnumerateArray());

        var good = Encoding.UTF8.GetBytes("{\"text\": \"The T-72 tank rolled in.\", \"label\": [[4, 8, \"WEAPON\"]]}\n");
        var noLabel = await lead.Http.PostAsync($"/api/projects/{projectId}/documents",
            new MultipartFormDataContent { { new ByteArrayContent(good), "files", "d.jsonl" }, { new StringContent("pre-annotations"), "annotations" } });
        Assert.Equal(HttpStatusCode.BadRequest, noLabel.StatusCode);
        Assert.Contains("WEAPON", (await noLabel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Empty((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items").EnumerateArray());

        var created = await lead.Http.PostAsync($"/api/projects/{projectId}/documents", new MultipartFormDataContent
        {
            { new ByteArrayContent(good), "files", "d.jsonl" }, { new StringContent("pre-annotations"), "annotations" }, { new StringContent("true"), "createLabels" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var documentId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created")[0].GetProperty("id").GetInt64();
        var span = Assert.Single((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{documentId}/annotations")).EnumerateArray());
        Assert.Equal("WEAPON", span.GetProperty("label").GetString());
        Assert.Equal("T-72", span.GetProperty("text").GetString());
        Assert.Equal("imported", span.GetProperty("origin").GetString());
    }

    [Fact]
    public async Task Export_requests_are_checked_and_only_managers_export()
    {
        var (lead, ana, projectId, _, _) = await ProjectAsync();
        var bad = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/exports", new { format = "xlsx" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("annotate-jsonl", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/exports", new { format = "conll", scope = "annotator:nobody@x.example" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ana.Http.PostAsJsonAsync($"/api/projects/{projectId}/exports", new { format = "conll" })).StatusCode);

        // One annotator's scope holds only their spans; finished-only with nothing finished holds no article.
        var anaOnly = Lines(await ExportAsync(lead.Http, projectId, new { format = "annotate-jsonl", scope = $"annotator:{ana.Email}" }));
        Assert.All(anaOnly.Skip(1).SelectMany(l => l.GetProperty("spans").EnumerateArray()), s => Assert.Equal(ana.Email, s.GetProperty("annotator").GetString()));
        Assert.Single(Lines(await ExportAsync(lead.Http, projectId, new { format = "annotate-jsonl", finishedOnly = true }))); // the header alone

        var list = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/exports");
        var id = list[0].GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NoContent, (await lead.Http.DeleteAsync($"/api/exports/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await lead.Http.GetAsync($"/api/exports/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ana.Http.GetAsync($"/api/exports/{list[1].GetProperty("id").GetInt64()}/file")).StatusCode);
    }

    [Fact]
    public async Task The_curated_scope_holds_only_curated_spans_and_expired_exports_go_with_their_files()
    {
        var (lead, ana, projectId, docs, _) = await ProjectAsync();
        using (var scope = factory.Services.CreateScope())
        {
            // A reviewer's curated span (curation writes origin 'curated').
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlAsync(db.Database,
                $"UPDATE annotations SET origin = 'curated' WHERE document_id = {docs[1]} AND label = 'QUANTITY'");
        }
        var curated = Lines(await ExportAsync(lead.Http, projectId, new { format = "annotate-jsonl", scope = "curated" }));
        Assert.Equal("curated", curated[0].GetProperty("meta").GetProperty("scope").GetString());
        var spans = curated.Skip(1).SelectMany(l => l.GetProperty("spans").EnumerateArray()).ToList();
        var only = Assert.Single(spans);
        Assert.Equal("QUANTITY", only.GetProperty("label").GetString());

        using var scope2 = factory.Services.CreateScope();
        var context = scope2.ServiceProvider.GetRequiredService<AppDbContext>();
        var storage = scope2.ServiceProvider.GetRequiredService<ExportStorage>();
        var exports = context.Exports.Where(e => e.ProjectId == projectId).ToList();
        var file = storage.PathOf(exports[0].FileName!);
        Assert.True(File.Exists(file));
        exports[0].ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        await context.SaveChangesAsync();
        await new ExpireExportsJob(context, storage).RunAsync(CancellationToken.None);
        Assert.False(File.Exists(file));
        Assert.Equal(HttpStatusCode.NotFound, (await lead.Http.GetAsync($"/api/exports/{exports[0].Id}")).StatusCode);
        Assert.NotNull(ana);
    }

    [Fact]
    public async Task The_command_line_export_writes_the_same_file_as_the_job()
    {
        var (lead, _, projectId, _, _) = await ProjectAsync();
        var fromJob = await ExportAsync(lead.Http, projectId, new { format = "annotate-jsonl" });
        var path = Path.Combine(AnnotateFactory.ExportsFolder, $"cli-{Guid.NewGuid():N}.jsonl");
        var command = Annotate.Web.Infrastructure.CommandLine.Parse(["export", "--project", projectId.ToString(), "--format", "annotate-jsonl", "--out", path]);
        Assert.NotNull(command);
        Assert.Equal(0, await command.RunAsync(factory.Services));
        Assert.Equal(Normalise(fromJob), Normalise(await File.ReadAllBytesAsync(path)));
        Assert.False(File.Exists(path + ".part"));
        var bad = Annotate.Web.Infrastructure.CommandLine.Parse(["export", "--project", projectId.ToString(), "--format", "xml", "--out", path]);
        Assert.Equal(2, await bad!.RunAsync(factory.Services));
    }

    [Fact]
    public async Task A_run_that_died_mid_export_is_rerun_into_one_complete_file()
    {
        var (lead, _, projectId, _, text) = await ProjectAsync();
        using var run = await ExportToRunByHandAsync(projectId);
        var (export, storage, runner) = (run.Export, run.Storage, run.Runner);

        // The first run is killed part-way: its temporary file is all that is left.
        await File.WriteAllTextAsync(storage.TemporaryPath(export.Id), "{\"meta\": {\"format\": \"annotate-jsonl\"}}\n{\"text\": \"half an art");
        using var killed = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.WriteFileAsync(export, storage, async (done, _) =>
        {
            if (done >= 1) await killed.CancelAsync();
        }, killed.Token));
        Assert.Empty(Directory.GetFiles(storage.Folder, $"export-{projectId}-{export.Id}-*"));

        // The re-run writes the whole file once, and no temporary file stays behind.
        var (fileName, size) = await runner.WriteFileAsync(export, storage, (_, _) => Task.CompletedTask, CancellationToken.None);
        Assert.Single(Directory.GetFiles(storage.Folder, $"export-{projectId}-{export.Id}-*"));
        Assert.False(File.Exists(storage.TemporaryPath(export.Id)));
        var lines = Lines(await File.ReadAllBytesAsync(storage.PathOf(fileName)));
        Assert.Equal(3, lines.Count);
        Assert.Contains(lines, l => l.TryGetProperty("text", out var t) && t.GetString() == text);
        Assert.Equal(new FileInfo(storage.PathOf(fileName)).Length, size);
    }
}
