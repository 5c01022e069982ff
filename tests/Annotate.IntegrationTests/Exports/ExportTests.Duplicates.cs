namespace Annotate.IntegrationTests.Exports;

/// <summary>What an annotated import does with the annotations of an article the project already has.</summary>
public partial class ExportTests
{
    private static MultipartFormDataContent AnnotatedForm(byte[] file, string fileName, string mode) =>
        new() { { new ByteArrayContent(file), "files", fileName }, { new StringContent(mode), "annotations" } };

    [Fact]
    public async Task Annotations_of_an_article_already_in_the_project_are_reported_not_silently_dropped()
    {
        var (lead, _, projectId, _, _) = await ProjectAsync();
        var file = await ExportAsync(lead.Http, projectId, new { format = "annotate-jsonl" });

        // The target project already has the second article's text (imported without annotations).
        var copyId = await lead.ProjectAsync("Again " + Guid.NewGuid());
        MultipartFormDataContent Plain() => new() { { new ByteArrayContent(Encoding.UTF8.GetBytes("Rebels took more than 50 villages, the observatory said.")), "files", "other.txt" } };
        var existingId = (await (await lead.Http.PostAsync($"/api/projects/{copyId}/documents", Plain())).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("created")[0].GetProperty("id").GetInt64();

        var imported = await lead.Http.PostAsync($"/api/projects/{copyId}/documents", AnnotatedForm(file, "export.jsonl", "pre-annotations"));
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var result = await imported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Single(result.GetProperty("created").EnumerateArray());
        // The new article's three spans; its contradiction points into the article that was not imported again.
        Assert.Equal((3, 0), (result.GetProperty("spans").GetInt32(), result.GetProperty("relations").GetInt32()));
        var duplicate = Assert.Single(result.GetProperty("duplicates").EnumerateArray());
        Assert.Equal(existingId, duplicate.GetProperty("existingDocumentId").GetInt64());
        Assert.Equal(("export.jsonl", 3), (duplicate.GetProperty("file").GetString(), duplicate.GetProperty("line").GetInt32()));
        Assert.Equal((2, 1), (duplicate.GetProperty("spansNotImported").GetInt32(), duplicate.GetProperty("relationsNotImported").GetInt32()));
        var warning = Assert.Single(result.GetProperty("warnings").EnumerateArray()).GetString();
        Assert.Equal($"export.jsonl (line 3): 2 spans and 1 relation were not imported: the article's text is already in the project as document {existingId}, "
            + "and annotations are imported only with new articles (add them there by hand, or delete that document and import again)", warning);
        Assert.Empty((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{existingId}/annotations")).EnumerateArray());

        // A plain import has nothing to warn about.
        var again = await lead.Http.PostAsync($"/api/projects/{copyId}/documents", Plain());
        Assert.Empty((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("warnings").EnumerateArray());
    }
}
