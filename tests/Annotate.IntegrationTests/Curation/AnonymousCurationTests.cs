using Annotate.IntegrationTests.LiveSync;
using static Annotate.IntegrationTests.Curation.CurationApi;

namespace Annotate.IntegrationTests.Curation;

/// <summary>
/// Anonymous curation beyond the review routes: a reviewer reads "Annotator n" (the review page's numbers) in the
/// editor's lists, the change log and live pushes over a real SignalR connection; a manager reads names.
/// </summary>
public class AnonymousCurationTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    [Fact]
    public async Task A_reviewer_reads_annotator_numbers_in_the_editor_the_change_log_and_live_pushes_and_a_manager_reads_names()
    {
        var setup = await FourKindsAsync(factory.PersonAsync);
        var (rita, lead, doc) = (setup.Reviewer.Http, setup.Lead.Http, setup.Docs[0]);
        var (ana, ben) = (setup.Annotators["ana"], setup.Annotators["ben"]);
        var anaName = ana.Email.Split('@')[0];
        (await lead.PatchAsJsonAsync($"/api/projects/{setup.ProjectId}", new { anonymousCuration = true })).EnsureSuccessStatusCode();
        var review = await ReviewAsync(rita, doc);
        var numbers = review.GetProperty("annotators").EnumerateArray().ToDictionary(a => a.GetProperty("id").GetString()!, a => a.GetProperty("name").GetString()!);
        Assert.Equal(["Annotator 1", "Annotator 2"], numbers.Values.Order());
        var anaId = (await lead.GetFromJsonAsync<JsonElement>($"/api/documents/{doc}/annotations")).EnumerateArray()
            .First(a => a.GetProperty("annotatorName").GetString() == anaName).GetProperty("annotatorId").GetString()!;

        // REST: the change log, the editor's span list and the document's states.
        foreach (var route in new[] { $"/api/projects/{setup.ProjectId}/events?after=0", $"/api/documents/{doc}/annotations", $"/api/documents/{doc}/states" })
        {
            var asReviewer = await rita.GetStringAsync(route);
            Assert.DoesNotContain(anaName, asReviewer);
            Assert.Contains(numbers[anaId], asReviewer);
            Assert.Contains(anaName, await lead.GetStringAsync(route));
        }
        var events = await rita.GetFromJsonAsync<JsonElement>($"/api/projects/{setup.ProjectId}/events?after=0");
        Assert.All(events.EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "annotation_created"),
            e => Assert.Equal(numbers[e.GetProperty("data").GetProperty("annotatorId").GetString()!], e.GetProperty("data").GetProperty("annotatorName").GetString()));
        // The editor page: its annotator filter and span owners come from the state it embeds.
        var editor = await rita.GetStringAsync($"/documents/{doc}");
        Assert.DoesNotContain(anaName, editor);
        Assert.Contains(numbers[anaId], editor);
        Assert.Contains(anaName, await lead.GetStringAsync($"/documents/{doc}"));

        // Live: a reviewer's and a manager's real SignalR connections on the document; ana adds a span and finishes.
        await using var ritaLive = await factory.LiveAsync(setup.Reviewer);
        await using var leadLive = await factory.LiveAsync(setup.Lead);
        var joined = await ritaLive.JoinAsync(doc);
        Assert.DoesNotContain(anaName, joined.GetRawText());
        await leadLive.JoinAsync(doc);
        await SpanAsync(ana, doc, "EVENT", 10, 13);
        await using var anaLive = await factory.LiveAsync(ana);
        await anaLive.JoinAsync(doc); // ana on the document: the presence pushes name her to the manager only
        var last = (await lead.GetFromJsonAsync<JsonElement>($"/api/projects/{setup.ProjectId}/events?after=0")).EnumerateArray().Last().GetProperty("sequence").GetInt64();
        await ritaLive.WaitForAsync(last);
        await leadLive.WaitForAsync(last);
        var pushed = ritaLive.Changes.Last(c => c.GetProperty("kind").GetString() == "annotation_created").GetProperty("data");
        Assert.Equal(numbers[anaId], pushed.GetProperty("annotatorName").GetString());
        Assert.Equal(anaName, leadLive.Changes.Last(c => c.GetProperty("kind").GetString() == "annotation_created").GetProperty("data").GetProperty("annotatorName").GetString());
        await ritaLive.WaitUntilAsync(c => c.PresenceUpdates.Any(p => p.GetRawText().Contains(numbers[anaId])));
        await leadLive.WaitUntilAsync(c => c.PresenceUpdates.Any(p => p.GetRawText().Contains(anaName)));
        Assert.DoesNotContain(ritaLive.Changes.Concat(ritaLive.PresenceUpdates), e => e.GetRawText().Contains(anaName));

        // Setting it off reaches the open connection (AccessChanged, then a rejoin hears names again).
        (await lead.PatchAsJsonAsync($"/api/projects/{setup.ProjectId}", new { anonymousCuration = false })).EnsureSuccessStatusCode();
        await ritaLive.WaitUntilAsync(c => c.AccessChanges.Contains(setup.ProjectId));
        await ritaLive.JoinAsync(doc);
        await SpanAsync(ben, doc, "EVENT", 10, 13);
        var benName = ben.Email.Split('@')[0];
        await ritaLive.WaitUntilAsync(c => c.Changes.Any(e => e.GetRawText().Contains(benName)));
    }
}
