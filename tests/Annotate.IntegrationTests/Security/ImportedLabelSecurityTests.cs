namespace Annotate.IntegrationTests.Security;

/// <summary>
/// A label an annotated import creates follows the labels page's name rule: one it would break is refused, line by
/// line, and nothing of the import is written (such a label could not be saved again on the page).
/// </summary>
public class ImportedLabelSecurityTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    [Fact]
    public async Task An_import_that_would_create_a_label_the_page_refuses_names_each_line_and_writes_nothing()
    {
        var lead = await factory.SignUpAsync("lead");
        var projectId = await lead.ProjectAsync("Labels " + Guid.NewGuid());
        var before = await LabelsAsync(projectId);
        var file = Encoding.UTF8.GetBytes(
            "{\"text\": \"The T-72 tank rolled in.\", \"label\": [[4, 8, \"FINE_ONE\"]]}\n" +
            "{\"text\": \"The T-80 tank rolled in.\", \"label\": [[4, 8, \"MAIN BATTLE TANK\"]]}\n" +
            "{\"text\": \"The T-90 tank rolled in.\", \"label\": [[4, 8, \"WEAPON.SYSTEM\"]]}\n");

        var response = await lead.Http.PostAsync($"/api/projects/{projectId}/documents", new MultipartFormDataContent
        {
            { new ByteArrayContent(file), "files", "d.jsonl" }, { new StringContent("pre-annotations"), "annotations" },
            { new StringContent("true"), "createLabels" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("MAIN BATTLE TANK", problem.GetProperty("detail").GetString());
        var errors = problem.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal([2, 3], errors.Select(e => e.GetProperty("line").GetInt32()).Order());
        Assert.All(errors, e => Assert.Contains("letters, digits, '_' or '-'", e.GetProperty("message").GetString()));
        Assert.Equal(before, await LabelsAsync(projectId)); // not even the valid FINE_ONE: all or nothing
        Assert.Empty((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items").EnumerateArray());

        // The same import with names the rule takes creates them.
        var fixedFile = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(file).Replace("MAIN BATTLE TANK", "MAIN_BATTLE_TANK").Replace("WEAPON.SYSTEM", "WEAPON-SYSTEM"));
        var accepted = await lead.Http.PostAsync($"/api/projects/{projectId}/documents", new MultipartFormDataContent
        {
            { new ByteArrayContent(fixedFile), "files", "d.jsonl" }, { new StringContent("pre-annotations"), "annotations" },
            { new StringContent("true"), "createLabels" },
        });
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Contains("MAIN_BATTLE_TANK", await LabelsAsync(projectId));
    }

    private async Task<string> LabelsAsync(long projectId)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return string.Join(",", await db.LabelDefinitions.Where(l => l.ProjectId == projectId).OrderBy(l => l.Name).Select(l => l.Name).ToListAsync());
    }
}
