using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Editor;

public class EditorKeyboardAndAccessibilityTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Article = "Captain Ilse Brandvold said nobody was seriously hurt.\n\nNorthline Shipping said the fire started in a fuel pump.";

    [Fact]
    public async Task A_span_can_be_made_undone_and_redone_with_the_keyboard_alone()
    {
        var lead = await browser.PersonAsync("lead");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("k.txt", Article));
        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{docs[0]}");

        // Focus the text, move the caret past "Captain ", then Ctrl+Shift+Right twice selects "Ilse Brandvold".
        await page.Locator("#document-text").FocusAsync();
        await page.Keyboard.PressAsync("Control+ArrowRight");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("Control+Shift+ArrowRight");
        await page.Keyboard.PressAsync("Control+Shift+ArrowRight");
        await Assertions.Expect(page.Locator("#palette-selection")).ToHaveTextAsync("Ilse Brandvold");
        await page.Keyboard.PressAsync("p");
        await Assertions.Expect(page.Span("Ilse Brandvold")).ToHaveCountAsync(1);
        Assert.Equal("PERSON", (await SpansAsync(lead, docs[0])).Single().GetProperty("label").GetString());

        await page.Keyboard.PressAsync("Control+z");
        await Assertions.Expect(page.Span("Ilse Brandvold")).ToHaveCountAsync(0);
        Assert.Empty(await SpansAsync(lead, docs[0]));
        await page.Keyboard.PressAsync("Control+Shift+z");
        await Assertions.Expect(page.Span("Ilse Brandvold")).ToHaveCountAsync(1);
        Assert.Single(await SpansAsync(lead, docs[0]));

        // From the side panel (keyboard reachable), open it, change its label, save.
        await page.Locator("#annotation-list .annotation-item").First.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#detail-label").SelectOptionAsync("ORGANIZATION");
        await page.Locator("#detail-note").FillAsync("a person, really");
        await page.Locator("#details").GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator("#annotation-list")).ToContainTextAsync("ORGANIZATION");
        var saved = (await SpansAsync(lead, docs[0])).Single();
        Assert.Equal("ORGANIZATION", saved.GetProperty("label").GetString());
        Assert.Equal("a person, really", saved.GetProperty("note").GetString());

        // Mark the document finished and reopen it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark finished" }).ClickAsync();
        await Assertions.Expect(page.Locator("#my-status")).ToHaveTextAsync("Finished");
        var states = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{docs[0]}/states");
        Assert.Equal("finished", states[0].GetProperty("status").GetString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Reopen" }).ClickAsync();
        await Assertions.Expect(page.Locator("#my-status")).ToHaveTextAsync("In progress");
    }

    [Fact]
    public async Task An_edit_based_on_a_stale_version_shows_the_conflict_instead_of_losing_either_edit()
    {
        var lead = await browser.PersonAsync("lead");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("c.txt", Article + " conflict"));
        var span = await (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations",
            new { layer = "claim", label = "CLAIM", start = 0, end = 53 })).Content.ReadFromJsonAsync<JsonElement>();
        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{docs[0]}");
        await page.Locator("#annotation-list .annotation-item").First.ClickAsync();
        await page.Locator("#detail-note").FillAsync("my note from the page");

        // Meanwhile the same span is changed elsewhere (another tab, a script).
        (await lead.Http.PatchAsJsonAsync($"/api/annotations/{span.GetProperty("id").GetGuid()}", new { note = "their note", version = 1 })).EnsureSuccessStatusCode();
        await page.Locator("#details").GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        var conflict = page.GetByTestId("conflict");
        await Assertions.Expect(conflict).ToContainTextAsync("their note");
        await conflict.GetByRole(AriaRole.Button, new() { Name = "Apply mine on top" }).ClickAsync();
        await Assertions.Expect(conflict).ToHaveCountAsync(0);
        var final = (await SpansAsync(lead, docs[0])).Single();
        Assert.Equal("my note from the page", final.GetProperty("note").GetString());
        Assert.Equal(3, final.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task The_editor_passes_an_axe_scan_without_serious_or_critical_violations()
    {
        var lead = await browser.PersonAsync("lead");
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("a.txt", Article + " axe"), ("b.txt", "Another article. It says the opposite."));
        (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "entity", label = "PERSON", start = 8, end = 22 })).EnsureSuccessStatusCode();
        (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "claim", label = "CLAIM", start = 0, end = 53 })).EnsureSuccessStatusCode();
        var page = await browser.SignedInPageAsync(lead);
        foreach (var path in new[] { $"/documents/{docs[0]}", $"/projects/{projectId}/compare", $"/projects/{projectId}", "/projects" })
        {
            await page.GotoAsync(path);
            await page.AddScriptTagAsync(new() { Url = "/lib/axe-core/axe.min.js" });
            var result = await page.EvaluateAsync<JsonElement>("async () => (await axe.run()).violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')')");
            Assert.True(result.GetArrayLength() == 0, $"{path}: {result.GetRawText()}");
        }
    }

    [Fact]
    public async Task A_long_article_with_thousands_of_spans_renders_every_span_and_takes_edits()
    {
        // 100,000 characters with 5,000 spans: what the editor must stay responsive with (timed in ./annotate bench).
        var sentence = "The Coast Guard said all passengers were rescued after the fire. ";
        var text = new StringBuilder();
        while (text.Length < 100_000) text.Append(sentence);
        var article = text.ToString(0, 100_000);
        var lead = await browser.PersonAsync("lead");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("long.txt", article));
        await EditorSession.SeedSpansAsync(browser, docs[0], 5_000);

        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{docs[0]}");
        Assert.Equal(5_000, await page.EvaluateAsync<int>("() => window.annotate.store.annotations.size"));
        Assert.True(await page.Locator("#document-text .span-piece").CountAsync() >= 5_000);
        await page.SelectWithMouseAsync("#document-text", "passengers", 1000); // far down the article
        await Assertions.Expect(page.Locator("#palette")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("q");
        await Assertions.Expect(page.Locator("#annotation-count")).ToHaveTextAsync("5001");
    }

    private static async Task<List<JsonElement>> SpansAsync(SignedInClient who, long document) =>
        (await who.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{document}/annotations")).EnumerateArray().ToList();
}
