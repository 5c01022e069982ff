namespace Annotate.IntegrationTests.Exports;

/// <summary>What a format cannot hold is counted in the export's notes, not dropped unsaid.</summary>
public partial class ExportTests
{
    [Fact]
    public async Task A_conll_export_counts_the_overlapping_entities_and_claims_it_could_not_hold()
    {
        var lead = await factory.SignUpAsync("lead");
        var projectId = await lead.ProjectAsync("Notes " + Guid.NewGuid());
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("The Coast Guard said all 212 passengers were rescued.")), "files", "n.txt" } };
        var documentId = (await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("created")[0].GetProperty("id").GetInt64();
        foreach (var span in new object[]
        {
            new { layer = "entity", label = "ORGANIZATION", start = 4, end = 15 },
            new { layer = "entity", label = "LOCATION", start = 4, end = 9 }, // inside the organisation: one tag per token
            new { layer = "claim", label = "CLAIM", start = 0, end = 53 },
        })
            (await lead.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", span)).EnsureSuccessStatusCode();

        Task<JsonElement> FinishedAsync(string format) => lead.Http.ExportAsync(projectId, new { format });

        var conll = await FinishedAsync("conll");
        Assert.Equal("succeeded", conll.GetProperty("status").GetString());
        var notes = conll.GetProperty("notes").GetString()!;
        Assert.Contains("1 entity span(s) overlapping", notes);
        Assert.Contains("1 claim span(s)", notes);
        var file = Encoding.UTF8.GetString(await lead.Http.GetByteArrayAsync(conll.GetProperty("file").GetString()));
        Assert.Contains("Coast\tB-ORGANIZATION", file);
        Assert.Contains("Guard\tI-ORGANIZATION", file);

        var lossless = await FinishedAsync("annotate-jsonl");
        Assert.Equal(JsonValueKind.Null, lossless.GetProperty("notes").ValueKind);
        Assert.Contains(notes, await lead.Http.GetStringAsync($"/projects/{projectId}/exports"));
    }
}
