namespace Annotate.IntegrationTests.Annotations;

public class AnnotationApiTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    private async Task<(SignedInClient Lead, long ProjectId, long[] Documents)> ProjectAsync(params string[] texts)
    {
        var lead = await factory.SignUpAsync("lead");
        var projectId = await lead.ProjectAsync("Spans " + Guid.NewGuid());
        return (lead, projectId, await lead.DocumentsAsync(projectId, [.. texts.Select((text, i) => ($"d{i}.txt", text))]));
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
    }

    [Fact]
    public async Task In_corpus_article_002_a_span_after_the_flags_slices_the_same_text_in_code_points()
    {
        var text = await File.ReadAllTextAsync(Corpus.PathOf("002"));
        var (lead, _, docs) = await ProjectAsync(text);
        // The last occurrence of "Aleppo" lies after every flag emoji: its UTF-16 and code-point offsets differ by 10.
        var utf16Start = text.LastIndexOf("Aleppo", StringComparison.Ordinal);
        var flags = text[..utf16Start].Count(char.IsHighSurrogate);
        Assert.Equal(10, flags);

        var viaUtf16 = await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations",
            new { layer = "entity", label = "LOCATION", start = utf16Start, end = utf16Start + 6, unit = "utf16" });
        Assert.Equal(HttpStatusCode.Created, viaUtf16.StatusCode);
        var span = await viaUtf16.Content.ReadFromJsonAsync<JsonElement>();
        var start = span.GetProperty("start").GetInt32();
        Assert.Equal(utf16Start - flags, start);
        Assert.Equal("Aleppo", span.GetProperty("text").GetString());
        // Python's text[start:end] on the stored text gives the same characters.
        var runes = text.EnumerateRunes().ToArray();
        Assert.Equal("Aleppo", string.Concat(runes[start..span.GetProperty("end").GetInt32()].Select(r => r.ToString())));

        var viaCodePoints = await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations",
            new { layer = "entity", label = "EVENT", start, end = start + 6, text = "Aleppo" });
        Assert.Equal(HttpStatusCode.Created, viaCodePoints.StatusCode);
        // The same span with the same label twice by one person is refused, not stacked.
        var again = await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations",
            new { layer = "entity", label = "LOCATION", start, end = start + 6 });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already marked", await DetailAsync(again));
        // The same offsets read as UTF-16 name other characters, and the text check says so.
        var wrongUnit = await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations",
            new { layer = "entity", label = "LOCATION", start = utf16Start, end = utf16Start + 6, text = "Aleppo" });
        Assert.Equal(HttpStatusCode.Conflict, wrongUnit.StatusCode);
        Assert.Contains("another unit", await DetailAsync(wrongUnit));
    }

    public static TheoryData<object, HttpStatusCode, string> BadSpans => new()
    {
        { new { layer = "claim", label = "CLAIM", start = 5, end = 500 }, HttpStatusCode.BadRequest, "past the end" },
        { new { layer = "claim", label = "CLAIM", start = -1, end = 3 }, HttpStatusCode.BadRequest, "cannot be negative" },
        { new { layer = "claim", label = "CLAIM", start = 9, end = 4 }, HttpStatusCode.BadRequest, "start must be before its end" },
        { new { layer = "claim", label = "CLAIM", start = 4, end = 4 }, HttpStatusCode.BadRequest, "empty span" },
        { new { layer = "entity", label = "PERSON", start = 1, end = 4, unit = "utf16" }, HttpStatusCode.BadRequest, "inside a character" },
        { new { layer = "entity", label = "WEAPONS", start = 0, end = 1 }, HttpStatusCode.BadRequest, "no entity label WEAPONS" },
        { new { layer = "entity", label = "CLAIM", start = 0, end = 1 }, HttpStatusCode.BadRequest, "no entity label CLAIM" },
        { new { layer = "claim", label = "CLAIM", start = 0 }, HttpStatusCode.BadRequest, "both start and end" },
        { new { label = "CLAIM", start = 0, end = 1 }, HttpStatusCode.BadRequest, "which layer" },
        { new { layer = "claim", label = "CLAIM", start = 0, end = 1, attributes = 5 }, HttpStatusCode.BadRequest, "must be a JSON object" },
        { new { layer = "claim", label = "CLAIM", start = 0, end = 1, note = new string('x', 10_001) }, HttpStatusCode.BadRequest, "at most 10,000" },
    };

    [Theory]
    [MemberData(nameof(BadSpans))]
    public async Task A_bad_span_is_refused_with_a_clear_problem_and_nothing_changes(object span, HttpStatusCode status, string expected)
    {
        var (lead, projectId, docs) = await ProjectAsync("A🇸🇾 flag and some words after it.");
        var response = await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", span);
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(expected, await DetailAsync(response));
        Assert.Empty((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{docs[0]}/annotations")).EnumerateArray());
        Assert.Empty((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events")).EnumerateArray());
    }

    [Fact]
    public async Task Updates_and_deletes_need_the_current_version_and_the_owner()
    {
        var (lead, projectId, docs) = await ProjectAsync("Northline said the fire started in a fuel pump.");
        var ana = await factory.SignUpAsync("ana");
        (await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = ana.Email, role = "annotator" })).EnsureSuccessStatusCode();
        var span = await (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations",
            new { layer = "claim", label = "claim", start = 0, end = 47, attributes = new { attributedTo = "Northline" } })).Content.ReadFromJsonAsync<JsonElement>();
        var id = span.GetProperty("id").GetGuid();
        Assert.Equal("CLAIM", span.GetProperty("label").GetString());
        Assert.Equal("Northline", span.GetProperty("attributes").GetProperty("attributedTo").GetString());

        var noVersion = await lead.Http.PatchAsJsonAsync($"/api/annotations/{id}", new { note = "n" });
        Assert.Equal(HttpStatusCode.BadRequest, noVersion.StatusCode);
        var moved = await lead.Http.PatchAsJsonAsync($"/api/annotations/{id}", new { start = 15, end = 46, version = 1 });
        Assert.Equal("the fire started in a fuel pump", (await moved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("text").GetString());
        var stale = await lead.Http.PatchAsJsonAsync($"/api/annotations/{id}", new { note = "late", version = 1 });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(2, (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("current").GetProperty("version").GetInt32());

        var foreign = await ana.Http.PatchAsJsonAsync($"/api/annotations/{id}", new { note = "not mine", version = 2 });
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ana.Http.DeleteAsync($"/api/annotations/{id}?version=2")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await lead.Http.DeleteAsync($"/api/annotations/{id}?version=1")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await lead.Http.DeleteAsync($"/api/annotations/{id}?version=2")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await lead.Http.GetAsync($"/api/annotations/{id}")).StatusCode);
    }

    [Fact]
    public async Task Relations_link_claims_across_documents_and_refuse_entities_deleted_and_foreign_ends()
    {
        var (lead, projectId, docs) = await ProjectAsync("All 212 passengers were rescued.", "Eleven people were taken to hospital.");
        var (other, otherProject, otherDocs) = await ProjectAsync("A claim in another project.");
        async Task<Guid> SpanAsync(SignedInClient who, long doc, string layer, string label, int start, int end) =>
            (await (await who.Http.PostAsJsonAsync($"/api/documents/{doc}/annotations", new { layer, label, start, end }))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var rescued = await SpanAsync(lead, docs[0], "claim", "CLAIM", 0, 32);
        var hospital = await SpanAsync(lead, docs[1], "claim", "CLAIM", 0, 36);
        var number = await SpanAsync(lead, docs[0], "entity", "QUANTITY", 4, 7);
        var foreign = await SpanAsync(other, otherDocs[0], "claim", "CLAIM", 0, 7);

        var link = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "contradicts", from = rescued, to = hospital, note = "212 rescued unhurt vs eleven in hospital" });
        Assert.Equal(HttpStatusCode.Created, link.StatusCode);
        var relation = await link.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("CONTRADICTS", relation.GetProperty("type").GetString());
        Assert.Equal(docs[0], relation.GetProperty("fromDocumentId").GetInt64());
        Assert.Equal(docs[1], relation.GetProperty("toDocumentId").GetInt64());
        // Both documents list it.
        Assert.Single((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/relations?document={docs[1]}")).EnumerateArray());

        var toEntity = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "supports", from = rescued, to = number });
        Assert.Equal(HttpStatusCode.BadRequest, toEntity.StatusCode);
        Assert.Contains("relations link claims", await DetailAsync(toEntity));
        var toForeign = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "supports", from = rescued, to = foreign });
        Assert.Equal(HttpStatusCode.NotFound, toForeign.StatusCode);
        var unknownType = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "refutes", from = rescued, to = hospital });
        Assert.Contains("CONTRADICTS, SUPPORTS", await DetailAsync(unknownType));
        var self = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "supports", from = rescued, to = rescued });
        Assert.Equal(HttpStatusCode.BadRequest, self.StatusCode);

        // Deleting a claim takes its links with it, and both are in the log.
        Assert.Equal(HttpStatusCode.NoContent, (await lead.Http.DeleteAsync($"/api/annotations/{hospital}?version=1")).StatusCode);
        Assert.Empty((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/relations")).EnumerateArray());
        var toDeleted = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "supports", from = rescued, to = hospital });
        Assert.Equal(HttpStatusCode.NotFound, toDeleted.StatusCode);
        var kinds = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events")).EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["relation_deleted", "annotation_deleted"], kinds[^2..]);
        Assert.NotEqual(otherProject, projectId);
    }

    [Fact]
    public async Task The_event_log_is_gapless_ordered_and_readable_after_a_sequence()
    {
        var (lead, projectId, docs) = await ProjectAsync("One two three four five six seven.");
        for (var i = 0; i < 4; i++)
            (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "entity", label = "QUANTITY", start = i * 4, end = i * 4 + 3 })).EnsureSuccessStatusCode();
        var status = await lead.Http.PutAsJsonAsync($"/api/documents/{docs[0]}/status", new { status = "finished" });
        Assert.Equal("finished", (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var all = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events")).EnumerateArray().ToList();
        Assert.Equal([1L, 2, 3, 4, 5, 6], all.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal("document_state_changed", all[0].GetProperty("kind").GetString());
        Assert.Equal("in_progress", all[0].GetProperty("data").GetProperty("status").GetString());
        var after = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events?after=4");
        Assert.Equal([5L, 6], after.EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal(HttpStatusCode.BadRequest, (await lead.Http.GetAsync($"/api/projects/{projectId}/events?after=-1")).StatusCode);
        var bad = await lead.Http.PutAsJsonAsync($"/api/documents/{docs[0]}/status", new { status = "done" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
