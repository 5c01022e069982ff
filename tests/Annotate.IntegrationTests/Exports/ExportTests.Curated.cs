namespace Annotate.IntegrationTests.Exports;

/// <summary>An adjudicated dataset imported as the curated layer is what the curated scope exports, and only that.</summary>
public partial class ExportTests
{
    [Fact]
    public async Task A_dataset_imported_as_the_curated_layer_is_exported_by_the_curated_scope_in_every_format()
    {
        var lead = await factory.SignUpAsync("lead");
        var projectId = await lead.ProjectAsync("Gold " + Guid.NewGuid());
        var documentId = (await lead.AnnotatedImportAsync(projectId, "gold.jsonl", Curation.CuratedLayerTests.GoldLine, "curated")).Single();
        // The curated layer is nobody's annotation: the editor's list does not show it as the importer's spans.
        Assert.Equal(0, (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{documentId}/annotations")).GetArrayLength());
        // Someone's own span on the same article is not part of the curated layer.
        (await lead.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", new { layer = "entity", label = "EVENT", start = 16, end = 23 })).EnsureSuccessStatusCode();

        var curated = Lines(await ExportAsync(lead.Http, projectId, new { format = "annotate-jsonl", scope = "curated" }));
        Assert.Equal(["Coast Guard", "212"], curated[1].GetProperty("spans").EnumerateArray().Select(s => s.GetProperty("text").GetString()));
        // The "all" scope holds the annotators' spans only, not the curated layer.
        var everyone = Lines(await ExportAsync(lead.Http, projectId, new { format = "annotate-jsonl" }));
        Assert.Equal(["EVENT"], everyone[1].GetProperty("spans").EnumerateArray().Select(s => s.GetProperty("label").GetString()));
        // Every format holds the curated spans and not the lead's own EVENT span (brat's text is in the zip's .ann files).
        foreach (var format in new[] { "doccano-jsonl", "spacy-jsonl", "label-studio-json", "brat" })
        {
            var file = await ExportAsync(lead.Http, projectId, new { format, scope = "curated" });
            var text = format == "brat"
                ? string.Concat(new System.IO.Compression.ZipArchive(new MemoryStream(file)).Entries
                    .Where(e => e.FullName.EndsWith(".ann")).Select(e => new StreamReader(e.Open()).ReadToEnd()))
                : Encoding.UTF8.GetString(file);
            Assert.Contains("ORGANIZATION", text);
            Assert.Contains("QUANTITY", text);
            Assert.DoesNotContain("EVENT", text);
        }
        var conll = Encoding.UTF8.GetString(await ExportAsync(lead.Http, projectId, new { format = "conll", scope = "curated" }));
        Assert.Contains("Coast\tB-ORGANIZATION", conll);
        Assert.Contains("212\tB-QUANTITY", conll);
        Assert.Contains("rescued\tO", conll);
    }
}
