using Microsoft.AspNetCore.SignalR.Client;
using Annotate.IntegrationTests.LiveSync;

namespace Annotate.IntegrationTests.Workflow;

/// <summary>
/// Anonymous curation on the workflow routes: with the setting on, a reviewer reads "Annotator n" (the review page's
/// numbers) and no email on the Progress page, its API and CSV, and in the assignment and state pushes of the work
/// pages; a manager reads names everywhere.
/// </summary>
public class AnonymousProgressTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    private const string Text = "Officials said 212 were rescued. The company said 190 were.";

    [Fact]
    public async Task A_reviewer_reads_annotator_numbers_on_progress_and_work_pushes_and_a_manager_reads_names()
    {
        var (lead, ana, ben, rita) = await factory.TeamAsync();
        var (projectId, d) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator"), (rita, "reviewer")], Text, Text + " B.");
        var (anaId, benId) = (await Work.UserIdAsync(lead, projectId, ana.Email), await Work.UserIdAsync(lead, projectId, ben.Email));
        await Work.AssignAsync(lead, projectId, [d[0]], [anaId, benId]);
        await Work.ClaimAsync(ana, d[0]);
        await Work.ClaimAsync(ben, d[0], 33, 44);
        (await ben.Http.PutAsJsonAsync($"/api/documents/{d[0]}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        (await Work.PatchAsync(lead, projectId, new { anonymousCuration = true })).EnsureSuccessStatusCode();

        // The numbers the review page gives them.
        var review = await rita.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{d[0]}/review");
        var numbers = review.GetProperty("annotators").EnumerateArray().ToDictionary(a => a.GetProperty("id").GetString()!, a => a.GetProperty("name").GetString()!);
        Assert.Equal(["Annotator 1", "Annotator 2"], numbers.Values.Order());
        var (anaName, benName) = (ana.Email.Split('@')[0], ben.Email.Split('@')[0]);

        var routes = new[]
        {
            $"/api/projects/{projectId}/progress", $"/api/projects/{projectId}/progress/annotators", $"/api/projects/{projectId}/progress.csv?table=annotators",
            $"/api/projects/{projectId}/progress/annotators?sort=email", $"/projects/{projectId}/progress",
        };
        foreach (var route in routes)
        {
            var asReviewer = await rita.Http.GetStringAsync(route);
            foreach (var hidden in new[] { anaName, benName, ana.Email, ben.Email }) Assert.DoesNotContain(hidden, asReviewer);
            Assert.Contains(numbers[anaId], asReviewer);
            Assert.Contains(numbers[benId], asReviewer);
            var asManager = await lead.Http.GetStringAsync(route);
            Assert.Contains(anaName, asManager);
            Assert.DoesNotContain(numbers[anaId], asManager);
        }
        var people = await rita.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/progress/annotators");
        Assert.All(people.GetProperty("items").EnumerateArray(), p =>
        {
            Assert.Equal(numbers[p.GetProperty("userId").GetString()!], p.GetProperty("name").GetString());
            Assert.Equal("", p.GetProperty("email").GetString());
        });

        // Live: both watch the project's work; the lead assigns ana the second document and she starts it.
        await using var ritaLive = await factory.LiveAsync(rita);
        await using var leadLive = await factory.LiveAsync(lead);
        await ritaLive.Hub.InvokeAsync("WatchWork", projectId);
        await leadLive.Hub.InvokeAsync("WatchWork", projectId);
        await Work.AssignAsync(lead, projectId, [d[1]], [anaId]);
        (await ana.Http.PutAsJsonAsync($"/api/documents/{d[1]}/status", new { status = "in_progress" })).EnsureSuccessStatusCode();
        static bool Heard(LiveClient live, string kind) => live.Changes.Any(c => c.GetProperty("kind").GetString() == kind);
        await ritaLive.WaitUntilAsync(c => Heard(c, "assignment_added") && Heard(c, "document_state_changed"));
        await leadLive.WaitUntilAsync(c => Heard(c, "assignment_added") && Heard(c, "document_state_changed"));
        var assigned = ritaLive.Changes.Last(c => c.GetProperty("kind").GetString() == "assignment_added").GetProperty("data");
        Assert.Equal(numbers[anaId], assigned.GetProperty("userName").GetString());
        var stateChange = ritaLive.Changes.Last(c => c.GetProperty("kind").GetString() == "document_state_changed");
        var state = stateChange.GetProperty("data");
        Assert.Equal(numbers[anaId], state.GetProperty("userName").GetString());
        Assert.DoesNotContain(ritaLive.Changes, c => c.GetRawText().Contains(anaName));
        Assert.Equal(anaName, leadLive.Changes.Last(c => c.GetProperty("kind").GetString() == "assignment_added").GetProperty("data").GetProperty("userName").GetString());

        // Setting it off reaches the open connection; watching again, the reviewer hears names.
        (await Work.PatchAsync(lead, projectId, new { anonymousCuration = false })).EnsureSuccessStatusCode();
        await ritaLive.WaitUntilAsync(c => c.AccessChanges.Contains(projectId));
        await ritaLive.Hub.InvokeAsync("WatchWork", projectId);
        await Work.AssignAsync(lead, projectId, [d[1]], [benId]);
        await ritaLive.WaitUntilAsync(c => c.Changes.Any(e => e.GetRawText().Contains(benName)));
        Assert.Contains(anaName, await rita.Http.GetStringAsync($"/projects/{projectId}/progress"));
    }
}
