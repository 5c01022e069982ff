using System.Text.Json.Nodes;

namespace Annotate.IntegrationTests.Exports;

/// <summary>Annotated imports through the API: whose work the spans become, where a problem is, doccano's relation
/// shape end to end, fields PostgreSQL cannot store.</summary>
public partial class ExportTests
{
    [Fact]
    public async Task Member_mode_makes_every_span_and_link_that_members_work()
    {
        var (lead, ana, projectId, _, _) = await ProjectAsync();
        var file = await ExportAsync(lead.Http, projectId, new { format = "annotate-jsonl" }); // Ana's and the lead's spans

        var copyId = await lead.ProjectAsync("Member " + Guid.NewGuid());
        var bo = await factory.SignUpAsync("bo");
        await lead.AddMemberAsync(copyId, bo.Email);
        var boId = await lead.MemberIdAsync(copyId, bo.Email);

        var notMember = await lead.Http.PostAsync($"/api/projects/{copyId}/documents", AnnotatedForm(file, "export.jsonl", $"member:{ana.Email}"));
        Assert.Equal(HttpStatusCode.BadRequest, notMember.StatusCode);
        Assert.Contains($"{ana.Email} is not a member of this project", (await notMember.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        var imported = await lead.Http.PostAsync($"/api/projects/{copyId}/documents", AnnotatedForm(file, "export.jsonl", $"member:{bo.Email}"));
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var result = await imported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((5, 1), (result.GetProperty("spans").GetInt32(), result.GetProperty("relations").GetInt32()));

        var spans = new List<JsonElement>();
        foreach (var created in result.GetProperty("created").EnumerateArray())
            spans.AddRange((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{created.GetProperty("id").GetInt64()}/annotations")).EnumerateArray());
        Assert.Equal(5, spans.Count);
        Assert.All(spans, s => Assert.Equal(boId, s.GetProperty("annotatorId").GetString()));
        Assert.All(spans, s => Assert.Equal("imported", s.GetProperty("origin").GetString()));
        var link = Assert.Single((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{copyId}/relations")).EnumerateArray());
        Assert.Equal(boId, link.GetProperty("annotatorId").GetString());

        // Bo exports as his own what he was given.
        var his = Lines(await ExportAsync(lead.Http, copyId, new { format = "annotate-jsonl", scope = $"annotator:{bo.Email}" }));
        Assert.Equal(5, his.Skip(1).Sum(l => l.GetProperty("spans").GetArrayLength()));
    }

    [Fact]
    public async Task Annotated_import_problems_name_the_file_and_the_line()
    {
        var lead = await factory.SignUpAsync("lead");
        var projectId = await lead.ProjectAsync("Problems " + Guid.NewGuid());
        const string header = """{"meta": {"format": "annotate-jsonl", "version": 1, "offsets": "codepoint"}}""";

        // Found while reading: offsets past the end, on the second line.
        var offsets = Encoding.UTF8.GetBytes(header + "\n" + """{"id": 1, "text": "Go now", "spans": [{"start": 3, "end": 9, "label": "LOCATION"}], "relations": []}""" + "\n");
        var refused = await lead.Http.PostAsync($"/api/projects/{projectId}/documents", AnnotatedForm(offsets, "ana-week-3.jsonl", "pre-annotations"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("ana-week-3.jsonl (line 2) span 1 ends at 9, past the end of the text", problem.GetProperty("detail").GetString());
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(("ana-week-3.jsonl", 2), (error.GetProperty("file").GetString(), error.GetProperty("line").GetInt32()));

        // Found while storing: a label the project lacks, on the third line of a doccano file.
        var label = Encoding.UTF8.GetBytes("""
            {"text": "Go now", "label": [[0, 2, "LOCATION"]]}
            {"text": "Stay here", "label": []}
            {"text": "The T-72 rolled in", "label": [[4, 8, "WEAPON"]]}
            """);
        refused = await lead.Http.PostAsync($"/api/projects/{projectId}/documents", AnnotatedForm(label, "tanks.jsonl", "pre-annotations"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("tanks.jsonl (line 3) uses the entity label WEAPON", problem.GetProperty("detail").GetString());
        error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(("tanks.jsonl", 3), (error.GetProperty("file").GetString(), error.GetProperty("line").GetInt32()));
        Assert.Empty((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items").EnumerateArray());
    }

    /// <summary>doccano lines without what changes between two exports: ids, and entity ids in relations by entity position.</summary>
    private static string NormaliseDoccano(byte[] file) => string.Join('\n', Encoding.UTF8.GetString(file).Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l =>
        {
            var line = JsonNode.Parse(l)!.AsObject();
            line.Remove("id");
            var positions = new Dictionary<string, int>();
            foreach (var entity in line["entities"]?.AsArray().Select(e => e!.AsObject()) ?? [])
            {
                positions[entity["id"]!.ToJsonString()] = positions.Count;
                entity.Remove("id");
            }
            foreach (var relation in line["relations"]?.AsArray().Select(r => r!.AsObject()) ?? [])
            {
                relation.Remove("id");
                relation["from_id"] = positions[relation["from_id"]!.ToJsonString()];
                relation["to_id"] = positions[relation["to_id"]!.ToJsonString()];
            }
            return line.ToJsonString();
        }).Order());

    [Fact]
    public async Task Doccano_with_entities_and_relations_round_trips_through_the_api()
    {
        var (lead, ana, projectId, docs, text) = await ProjectAsync();
        // A second claim in article 002 and a link between the two: that line takes doccano's relation shape.
        var claim = await ClaimOfAsync(ana, docs[0]);
        Assert.StartsWith("Syrian rebels", text); // before the astral characters: code points and UTF-16 agree here
        var rebels = await SpanAsync(ana, docs[0], "claim", "CLAIM", 0, 13);
        await LinkAsync(ana, projectId, "supports", rebels, claim);

        var first = await ExportAsync(lead.Http, projectId, new { format = "doccano-jsonl" });
        var line = Lines(first).Single(l => l.GetProperty("id").GetInt64() == docs[0]);
        var entities = line.GetProperty("entities").EnumerateArray().ToList();
        Assert.Equal(4, entities.Count);
        Assert.All(entities, e => Assert.Equal(e.GetProperty("text").GetString(),
            Slice(text, e.GetProperty("start_offset").GetInt32(), e.GetProperty("end_offset").GetInt32())));
        var relation = Assert.Single(line.GetProperty("relations").EnumerateArray()); // the link into the other article cannot be said in doccano
        Assert.Equal("SUPPORTS", relation.GetProperty("type").GetString());

        var (imported, copyId) = await ImportIntoNewProjectAsync(lead, first, fileName: "doccano.jsonl");
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var result = await imported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((6, 1), (result.GetProperty("spans").GetInt32(), result.GetProperty("relations").GetInt32()));

        var second = await ExportAsync(lead.Http, copyId, new { format = "doccano-jsonl" });
        Assert.Equal(NormaliseDoccano(first), NormaliseDoccano(second));
        Assert.Contains("\"entities\"", Encoding.UTF8.GetString(second));
    }

    [Fact]
    public async Task Annotated_articles_with_unstorable_fields_are_refused_by_line_and_long_titles_are_cut_safely()
    {
        var lead = await factory.SignUpAsync("lead");
        var projectId = await lead.ProjectAsync("Fields " + Guid.NewGuid());
        const string header = """{"meta": {"format": "annotate-jsonl", "version": 1, "offsets": "codepoint"}}""";

        var bad = Encoding.UTF8.GetBytes(string.Join('\n', header,
            """{"id": 1, "text": "Go now", "title": "a\u0000b", "spans": [], "relations": []}""",
            $$"""{"id": 2, "text": "Go later", "source": "https://x.example/{{new string('p', 2000)}}", "spans": [], "relations": []}""",
            """{"id": 3, "text": "Go home", "spans": [{"start": 0, "end": 2, "label": "LOCATION", "note": "n\u0000"}], "relations": []}"""));
        var refused = await lead.Http.PostAsync($"/api/projects/{projectId}/documents", AnnotatedForm(bad, "fields.jsonl", "pre-annotations"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("file").GetString(), e.GetProperty("line").GetInt32(), e.GetProperty("message").GetString()!)).ToList();
        Assert.Equal(3, errors.Count);
        Assert.Contains(("fields.jsonl", 2, "has a \"title\" that contains a NUL character at code point 1, which PostgreSQL text cannot store"), errors);
        Assert.Contains(("fields.jsonl", 3, "has a \"source\" of 2018 characters; the limit is 2000: shorten it, or move it into \"meta\""), errors);
        Assert.Contains(("fields.jsonl", 4, "span 1 has a \"note\" that contains a NUL character at code point 1, which PostgreSQL text cannot store"), errors);
        Assert.Empty((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items").EnumerateArray());

        // A title over the column's 500 characters is cut at 500 code points, here just after an emoji, not inside it.
        var title = new string('t', 499) + "😀" + new string('u', 100);
        var good = Encoding.UTF8.GetBytes(header + "\n" + $$"""{"id": 1, "text": "Go now", "title": "{{title}}", "spans": [], "relations": []}""");
        var created = await lead.Http.PostAsync($"/api/projects/{projectId}/documents", AnnotatedForm(good, "long.jsonl", "pre-annotations"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(new string('t', 499) + "😀", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created")[0].GetProperty("title").GetString());
    }
}
