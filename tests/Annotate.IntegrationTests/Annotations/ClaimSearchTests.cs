using Annotate.IntegrationTests.LiveSync;

namespace Annotate.IntegrationTests.Annotations;

/// <summary>The link form's claim search: text, attribution and note for the words, the article's title as its own filter.</summary>
public class ClaimSearchTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    private const string First = "Officials said 212 were rescued. The mayor thanked the crews.";
    private const string Second = "Up to 50 people were still missing. Divers searched all night.";

    [Fact]
    public async Task A_number_finds_claims_about_it_not_every_claim_of_an_article_titled_with_it()
    {
        var lead = await factory.PersonAsync("lead");
        var projectId = await lead.ProjectAsync("Search " + Guid.NewGuid());
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(First)), "files", "report-50.txt" },
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(Second)), "files", "wire-7.txt" },
        };
        var documents = (await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()).ToArray();
        async Task ClaimAsync(long document, int start, int end, object? attributes = null, string? note = null) =>
            (await lead.Http.PostAsJsonAsync($"/api/documents/{document}/annotations", new { layer = "claim", label = "CLAIM", start, end, attributes, note }))
            .EnsureSuccessStatusCode();
        await ClaimAsync(documents[0], 0, 31);                                              // "Officials said 212 were rescued"
        await ClaimAsync(documents[0], 33, 60, new { attributedTo = "Station 50's chief" }); // "The mayor thanked the crews" (attributed)
        await ClaimAsync(documents[1], 0, 34);                                              // "Up to 50 people were still missing"
        await ClaimAsync(documents[1], 36, 61, note: "50 divers, per the wire");            // "Divers searched all night" (note)

        async Task<string[]> SearchAsync(string query) =>
            (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/claims?{query}"))
            .EnumerateArray().Select(c => c.GetProperty("text").GetString()!).ToArray();

        Assert.Equal(["The mayor thanked the crews", "Up to 50 people were still missing", "Divers searched all night"], await SearchAsync("q=50"));
        Assert.Equal(["Officials said 212 were rescued", "The mayor thanked the crews"], await SearchAsync("title=report-50"));
        Assert.Equal(["The mayor thanked the crews"], await SearchAsync("q=50&title=report"));
        Assert.Equal(["Officials said 212 were rescued"], await SearchAsync("q=212"));
    }
}
