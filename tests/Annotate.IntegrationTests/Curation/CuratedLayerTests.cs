namespace Annotate.IntegrationTests.Curation;

/// <summary>The curated layer is not an annotator: agreement leaves it out, and the editor refuses to change it.</summary>
public class CuratedLayerTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    /// <summary>An adjudicated article in doccano's JSONL: imported as the curated layer by these tests and the export tests.</summary>
    public const string GoldLine = "{\"text\": \"The Coast Guard rescued 212 passengers.\", \"label\": [[4, 15, \"ORGANIZATION\"], [24, 27, \"QUANTITY\"]]}\n";

    [Fact]
    public async Task An_imported_curated_layer_is_no_coder_in_agreement_and_cannot_be_edited_as_a_span()
    {
        var lead = await factory.SignUpAsync("lead");
        var ana = await factory.SignUpAsync("ana");
        var ben = await factory.SignUpAsync("ben");
        var projectId = await lead.ProjectAsync("Gold " + Guid.NewGuid(), "open", (ana, "annotator"), (ben, "annotator"));
        var documentId = (await lead.AnnotatedImportAsync(projectId, "gold.jsonl", GoldLine, "curated")).Single();
        // Only ana annotates: with the curated layer counted as a coder, the article would have two.
        (await ana.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", new { layer = "entity", label = "ORGANIZATION", start = 4, end = 15 })).EnsureSuccessStatusCode();

        var started = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/agreement", new { scope = "all" });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var reportId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var result = (await CurationApi.WaitForReportAsync(lead.Http, reportId)).GetProperty("result");
        Assert.Equal(0, result.GetProperty("documents").GetInt32());
        Assert.Empty(result.GetProperty("pairs").EnumerateArray());

        // ben joins: now the one pair is ana and ben, never the importer.
        (await ben.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", new { layer = "entity", label = "ORGANIZATION", start = 4, end = 15 })).EnsureSuccessStatusCode();
        started = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/agreement", new { scope = "all" });
        reportId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        result = (await CurationApi.WaitForReportAsync(lead.Http, reportId)).GetProperty("result");
        var pair = Assert.Single(result.GetProperty("pairs").EnumerateArray());
        Assert.Equal(new[] { "ana", "ben" }, new[] { pair.GetProperty("aName").GetString()!, pair.GetProperty("bName").GetString()! }.Select(n => n.Split('-')[0]).Order());
        Assert.Equal(1.0, pair.GetProperty("spanF1Exact").GetDouble());
    }
}
