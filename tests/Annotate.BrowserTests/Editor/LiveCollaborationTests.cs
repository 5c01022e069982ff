using System.Net.Http.Json;
using System.Text.Json;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Editor;

public class LiveCollaborationTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Gazette = "Ferry fire: all 212 passengers rescued\n\nThe Coast Guard said all 212 passengers were rescued unhurt on Tuesday.\nNorthline said the fire began in a fuel pump.";
    private const string Times = "Morning Tern blaze\n\nEleven people were taken to hospital with smoke inhalation on Wednesday.\nThe fire began in the galley, a spokesman said.";

    [Fact]
    public async Task Two_annotators_see_each_others_spans_and_links_live_and_a_deletion_goes_for_both()
    {
        var lead = await browser.PersonAsync("lead");
        var ana = await browser.PersonAsync("ana");
        var ben = await browser.PersonAsync("ben");
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator")], ("gazette.txt", Gazette), ("times.txt", Times));

        var a = await browser.SignedInPageAsync(ana);
        var b = await browser.SignedInPageAsync(ben);
        await a.OpenLiveAsync($"/documents/{docs[0]}");
        await b.OpenLiveAsync($"/documents/{docs[0]}");
        await Assertions.Expect(b.Locator("#presence")).ToContainTextAsync(ana.Email.Split('@')[0]);

        // A highlights a claim with the mouse and presses the CLAIM key; B sees it without reloading.
        await a.SelectWithMouseAsync("#document-text", "all 212 passengers were rescued unhurt");
        await Assertions.Expect(a.Locator("#palette")).ToBeVisibleAsync();
        await a.Keyboard.PressAsync("c");
        await Assertions.Expect(a.Span("all 212 passengers were rescued unhurt")).ToHaveCountAsync(1);
        await Assertions.Expect(b.Span("all 212 passengers were rescued unhurt")).ToHaveCountAsync(1);
        await Assertions.Expect(b.Locator("#annotation-list")).ToContainTextAsync("all 212 passengers were rescued unhurt");

        // B marks a claim in the other article, then links A's claim to it in the compare view: one click each side.
        var bTimes = await b.Context.NewPageAsync();
        await bTimes.OpenLiveAsync($"/documents/{docs[1]}");
        await bTimes.SelectWithMouseAsync("#document-text", "Eleven people were taken to hospital");
        await bTimes.Locator("#palette").GetByRole(AriaRole.Button, new() { Name = "CLAIM" }).ClickAsync(); // the palette's, not the legend's
        await Assertions.Expect(bTimes.Span("Eleven people were taken to hospital")).ToHaveCountAsync(1);
        await bTimes.CloseAsync();

        var compare = await b.Context.NewPageAsync();
        await compare.OpenLiveAsync($"/projects/{projectId}/compare?left={docs[0]}&right={docs[1]}");
        // The compare view shows who is on each article: A is on the left one.
        await Assertions.Expect(compare.Locator("#presence-left")).ToContainTextAsync(ana.Email.Split('@')[0]);
        await Assertions.Expect(compare.Locator("#presence-right")).Not.ToContainTextAsync(ana.Email.Split('@')[0]);
        await compare.Locator("#link-type").SelectOptionAsync("CONTRADICTS");
        await compare.Span("all 212 passengers were rescued unhurt", "#text-left").ClickAsync();
        await compare.Span("Eleven people were taken to hospital", "#text-right").ClickAsync();
        await Assertions.Expect(compare.GetByTestId("compare-links")).ToContainTextAsync("contradicts");

        // A sees the link in the document's link list, live, and can follow it to the other article.
        var link = a.Locator("#link-list .link-item");
        await Assertions.Expect(link).ToContainTextAsync("contradicts");
        await Assertions.Expect(link).ToContainTextAsync("Eleven people were taken to hospital");

        // A deletes the claim; B sees it go, and the link with it (in the compare view too).
        await a.Locator("#annotation-list .annotation-item").Filter(new() { HasTextString = "all 212 passengers" }).ClickAsync();
        await a.Locator("#details").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(b.Span("all 212 passengers were rescued unhurt")).ToHaveCountAsync(0);
        await Assertions.Expect(compare.GetByTestId("compare-links")).ToContainTextAsync("No links");
        await Assertions.Expect(b.Locator("#link-list")).ToContainTextAsync("No links yet");
    }

    [Fact]
    public async Task A_claim_in_another_article_is_found_from_the_document_page_linked_and_followed()
    {
        var lead = await browser.PersonAsync("lead");
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("gazette.txt", Gazette + " search"), ("times.txt", Times + " search"));
        async Task<string> ClaimAsync(long document, string text, string phrase)
        {
            var start = text.IndexOf(phrase, StringComparison.Ordinal);
            var created = await (await lead.Http.PostAsJsonAsync($"/api/documents/{document}/annotations", new { layer = "claim", label = "CLAIM", start, end = start + phrase.Length }))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
            return created.GetProperty("id").GetString()!;
        }
        var rescued = await ClaimAsync(docs[0], Gazette, "all 212 passengers were rescued unhurt");
        var hospital = await ClaimAsync(docs[1], Times, "Eleven people were taken to hospital");
        await ClaimAsync(docs[1], Times, "The fire began in the galley");
        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{docs[0]}");

        // The claim's link form searches the whole project's claims: the other article's claim is found by its words.
        await page.Locator("#annotation-list .annotation-item").Filter(new() { HasTextString = "212 passengers" }).ClickAsync();
        await page.Locator("#details summary").ClickAsync();
        await page.Locator("#link-type").SelectOptionAsync("CONTRADICTS");
        var found = page.Locator("#link-results [data-claim]");
        await Assertions.Expect(found).ToHaveCountAsync(2);
        await page.Locator("#link-search").FillAsync("hospital");
        await Assertions.Expect(found).ToHaveCountAsync(1);
        await Assertions.Expect(found).ToContainTextAsync("Eleven people were taken to hospital");
        await Assertions.Expect(found).ToContainTextAsync("Morning Tern blaze");
        await found.ClickAsync();
        var link = page.Locator("#link-list .link-item");
        await Assertions.Expect(link).ToContainTextAsync("contradicts");
        var relation = Assert.Single((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/relations")).EnumerateArray());
        Assert.Equal((rescued, hospital, "CONTRADICTS"), (relation.GetProperty("from").GetString(), relation.GetProperty("to").GetString(), relation.GetProperty("type").GetString()));

        // Following the link's other end opens the other article at that claim.
        await link.GetByRole(AriaRole.Link, new() { Name = "Eleven people were taken to hospital" }).ClickAsync();
        await page.WaitForURLAsync($"**/documents/{docs[1]}#annotation-{hospital}");
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Morning Tern blaze");
        await Assertions.Expect(page.Locator("#details blockquote")).ToHaveTextAsync("Eleven people were taken to hospital");
        await Assertions.Expect(page.Locator("#link-list .link-item")).ToContainTextAsync("all 212 passengers were rescued unhurt");
    }

    [Fact]
    public async Task In_a_blind_project_an_annotator_never_sees_anothers_work()
    {
        var lead = await browser.PersonAsync("lead");
        var ana = await browser.PersonAsync("ana");
        var ben = await browser.PersonAsync("ben");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "blind", [(ana, "annotator"), (ben, "annotator")], ("gazette.txt", Gazette + " blind"));
        var a = await browser.SignedInPageAsync(ana);
        var b = await browser.SignedInPageAsync(ben);
        await a.OpenLiveAsync($"/documents/{docs[0]}");
        await b.OpenLiveAsync($"/documents/{docs[0]}");

        await a.SelectWithMouseAsync("#document-text", "Coast Guard");
        await Assertions.Expect(a.Locator("#palette")).ToBeVisibleAsync();
        await a.Keyboard.PressAsync("o");
        await Assertions.Expect(a.Span("Coast Guard")).ToHaveCountAsync(1);
        // B makes a span afterwards: once it shows, A's (earlier) one would have arrived too had it been sent.
        await b.SelectWithMouseAsync("#document-text", "Northline");
        await Assertions.Expect(b.Locator("#palette")).ToBeVisibleAsync();
        await b.Keyboard.PressAsync("o");
        await Assertions.Expect(b.Span("Northline")).ToHaveCountAsync(1);
        await b.WaitForTimeoutAsync(300);
        await Assertions.Expect(b.Span("Coast Guard")).ToHaveCountAsync(0);
        await b.ReloadAsync();
        await Assertions.Expect(b.Span("Northline")).ToHaveCountAsync(1);
        await Assertions.Expect(b.Span("Coast Guard")).ToHaveCountAsync(0);
        using var state = JsonDocument.Parse((await b.Locator("#page-data").TextContentAsync())!);
        Assert.Single(state.RootElement.GetProperty("annotations").EnumerateArray());
    }

    [Fact]
    public async Task A_span_after_the_flag_emoji_in_article_002_comes_back_from_the_api_in_code_points()
    {
        var (text, lead, docs, page) = await browser.OpenCorpusArticleAsync("002");

        // The last "Aleppo" comes after all ten astral code points.
        var occurrences = 0;
        for (var at = text.IndexOf("Aleppo", StringComparison.Ordinal); at >= 0; at = text.IndexOf("Aleppo", at + 1, StringComparison.Ordinal)) occurrences++;
        await page.SelectWithMouseAsync("#document-text", "Aleppo", occurrences - 1);
        await Assertions.Expect(page.Locator("#palette")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("l");
        await Assertions.Expect(page.Locator("#annotation-list")).ToContainTextAsync("Aleppo");

        var spans = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{docs[0]}/annotations");
        var span = Assert.Single(spans.EnumerateArray());
        var (start, end) = (span.GetProperty("start").GetInt32(), span.GetProperty("end").GetInt32());
        var codePoints = text.EnumerateRunes().ToArray();
        Assert.Equal("Aleppo", string.Concat(codePoints[start..end].Select(r => r.ToString())));
        Assert.Equal("Aleppo", span.GetProperty("text").GetString());
        Assert.Equal(text.LastIndexOf("Aleppo", StringComparison.Ordinal) - 10, start);
    }
}
