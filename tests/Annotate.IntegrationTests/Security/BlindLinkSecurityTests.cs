using Annotate.Web.Features.Projects;

namespace Annotate.IntegrationTests.Security;

/// <summary>
/// A project made blind after an annotator linked their claim to another annotator's: the link stays theirs, but the
/// other's claim text reaches them through no route (the links list, the events log), while a manager still reads it.
/// </summary>
public class BlindLinkSecurityTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    private const string Text = "Officials said 212 were rescued. The company said 190 were.";
    private const string Theirs = "Officials said 212 were rescued", Mine = "The company said 190 were";

    [Fact]
    public async Task After_a_project_turns_blind_an_annotators_link_no_longer_shows_the_other_annotators_claim()
    {
        var lead = await factory.SignUpAsync("lead");
        var ana = await factory.SignUpAsync("ana");
        var ben = await factory.SignUpAsync("ben");
        var projectId = await lead.ProjectAsync("Blind links " + Guid.NewGuid(), "open");
        foreach (var person in new[] { ana, ben })
            (await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = person.Email, role = "annotator" })).EnsureSuccessStatusCode();
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(Text)), "files", "a.txt" } };
        var documentId = (await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created")[0].GetProperty("id").GetInt64();
        async Task<Guid> ClaimAsync(SignedInClient who, int start, int end) =>
            (await (await who.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", new { layer = "claim", label = "CLAIM", start, end }))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var bens = await ClaimAsync(ben, 0, 31);
        var anas = await ClaimAsync(ana, 33, 58);
        // While the project is open, Ana links her claim to Ben's.
        (await ana.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "CONTRADICTS", from = anas, to = bens })).EnsureSuccessStatusCode();
        Assert.Contains(Theirs, await ana.Http.GetStringAsync($"/api/projects/{projectId}/relations"));

        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var row = await db.Projects.SingleAsync(p => p.Id == projectId);
            await scope.ServiceProvider.GetRequiredService<ProjectAdmin>().UpdateSettingsAsync(row, new ProjectSettingsPatch(Visibility: "blind"));
        }

        var relations = await ana.Http.GetStringAsync($"/api/projects/{projectId}/relations");
        var events = await ana.Http.GetStringAsync($"/api/projects/{projectId}/events?after=0");
        var documentEvents = await ana.Http.GetStringAsync($"/api/projects/{projectId}/events?after=0&document={documentId}");
        foreach (var answer in new[] { relations, events, documentEvents }) Assert.DoesNotContain(Theirs, answer);
        var link = JsonDocument.Parse(relations).RootElement.EnumerateArray().Single();
        Assert.Equal(Mine, link.GetProperty("fromText").GetString());
        Assert.Equal(JsonValueKind.Null, link.GetProperty("toText").ValueKind);
        Assert.Equal(bens, link.GetProperty("to").GetGuid()); // the link itself is still hers
        var logged = JsonDocument.Parse(events).RootElement.EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "relation_created");
        Assert.Equal(Mine, logged.GetProperty("data").GetProperty("fromText").GetString());
        Assert.Equal(JsonValueKind.Null, logged.GetProperty("data").GetProperty("toText").ValueKind);

        // The manager sees everyone's work, so both ends.
        Assert.Contains(Theirs, await lead.Http.GetStringAsync($"/api/projects/{projectId}/relations"));
        Assert.Contains(Theirs, await lead.Http.GetStringAsync($"/api/projects/{projectId}/events?after=0"));
    }
}
