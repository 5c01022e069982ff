using Annotate.IntegrationTests.LiveSync;
using static Annotate.IntegrationTests.Curation.CurationApi;

namespace Annotate.IntegrationTests.Curation;

/// <summary>Two reviewers on one document over real SignalR connections.</summary>
public class LiveReviewTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    [Fact]
    public async Task A_second_reviewer_receives_each_decision_live_and_a_conflicting_decision_is_refused()
    {
        var setup = await ProjectAsync(factory.PersonAsync, ["ana", "ben"], "blind", "Ana Smith met Ben Jones in Paris.");
        var (ana, ben, doc) = (setup.Annotators["ana"], setup.Annotators["ben"], setup.Docs[0]);
        await SpanAsync(ana, doc, "PERSON", 0, 9); await SpanAsync(ben, doc, "PERSON", 0, 9);
        await SpanAsync(ana, doc, "PERSON", 14, 23); await SpanAsync(ben, doc, "ORGANIZATION", 14, 23);
        await FinishAsync(ana, doc); await FinishAsync(ben, doc);

        await using var rita = await factory.LiveAsync(setup.Reviewer);
        await using var anaLive = await factory.LiveAsync(ana);
        await rita.JoinAsync(doc);
        await anaLive.JoinAsync(doc);
        // Both reviewers load the review; the manager decides first.
        var seenByRita = await ReviewAsync(setup.Reviewer.Http, doc);
        var unit = UnitAt(seenByRita, 14);
        var lead = setup.Lead.Http;
        var merged = await DecidedAsync(lead, doc, new { action = "accept-agreed" });
        await rita.WaitForAsync(merged.GetProperty("sequence").GetInt64());
        var accepted = await DecidedAsync(lead, doc, new { action = "accept", unit = Id(unit), annotatorId = UserIdOf(seenByRita, "ben"), version = Version(unit) });
        await rita.WaitForAsync(accepted.GetProperty("sequence").GetInt64());

        var decisions = rita.Changes.Where(c => c.GetProperty("kind").GetString() == "curation_decided").Select(c => c.GetProperty("data")).ToList();
        Assert.Equal(["accept-agreed", "accept"], decisions.Select(d => d.GetProperty("action").GetString()));
        Assert.Equal(accepted.GetProperty("decision").GetRawText(), decisions[1].GetRawText());
        Assert.Contains(rita.Changes, c => c.GetProperty("kind").GetString() == "curation_state_changed");

        // rita, on her page from before, decides the same unit: refused with the manager's decision as its current state.
        var refused = await DecideAsync(setup.Reviewer.Http, doc, new { action = "accept", unit = Id(unit), annotatorId = UserIdOf(seenByRita, "ana"), version = Version(unit) });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var current = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("current");
        Assert.Equal(accepted.GetProperty("decision").GetProperty("id").GetInt64(), current.GetProperty("decision").GetProperty("id").GetInt64());

        // The undo reaches her too; a blind project's annotator hears none of it.
        var undone = await (await lead.PostAsync($"/api/review/decisions/{accepted.GetProperty("decision").GetProperty("id").GetInt64()}/undo", null))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        await rita.WaitForAsync(undone.GetProperty("sequence").GetInt64());
        Assert.Contains(rita.Changes, c => c.GetProperty("kind").GetString() == "curation_undone");
        Assert.DoesNotContain(anaLive.Changes, c => c.GetProperty("kind").GetString()!.StartsWith("curation_"));
    }
}
