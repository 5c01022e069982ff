using System.Net.Http.Json;
using System.Text.Json;
using Annotate.BrowserTests.Editor;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Curation;

/// <summary>A reviewer works through corpus article 002 on the review page with the keyboard.</summary>
public class ReviewPageTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_reviewer_sees_each_kind_resolves_every_unit_by_keyboard_undoes_and_redoes_after_a_reload_and_marks_it_curated()
    {
        var lead = await browser.PersonAsync("lead");
        var ana = await browser.PersonAsync("ana");
        var ben = await browser.PersonAsync("ben");
        var rita = await browser.PersonAsync("rita");
        var text = await File.ReadAllTextAsync(Corpus.PathOf("002"));
        const string denial = "The Russian defence ministry said no Russian unit was ambushed near Aleppo.";
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator"), (rita, "reviewer")],
            ("002.txt", text), ("Denial.txt", denial));
        var doc = docs[0];
        // Offsets in code points: 002 has flag emoji, so UTF-16 indexes would be off after them.
        (int, int) Find(string phrase)
        {
            var at = text.IndexOf(phrase, StringComparison.Ordinal);
            var start = text[..at].EnumerateRunes().Count();
            return (start, start + phrase.EnumerateRunes().Count());
        }
        async Task Span(SignedInClient who, string label, string phrase)
        {
            var (start, end) = Find(phrase);
            (await who.Http.PostAsJsonAsync($"/api/documents/{doc}/annotations", new { layer = "entity", label, start, end })).EnsureSuccessStatusCode();
        }
        await Span(ana, "LOCATION", "Aleppo"); await Span(ben, "LOCATION", "Aleppo");
        await Span(ana, "LOCATION", "Turkey"); await Span(ben, "ORGANIZATION", "Turkey");
        await Span(ana, "FACILITY", "46th Regiment"); await Span(ben, "FACILITY", "46th Regiment base");
        await Span(ana, "DATE", "Wednesday");
        // Claims after the flag emoji, and links: one inside the article and one to the other article that both made,
        // and one to the other article that only ana made (the reviewer rejects it).
        const string ambushed = "a Russian special forces unit was ambushed and destroyed during the attack";
        const string unclear = "the strikes caused significant destruction but casualty figures remain unclear";
        async Task<string> Claim(SignedInClient who, long document, int start, int end) =>
            (await (await who.Http.PostAsJsonAsync($"/api/documents/{document}/annotations", new { layer = "claim", label = "CLAIM", start, end }))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        async Task Link(SignedInClient who, string from, string to) =>
            (await who.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "CONTRADICTS", from, to })).EnsureSuccessStatusCode();
        foreach (var who in new[] { ana, ben })
        {
            var (a, b) = (Find(ambushed), Find(unclear));
            var first = await Claim(who, doc, a.Item1, a.Item2);
            var second = await Claim(who, doc, b.Item1, b.Item2);
            var far = await Claim(who, docs[1], 0, denial.Length);
            await Link(who, first, second);
            await Link(who, first, far);
            if (who == ana) await Link(who, second, far);
        }
        foreach (var who in new[] { ana, ben })
            foreach (var document in docs)
                (await who.Http.PutAsJsonAsync($"/api/documents/{document}/status", new { status = "finished" })).EnsureSuccessStatusCode();

        var page = await browser.SignedInPageAsync(rita);
        await page.OpenLiveAsync($"/documents/{doc}/review");
        var rows = page.Locator("#units tr");
        await Assertions.Expect(rows).ToHaveCountAsync(9);
        Assert.Equal(["agreed", "label", "boundary", "missing", "agreed", "agreed", "agreed", "agreed", "missing"],
            await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.kind)"));
        var counts = page.GetByTestId("kind-counts");
        await Assertions.Expect(counts).ToContainTextAsync("9 open");

        // One key accepts the agreed unit; then lane 2 (ben) for the label, lane 1 (ana) for the boundary, X for the missing date.
        await page.Locator("#review-text").FocusAsync();
        // Accept all agreed takes the agreed spans and the agreed link inside the article; an agreed link to another
        // article waits for its own decision (it curates a claim of that article too).
        await page.Keyboard.PressAsync("Shift+A");
        await Assertions.Expect(counts).ToContainTextAsync("5 open");
        await Assertions.Expect(page.Locator("#current-unit")).ToContainTextAsync("Turkey");
        await page.Keyboard.PressAsync("2");
        await Assertions.Expect(counts).ToContainTextAsync("4 open");
        await page.Keyboard.PressAsync("1");
        await Assertions.Expect(counts).ToContainTextAsync("3 open");
        await page.Keyboard.PressAsync("x");
        await Assertions.Expect(counts).ToContainTextAsync("2 open");
        await Assertions.Expect(rows.Nth(3).Locator(".curated-lane")).ToContainTextAsync("nothing here");
        // The links to the other article, each with its two claims side by side: the one both made accepted (with its
        // far claim), the one only ana made rejected.
        await Assertions.Expect(page.GetByTestId("link-sides")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("1");
        await Assertions.Expect(counts).ToContainTextAsync("1 open");
        await Assertions.Expect(page.GetByTestId("link-sides")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("x");
        await Assertions.Expect(counts).ToContainTextAsync("0 open");

        // After a reload the history is still there: undo the last decision, then redo it.
        await page.ReloadAsync();
        await Assertions.Expect(counts).ToContainTextAsync("0 open");
        await page.Locator("#review-text").FocusAsync();
        await page.Keyboard.PressAsync("Control+z");
        await Assertions.Expect(counts).ToContainTextAsync("1 open");
        await page.Keyboard.PressAsync("Control+Shift+Z");
        await Assertions.Expect(counts).ToContainTextAsync("0 open");

        await page.Locator("#mark-curated").ClickAsync();
        await Assertions.Expect(page.GetByTestId("curation-state")).ToHaveTextAsync("Curated");
        var review = await rita.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{doc}/review");
        var curated = review.GetProperty("curated").GetProperty("spans").EnumerateArray()
            .Select(s => (s.GetProperty("label").GetString(), s.GetProperty("text").GetString())).OrderBy(s => s.Item2).ToList();
        Assert.Equal([("FACILITY", "46th Regiment"), ("LOCATION", "Aleppo"), ("ORGANIZATION", "Turkey"), ("CLAIM", ambushed), ("CLAIM", unclear)], curated);
        Assert.Equal(projectId, review.GetProperty("document").GetProperty("projectId").GetInt64());
        // The other article's units were decided from this one's page (the far claim with the accepted link, the rejected link).
        var other = await rita.Http.PutAsJsonAsync($"/api/documents/{docs[1]}/curation", new { state = "curated" });
        Assert.True(other.IsSuccessStatusCode, await other.Content.ReadAsStringAsync());

        // The curated export, in every format, holds exactly the reviewer's choices.
        await CuratedExport.CheckEveryFormatAsync(lead.Http, projectId, text,
            spans: [("LOCATION", "Aleppo"), ("ORGANIZATION", "Turkey"), ("FACILITY", "46th Regiment"), ("CLAIM", ambushed), ("CLAIM", unclear), ("CLAIM", denial)],
            inside: (ambushed, unclear), across: (ambushed, denial));
    }

    [Fact]
    public async Task A_link_between_two_articles_shows_both_claims_side_by_side_and_one_key_accepts_it_with_both_ends()
    {
        var lead = await browser.PersonAsync("lead");
        var ana = await browser.PersonAsync("ana");
        var ben = await browser.PersonAsync("ben");
        var rita = await browser.PersonAsync("rita");
        const string first = "Officials said the ferry sank at noon. Rescuers found everyone alive.";
        const string second = "The captain said the ferry never sank. He said two people were lost.";
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator"), (rita, "reviewer")],
            ("ferry-officials.txt", first), ("ferry-captain.txt", second));
        async Task<Guid> Claim(SignedInClient who, int doc, string phrase)
        {
            var text = doc == 0 ? first : second;
            var start = text.IndexOf(phrase, StringComparison.Ordinal);
            var created = await (await who.Http.PostAsJsonAsync($"/api/documents/{docs[doc]}/annotations", new { layer = "claim", label = "CLAIM", start, end = start + phrase.Length }))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
            return created.GetProperty("id").GetGuid();
        }
        async Task Link(SignedInClient who, Guid from, Guid to) =>
            (await who.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "CONTRADICTS", from, to })).EnsureSuccessStatusCode();
        // Both link the sinking; only ana links the survivors, across the two articles.
        foreach (var who in new[] { ana, ben }) await Link(who, await Claim(who, 0, "the ferry sank at noon"), await Claim(who, 1, "the ferry never sank"));
        await Link(ana, await Claim(ana, 0, "Rescuers found everyone alive"), await Claim(ana, 1, "two people were lost"));
        foreach (var who in new[] { ana, ben })
            foreach (var doc in docs)
                (await who.Http.PutAsJsonAsync($"/api/documents/{doc}/status", new { status = "finished" })).EnsureSuccessStatusCode();

        var page = await browser.SignedInPageAsync(rita);
        await page.OpenLiveAsync($"/documents/{docs[0]}/review");
        var survivors = page.Locator("#units tr", new() { HasText = "two people were lost" });
        await Assertions.Expect(survivors).ToHaveAttributeAsync("data-kind", "missing");
        await survivors.ClickAsync();
        var sides = page.GetByTestId("link-sides");
        await Assertions.Expect(sides.Locator("[data-side=from]")).ToContainTextAsync("This article");
        await Assertions.Expect(sides.Locator("[data-side=from]")).ToContainTextAsync("Rescuers found everyone alive");
        await Assertions.Expect(sides.Locator("[data-side=to]")).ToContainTextAsync("two people were lost");
        // The other article is named by its title and opens its own review.
        await Assertions.Expect(sides.Locator($"[data-side=to] a[href='/documents/{docs[1]}/review']")).ToContainTextAsync("ferry-captain");

        await page.Keyboard.PressAsync("1");
        await Assertions.Expect(survivors.Locator(".curated-lane")).ToContainTextAsync("CONTRADICTS");
        // One decision made the link and both of its ends, the far one in the other article.
        var other = await rita.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{docs[1]}/review");
        Assert.Contains(other.GetProperty("curated").GetProperty("spans").EnumerateArray(), s => s.GetProperty("text").GetString() == "two people were lost");
        var link = Assert.Single(other.GetProperty("curated").GetProperty("relations").EnumerateArray());
        Assert.Equal(("Rescuers found everyone alive", "two people were lost"), (link.GetProperty("fromText").GetString(), link.GetProperty("toText").GetString()));
    }

    [Fact]
    public async Task An_annotator_is_refused_the_review_page()
    {
        var lead = await browser.PersonAsync("lead");
        var ana = await browser.PersonAsync("ana");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [(ana, "annotator")], ("one.txt", "A short article for the review page."));
        var page = await browser.SignedInPageAsync(ana);
        var response = await page.GotoAsync($"/documents/{docs[0]}/review");
        Assert.Equal(403, response!.Status);
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("reviewers and managers");
    }

    [Fact]
    public async Task With_anonymous_curation_the_editor_shows_a_reviewer_annotator_numbers_in_its_filter_and_span_owners_and_a_manager_names()
    {
        var (lead, ana, ben, rita, projectId, docs) = await TeamAsync(("Meeting.txt", "Ana Smith met Ben Jones in Paris on Monday."));
        foreach (var (who, label) in new[] { (ana, "PERSON"), (ben, "ORGANIZATION") })
            (await who.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "entity", label, start = 0, end = 9 })).EnsureSuccessStatusCode();
        (await lead.Http.PatchAsJsonAsync($"/api/projects/{projectId}", new { anonymousCuration = true })).EnsureSuccessStatusCode();
        var (anaName, benName) = (ana.Email.Split('@')[0], ben.Email.Split('@')[0]);

        var page = await browser.SignedInPageAsync(rita);
        await page.OpenLiveAsync($"/documents/{docs[0]}");
        var options = page.Locator("#annotator-filter option");
        await Assertions.Expect(options.Filter(new() { HasTextString = "Annotator 1" })).ToHaveCountAsync(1);
        await Assertions.Expect(options.Filter(new() { HasTextString = "Annotator 2" })).ToHaveCountAsync(1);
        // The span owners (the tags' tooltips) read the same numbers, and no annotator's name is anywhere on the page.
        await Assertions.Expect(page.Locator("#document-text .span-tag").First).ToBeVisibleAsync();
        var titles = string.Join("\n", await page.Locator("#document-text [title]").EvaluateAllAsync<string[]>("es => es.map(e => e.title)"));
        Assert.Contains("Annotator 1", titles);
        var html = await page.ContentAsync();
        Assert.DoesNotContain(anaName, html);
        Assert.DoesNotContain(benName, html);
        // The filter still works by number: one annotator's work alone.
        await page.Locator("#annotator-filter").SelectOptionAsync(new SelectOptionValue { Label = "Annotator 1" });
        await Assertions.Expect(page.Locator("#document-text .span-tag")).ToHaveCountAsync(1);

        var managers = await browser.SignedInPageAsync(lead);
        await managers.OpenLiveAsync($"/documents/{docs[0]}");
        await Assertions.Expect(managers.Locator("#annotator-filter option").Filter(new() { HasTextString = anaName })).ToHaveCountAsync(1);
        await Assertions.Expect(managers.Locator("#annotator-filter option").Filter(new() { HasTextString = "Annotator 1" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task From_the_conflict_queue_a_reviewer_curates_a_document_and_goes_on_to_the_next_by_keyboard_alone_and_the_queue_shrinks()
    {
        var (lead, ana, ben, rita, projectId, docs) = await TeamAsync(
            ("Meeting.txt", "Ana Smith met Ben Jones in Paris on Monday."), ("Visit.txt", "Cem Kaya visited Oslo on Friday."));
        foreach (var doc in docs)
        {
            foreach (var (who, label) in new[] { (ana, "PERSON"), (ben, "ORGANIZATION") })
            {
                (await who.Http.PostAsJsonAsync($"/api/documents/{doc}/annotations", new { layer = "entity", label, start = 0, end = 8 })).EnsureSuccessStatusCode();
                (await who.Http.PutAsJsonAsync($"/api/documents/{doc}/status", new { status = "finished" })).EnsureSuccessStatusCode();
            }
        }

        var page = await browser.SignedInPageAsync(rita);
        await page.GotoAsync($"/projects/{projectId}/conflicts");
        await Assertions.Expect(page.GetByTestId("conflicts-total")).ToContainTextAsync("in 2 document(s)");
        var first = long.Parse((await page.GetByTestId("curate-next").GetAttributeAsync("href"))!.Split('/')[2]);
        var second = docs.Single(d => d != first);
        // Tab to "Curate the first" and open it with Enter.
        for (var i = 0; i < 40 && !await page.EvaluateAsync<bool>("() => document.activeElement?.dataset.testid === 'curate-next'"); i++)
            await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync($"**/documents/{first}/review");
        var counts = page.GetByTestId("kind-counts");
        await Assertions.Expect(counts).ToContainTextAsync("1 open");
        await Assertions.Expect(page.GetByTestId("queue-count")).ToHaveTextAsync("2 documents to curate");

        // Lane 2 (ben's ORGANIZATION), Shift+C marks it curated, and the queue has one document left.
        await page.Keyboard.PressAsync("2");
        await Assertions.Expect(counts).ToContainTextAsync("0 open");
        await page.Keyboard.PressAsync("Shift+C");
        await Assertions.Expect(page.GetByTestId("curation-state")).ToHaveTextAsync("Curated");
        await Assertions.Expect(page.GetByTestId("queue-count")).ToHaveTextAsync("1 document to curate");
        await page.Keyboard.PressAsync("Shift+N");
        await page.WaitForURLAsync($"**/documents/{second}/review");
        await Assertions.Expect(page.GetByTestId("kind-counts")).ToContainTextAsync("1 open");

        await page.GotoAsync($"/projects/{projectId}/conflicts");
        await Assertions.Expect(page.GetByTestId("conflicts-total")).ToContainTextAsync("in 1 document(s)");
        await Assertions.Expect(page.GetByTestId("curate-next")).ToHaveAttributeAsync("href", $"/documents/{second}/review");
    }

    [Fact]
    public async Task A_second_reviewers_decisions_and_undo_appear_in_place_and_neither_page_reads_the_review_again()
    {
        var (lead, ana, ben, rita, _, docs) = await TeamAsync(("Meeting.txt", "Ana Smith met Ben Jones in Paris on Monday."));
        var doc = docs[0];
        foreach (var (who, label) in new[] { (ana, "PERSON"), (ben, "ORGANIZATION") })
        {
            (await who.Http.PostAsJsonAsync($"/api/documents/{doc}/annotations", new { layer = "entity", label, start = 0, end = 9 })).EnsureSuccessStatusCode();
            (await who.Http.PostAsJsonAsync($"/api/documents/{doc}/annotations", new { layer = "entity", label = "LOCATION", start = 27, end = 32 })).EnsureSuccessStatusCode();
            (await who.Http.PutAsJsonAsync($"/api/documents/{doc}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        }
        // Each page reads the review once, on opening: its own decisions' answers and the other's decisions heard live are applied in place.
        var reads = new Dictionary<string, int> { ["rita"] = 0, ["lead"] = 0 };
        async Task<IPage> OpenAsync(SignedInClient who, string name)
        {
            var page = await browser.SignedInPageAsync(who);
            page.Request += (_, request) => { if (request.Url.EndsWith($"/api/documents/{doc}/review", StringComparison.Ordinal)) reads[name]++; };
            await page.OpenLiveAsync($"/documents/{doc}/review");
            await Assertions.Expect(page.GetByTestId("kind-counts")).ToContainTextAsync("2 open");
            return page;
        }
        var ritas = await OpenAsync(rita, "rita");
        var leads = await OpenAsync(lead, "lead");
        var (ritasCounts, leadsCounts) = (ritas.GetByTestId("kind-counts"), leads.GetByTestId("kind-counts"));
        var ritasFirstRow = ritas.Locator("#units tr").First;

        // The lead merges the agreed Paris, then takes ben's ORGANIZATION (lane 2) for the label conflict.
        await leads.Locator("#review-text").FocusAsync();
        await leads.Keyboard.PressAsync("Shift+A");
        await Assertions.Expect(leadsCounts).ToContainTextAsync("1 open");
        await Assertions.Expect(ritasCounts).ToContainTextAsync("1 open");
        await Assertions.Expect(ritas.GetByTestId("curation-state")).ToHaveTextAsync("In progress");
        await leads.Keyboard.PressAsync("2");
        await Assertions.Expect(leadsCounts).ToContainTextAsync("0 open");
        await Assertions.Expect(ritasCounts).ToContainTextAsync("0 open");
        await Assertions.Expect(ritasFirstRow.Locator(".curated-lane")).ToContainTextAsync("ORGANIZATION");
        await Assertions.Expect(ritas.Locator("#mark-curated")).ToBeEnabledAsync();

        // His undo opens the unit again on both pages; rita then decides it herself, from the version her page now holds.
        await leads.Keyboard.PressAsync("Control+z");
        await Assertions.Expect(leadsCounts).ToContainTextAsync("1 open");
        await Assertions.Expect(ritasCounts).ToContainTextAsync("1 open");
        await Assertions.Expect(ritasFirstRow.Locator(".curated-lane")).ToContainTextAsync("open");
        await ritasFirstRow.ClickAsync();
        await ritas.Locator("#review-text").FocusAsync();
        await ritas.Keyboard.PressAsync("1");
        await Assertions.Expect(ritasCounts).ToContainTextAsync("0 open");
        await Assertions.Expect(leadsCounts).ToContainTextAsync("0 open");
        await Assertions.Expect(leads.Locator("#units tr").First.Locator(".curated-lane")).ToContainTextAsync("PERSON");
        Assert.Equal(new Dictionary<string, int> { ["rita"] = 1, ["lead"] = 1 }, reads);
    }

    /// <summary>Lead's open project with ana and ben annotating and rita reviewing, holding <paramref name="files"/>.</summary>
    private async Task<(SignedInClient Lead, SignedInClient Ana, SignedInClient Ben, SignedInClient Rita, long ProjectId, long[] Docs)> TeamAsync(
        params (string Name, string Text)[] files)
    {
        var (lead, ana, ben, rita) = (await browser.PersonAsync("lead"), await browser.PersonAsync("ana"), await browser.PersonAsync("ben"), await browser.PersonAsync("rita"));
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator"), (rita, "reviewer")], files);
        return (lead, ana, ben, rita, projectId, docs);
    }
}
