using Annotate.Web.Features.Annotations;
using Annotate.Web.Infrastructure;

namespace Annotate.IntegrationTests.Projects;

/// <summary>
/// Lengths count characters (code points), as the varchar columns do: a name of 200 emoji is 400 UTF-16 units and fits a
/// limit of 200; one more is refused with the limit's one message, whichever route it comes by.
/// </summary>
public class LimitTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    private static string Emoji(int count) => string.Concat(Enumerable.Repeat("🙂", count));

    /// <summary>What a refusal says: its detail and, for a field's rule, the field errors.</summary>
    private static string Said(Microsoft.AspNetCore.Mvc.ProblemDetails problem) =>
        string.Join(" ", problem.Extensions.Values.Select(v => v?.ToString()).Prepend(problem.Detail));

    [Fact]
    public async Task A_project_name_of_200_emoji_is_kept_and_201_are_refused_on_create_and_rename()
    {
        var lead = await factory.SignUpAsync("lead");
        var name = Emoji(Limits.ProjectName.Max);
        Assert.Equal(2 * Limits.ProjectName.Max, name.Length);

        var id = await lead.ProjectAsync(name);
        var stored = await (await lead.Http.GetAsync($"/api/projects/{id}")).ReadAsync<JsonElement>();
        Assert.Equal(name, stored.GetProperty("name").GetString());

        var created = await lead.Http.PostAsJsonAsync("/api/projects", new { name = Emoji(Limits.ProjectName.Max + 1), visibility = "open" });
        Assert.Contains(Limits.ProjectName.Message, Said(await created.ProblemAsync(HttpStatusCode.BadRequest)));

        var renamed = await lead.Http.PatchAsJsonAsync($"/api/projects/{id}", new { name = Emoji(Limits.ProjectName.Max + 1) });
        Assert.Contains(Limits.ProjectName.Message, Said(await renamed.ProblemAsync(HttpStatusCode.BadRequest)));
        var kept = await lead.Http.PatchAsJsonAsync($"/api/projects/{id}", new { name = "x" + Emoji(Limits.ProjectName.Max - 1), description = Emoji(Limits.ProjectDescription.Max) });
        Assert.True(kept.IsSuccessStatusCode, await kept.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_span_note_of_10_000_emoji_is_kept_and_one_more_is_refused()
    {
        var lead = await factory.SignUpAsync("lead");
        var projectId = await lead.ProjectAsync();
        var documentId = (await lead.DocumentsAsync(projectId, ("a.txt", "The Coast Guard said all 212 passengers were rescued.")))[0];

        var span = await lead.SpanAsync(documentId, "claim", "CLAIM", 0, 15, note: Emoji(Limits.Note.Max));
        Assert.Equal(Emoji(Limits.Note.Max), span.Note);

        var refused = await lead.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations",
            new { layer = "claim", label = "CLAIM", start = 16, end = 20, note = Emoji(Limits.Note.Max + 1) });
        Assert.Equal(Limits.Note.Message, (await refused.ProblemAsync(HttpStatusCode.BadRequest)).Detail);
    }
}
