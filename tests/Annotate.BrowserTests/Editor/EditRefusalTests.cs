using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Editor;

/// <summary>What the editor says when a change cannot be made as asked, and what it sends when it can.</summary>
public partial class EditRefusalTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Article = "Captain Ilse Brandvold said nobody was seriously hurt.\n\nNorthline Shipping said the fire started in a fuel pump.";

    [GeneratedRegex(@"([\d,]+) bytes? over the limit of ([\d,]+) bytes")]
    private static partial Regex Over();

    [Fact]
    public async Task Apply_mine_on_top_sends_only_what_this_tab_changed_so_the_other_tabs_label_survives()
    {
        var lead = await browser.PersonAsync("lead");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("tabs.txt", Article + " tabs"));
        var span = await (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "entity", label = "PERSON", start = 8, end = 22 }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        // Two browser profiles of the same person: tab A and tab B.
        var a = await browser.SignedInPageAsync(lead);
        var b = await browser.SignedInPageAsync(lead);
        await a.OpenLiveAsync($"/documents/{docs[0]}");
        await b.OpenLiveAsync($"/documents/{docs[0]}");

        // B opens the span and starts typing a note; meanwhile A changes only its label.
        await b.Locator("#annotation-list .annotation-item").First.ClickAsync();
        await b.Locator("#detail-note").FillAsync("note from tab B");
        await a.Locator("#annotation-list .annotation-item").First.ClickAsync();
        await a.Locator("#detail-label").SelectOptionAsync("ORGANIZATION");
        await a.Locator("#detail-save").ClickAsync();
        await Assertions.Expect(a.Locator("#announcer")).ToHaveTextAsync("Saved.");
        await Assertions.Expect(b.Locator("#detail-conflict")).ToContainTextAsync("Changed by someone else");

        // B saves: both versions are shown, and "Apply mine on top" says it sets the note and keeps their label.
        await b.Locator("#detail-save").ClickAsync();
        var conflict = b.GetByTestId("conflict");
        await Assertions.Expect(conflict).ToContainTextAsync("Changed meanwhile");
        var says = await conflict.TextContentAsync();
        await conflict.GetByRole(AriaRole.Button, new() { Name = "Apply mine on top" }).ClickAsync();
        await Assertions.Expect(conflict).ToHaveCountAsync(0);

        var stored = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/annotations/{span.GetProperty("id").GetString()}");
        Assert.Equal(("ORGANIZATION", "note from tab B", 3),
            (stored.GetProperty("label").GetString(), stored.GetProperty("note").GetString(), stored.GetProperty("version").GetInt32()));
        Assert.Contains("sets only your note", says);
        Assert.Contains("keeps their label (ORGANIZATION)", says);
        // Both tabs show the span as stored.
        await Assertions.Expect(b.Locator("#detail-label")).ToHaveValueAsync("ORGANIZATION");
        await Assertions.Expect(a.Locator("#annotation-list section[data-label='ORGANIZATION']")).ToContainTextAsync("Ilse Brandvold");
    }

    [Fact]
    public async Task A_refusal_at_the_end_of_article_001_shows_beside_the_selection_closes_the_palette_and_is_announced()
    {
        var text = await File.ReadAllTextAsync(Corpus.PathOf("001"));
        var lead = await browser.PersonAsync("lead");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("001.txt", text));
        const string word = "tragedy"; // the article's last word (001 has no character outside the BMP: UTF-16 offsets are code points)
        var at = text.LastIndexOf(word, StringComparison.Ordinal);
        (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "entity", label = "EVENT", start = at, end = at + word.Length })).EnsureSuccessStatusCode();
        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{docs[0]}");

        // Marking it again with the same label, scrolled down to the end of the article.
        await page.SelectWithMouseAsync("#document-text", word, Regex.Count(text, word) - 1);
        Assert.True(await page.EvaluateAsync<double>("() => window.scrollY") > 300, "the page is scrolled down to the article's end");
        var palette = page.Locator("#palette");
        await Assertions.Expect(palette).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("e");

        var refusal = page.GetByTestId("refusal");
        await Assertions.Expect(refusal).ToContainTextAsync($"You already marked \"{word}\"");
        await Assertions.Expect(refusal).ToBeInViewportAsync(new() { Ratio = 1 });
        await Assertions.Expect(palette).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#refusal-announcer")).ToHaveAttributeAsync("aria-live", "assertive");
        await Assertions.Expect(page.Locator("#refusal-announcer")).ToContainTextAsync($"You already marked \"{word}\"");
        // Beside the word: just below (or above) the line it is on.
        var drawn = (await page.Span(word).BoundingBoxAsync())!;
        var note = (await refusal.BoundingBoxAsync())!;
        var gap = note.Y >= drawn.Y ? note.Y - (drawn.Y + drawn.Height) : drawn.Y - (note.Y + note.Height);
        Assert.InRange(gap, 0, 30);
        Assert.Single((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{docs[0]}/annotations")).EnumerateArray());

        // Escape puts it away; so does a new selection.
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(refusal).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_change_just_over_the_budget_is_refused_by_the_page_saying_by_how_much_and_is_never_sent()
    {
        var lead = await browser.PersonAsync("lead");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("budget.txt", Article + " budget"));
        var claim = await (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "claim", label = "CLAIM", start = 0, end = 53 }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var page = await browser.SignedInPageAsync(lead);
        var updatesSent = 0;
        page.WebSocket += (_, socket) => socket.FrameSent += (_, frame) => { if (frame.Text?.Contains("\"UpdateAnnotation\"") == true) Interlocked.Increment(ref updatesSent); };
        await page.OpenLiveAsync($"/documents/{docs[0]}");
        var budget = await page.EvaluateAsync<int>("() => JSON.parse(document.getElementById('page-data').textContent).changeBudgetBytes");
        Assert.True(budget > 0);

        // An attribution of CJK (three bytes a character) and ASCII, well over the budget: the page says by how much.
        await page.Locator("#annotation-list .annotation-item").First.ClickAsync();
        var cjk = new string('叙', (budget - 1000) / 3);
        const int ascii = 2000;
        await page.Locator("#detail-attributed").FillAsync(cjk + new string('a', ascii));
        await page.Locator("#detail-save").ClickAsync();
        var refusal = page.GetByTestId("refusal");
        await Assertions.Expect(refusal).ToContainTextAsync("too large");
        var over = Over().Match((await refusal.TextContentAsync())!);
        Assert.True(over.Success, await refusal.TextContentAsync());
        var bytesOver = int.Parse(over.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        Assert.Equal(budget, int.Parse(over.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
        Assert.InRange(bytesOver, 1, ascii);

        // That many bytes fewer but one: one byte over, still refused, beside the details.
        await page.Locator("#detail-attributed").FillAsync(cjk + new string('a', ascii - (bytesOver - 1)));
        await page.Locator("#detail-save").ClickAsync();
        await Assertions.Expect(refusal).ToContainTextAsync($"1 byte over the limit of {budget.ToString("N0", CultureInfo.InvariantCulture)} bytes");
        await Assertions.Expect(refusal).ToBeInViewportAsync();
        await Assertions.Expect(page.Locator("#refusal-announcer")).ToContainTextAsync("too large");

        // Nothing went to the hub and nothing is stored; the connection is still up and a change that fits goes through.
        Assert.Equal(0, updatesSent);
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        var id = claim.GetProperty("id").GetString();
        var stored = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/annotations/{id}");
        Assert.Equal(1, stored.GetProperty("version").GetInt32());
        Assert.False(stored.GetProperty("attributes").TryGetProperty("attributedTo", out _));
        await page.Locator("#detail-attributed").FillAsync("the harbour master");
        await page.Locator("#detail-save").ClickAsync();
        await Assertions.Expect(page.Locator("#announcer")).ToHaveTextAsync("Saved.");
        Assert.Equal(1, updatesSent);
        stored = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/annotations/{id}");
        Assert.Equal("the harbour master", stored.GetProperty("attributes").GetProperty("attributedTo").GetString());
    }
}
