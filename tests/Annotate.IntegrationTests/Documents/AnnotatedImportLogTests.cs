namespace Annotate.IntegrationTests.Documents;

/// <summary>Imported spans and links are changes like any other: they reach the change log, or nothing does.</summary>
public class AnnotatedImportLogTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    [Fact]
    public async Task Imported_spans_and_links_appear_in_the_events_as_the_api_shows_them_and_a_refused_import_logs_nothing()
    {
        var lead = await factory.SignUpAsync("lead");
        var projectId = await lead.ProjectAsync("Import log " + Guid.NewGuid());

        var refused = Encoding.UTF8.GetBytes(
            "{\"text\": \"Officials said 212 were rescued.\", \"entities\": [{\"id\": 1, \"label\": \"QUANTITY\", \"start_offset\": 15, \"end_offset\": 18}]}\n" +
            "{\"text\": \"Broken.\", \"entities\": [{\"id\": 1, \"label\": \"PERSON\", \"start_offset\": 3, \"end_offset\": 70}]}\n");
        var no = await lead.Http.PostAsync($"/api/projects/{projectId}/documents",
            new MultipartFormDataContent { { new ByteArrayContent(refused), "files", "bad.jsonl" }, { new StringContent("pre-annotations"), "annotations" } });
        Assert.Equal(HttpStatusCode.BadRequest, no.StatusCode);
        Assert.Empty((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events?after=0")).EnumerateArray());

        var line = Encoding.UTF8.GetBytes(
            "{\"text\": \"Officials said 212 were rescued. The company said 190 were.\", \"entities\": [" +
            "{\"id\": 1, \"label\": \"CLAIM\", \"start_offset\": 0, \"end_offset\": 32}, {\"id\": 2, \"label\": \"CLAIM\", \"start_offset\": 33, \"end_offset\": 59}]," +
            " \"relations\": [{\"id\": 1, \"from_id\": 1, \"to_id\": 2, \"type\": \"CONTRADICTS\"}]}\n");
        var created = await lead.Http.PostAsync($"/api/projects/{projectId}/documents",
            new MultipartFormDataContent { { new ByteArrayContent(line), "files", "good.jsonl" }, { new StringContent("pre-annotations"), "annotations" } });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var documentId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created")[0].GetProperty("id").GetInt64();

        var spans = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{documentId}/annotations")).EnumerateArray().ToList();
        var links = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/relations")).EnumerateArray().ToList();
        Assert.Equal(2, spans.Count);
        Assert.Single(links);
        var events = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events?after=0")).EnumerateArray().ToList();
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.GetProperty("sequence").GetInt64()));
        foreach (var span in spans)
        {
            var logged = Assert.Single(events, e => e.GetProperty("kind").GetString() == "annotation_created"
                && e.GetProperty("subjectId").GetGuid() == span.GetProperty("id").GetGuid());
            Assert.Equal(span.GetRawText(), logged.GetProperty("data").GetRawText());
            Assert.Equal(documentId, logged.GetProperty("documentId").GetInt64());
        }
        var link = Assert.Single(events, e => e.GetProperty("kind").GetString() == "relation_created");
        Assert.Equal(links[0].GetRawText(), link.GetProperty("data").GetRawText());
    }
}
