using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
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
    public async Task Undo_and_redo_of_an_update_a_link_and_a_deletion_keep_the_server_in_step()
    {
        var lead = await browser.PersonAsync("lead");
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("u.txt", Article));
        var doc = docs[0];
        var claim = await CreateSpanAsync(lead, doc, "claim", "CLAIM", 0, 54);
        await CreateSpanAsync(lead, doc, "claim", "CLAIM", 56, 112);
        var person = await CreateSpanAsync(lead, doc, "entity", "PERSON", 8, 22);
        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{doc}");
        var items = page.Locator("#annotation-list .annotation-item");
        var links = page.Locator("#link-list .link-item");
        async Task Press(string keys)
        {
            await page.Locator("#document-text").FocusAsync();
            await page.Keyboard.PressAsync(keys);
        }

        // An update: PERSON becomes ORGANIZATION.
        await items.Filter(new() { HasTextRegex = new Regex("^Ilse Brandvold$") }).ClickAsync();
        await page.Locator("#detail-label").SelectOptionAsync("ORGANIZATION");
        await page.Locator("#details").GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator("#annotation-list")).ToContainTextAsync("ORGANIZATION");
        Assert.Equal("ORGANIZATION", (await SpanAsync(lead, doc, person)).GetProperty("label").GetString());

        // A link, made from the claim's details by searching the project's claims.
        await items.Filter(new() { HasTextString = "Captain" }).ClickAsync();
        await page.Locator("#details summary").ClickAsync();
        await page.Locator("#link-search").FillAsync("Northline");
        await page.Locator("#link-results [data-claim]").Filter(new() { HasTextString = "Northline" }).ClickAsync();
        await Assertions.Expect(links).ToHaveCountAsync(1);
        var relation = Assert.Single(await RelationsAsync(lead, projectId)).GetProperty("id").GetString();

        // Undo both, redo both, and once more: every step still refers to what is on the server.
        await Press("Control+z");
        await Assertions.Expect(links).ToHaveCountAsync(0);
        Assert.Empty(await RelationsAsync(lead, projectId));
        await Press("Control+z");
        await Assertions.Expect(page.Locator("#annotation-list")).Not.ToContainTextAsync("ORGANIZATION");
        Assert.Equal("PERSON", (await SpanAsync(lead, doc, person)).GetProperty("label").GetString());
        await Press("Control+Shift+z");
        await Assertions.Expect(page.Locator("#annotation-list")).ToContainTextAsync("ORGANIZATION");
        Assert.Equal("ORGANIZATION", (await SpanAsync(lead, doc, person)).GetProperty("label").GetString());
        await Press("Control+Shift+z");
        await Assertions.Expect(links).ToHaveCountAsync(1);
        Assert.Equal(relation, Assert.Single(await RelationsAsync(lead, projectId)).GetProperty("id").GetString());
        await Press("Control+z");
        await Assertions.Expect(links).ToHaveCountAsync(0);
        Assert.Empty(await RelationsAsync(lead, projectId));
        await Press("Control+Shift+z");
        await Assertions.Expect(links).ToHaveCountAsync(1);
        Assert.Single(await RelationsAsync(lead, projectId));

        // A deletion with the Delete key takes the claim's link with it; undo brings back both, redo deletes both again.
        // (With the focus on the span's label list, where the key has no meaning of its own.)
        await items.Filter(new() { HasTextString = "Captain" }).ClickAsync();
        await page.Locator("#detail-label").FocusAsync();
        await page.Keyboard.PressAsync("Delete");
        await Assertions.Expect(items).ToHaveCountAsync(2);
        Assert.Equal(2, (await SpansAsync(lead, doc)).Count);
        Assert.Empty(await RelationsAsync(lead, projectId));
        await Press("Control+z");
        await Assertions.Expect(items).ToHaveCountAsync(3);
        await Assertions.Expect(links).ToHaveCountAsync(1);
        Assert.Equal("CLAIM", (await SpanAsync(lead, doc, claim)).GetProperty("label").GetString());
        Assert.Equal(claim, Assert.Single(await RelationsAsync(lead, projectId)).GetProperty("from").GetString());
        await Press("Control+Shift+z");
        await Assertions.Expect(items).ToHaveCountAsync(2);
        await Assertions.Expect(links).ToHaveCountAsync(0);
        Assert.Equal(2, (await SpansAsync(lead, doc)).Count);
        Assert.Empty(await RelationsAsync(lead, projectId));

        // Back to the start: undo the deletion, the link and the update.
        foreach (var _ in Enumerable.Range(0, 3)) await Press("Control+z");
        await Assertions.Expect(items).ToHaveCountAsync(3);
        await Assertions.Expect(links).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#annotation-list")).Not.ToContainTextAsync("ORGANIZATION");
        Assert.Empty(await RelationsAsync(lead, projectId));
        Assert.Equal("PERSON", (await SpanAsync(lead, doc, person)).GetProperty("label").GetString());
        Assert.Equal(3, (await SpansAsync(lead, doc)).Count);
    }

    [Fact]
    public async Task Selecting_by_double_click_mouse_and_Shift_arrows_then_choosing_reshaping_and_attributing_spans()
    {
        // A flag (two code points, four UTF-16 units) and an e with a combining accent come before the words.
        const string text = "Flag 🇸🇾 and cafe\u0301 said Captain Ilse Brandvold of Northline Shipping.\n\nThe fire started in a fuel pump, the company said.";
        var lead = await browser.PersonAsync("lead");
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("s.txt", text));
        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{docs[0]}");
        var chosen = page.Locator("#palette-selection");

        // Shift+arrows extend the selection one character at a time, a flag or an accented letter being one character.
        await page.Locator("#document-text").FocusAsync();
        for (var i = 0; i < 5; i++) await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("Shift+ArrowRight");
        await Assertions.Expect(chosen).ToHaveTextAsync("🇸🇾");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator("#palette")).ToBeHiddenAsync();
        for (var i = 0; i < 5; i++) await page.Keyboard.PressAsync("ArrowRight");
        for (var i = 0; i < 4; i++) await page.Keyboard.PressAsync("Shift+ArrowRight");
        await Assertions.Expect(chosen).ToHaveTextAsync("cafe\u0301");
        await page.Keyboard.PressAsync("Shift+ArrowLeft");
        await Assertions.Expect(chosen).ToHaveTextAsync("caf");
        await page.Keyboard.PressAsync("Escape");

        // A double-click selects a word; with the project's default, a partial selection widens to whole words.
        await page.DoubleClickWordAsync("#document-text", "Brandvold");
        await Assertions.Expect(chosen).ToHaveTextAsync("Brandvold");
        await page.Keyboard.PressAsync("Escape");
        await page.SelectWithMouseAsync("#document-text", "randvol");
        await Assertions.Expect(chosen).ToHaveTextAsync("Brandvold");

        // The manager turns snapping off in the project's settings: a partial selection then stays partial.
        await page.GotoAsync($"/projects/{projectId}?tab=settings");
        await page.GetByLabel("Selections snap to whole words").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Settings saved.")).ToBeVisibleAsync();
        var claim = await CreateSpanAsync(lead, docs[0], "claim", "CLAIM", 23, 67);   // Captain … Shipping (code points)
        var person = await CreateSpanAsync(lead, docs[0], "entity", "PERSON", 31, 45); // Ilse Brandvold, inside the claim
        await page.OpenLiveAsync($"/documents/{docs[0]}");
        await page.SelectWithMouseAsync("#document-text", "randvol");
        await Assertions.Expect(chosen).ToHaveTextAsync("randvol");
        await page.Keyboard.PressAsync("Escape");

        // Clicking where spans nest lists both; picking the inner one opens it.
        await page.Span("Ilse Brandvold").ClickAsync();
        var choices = page.Locator("#details .list-group-item");
        await Assertions.Expect(page.Locator("#details")).ToContainTextAsync("Spans here");
        await Assertions.Expect(choices).ToHaveCountAsync(2);
        await choices.Filter(new() { HasTextString = "PERSON" }).ClickAsync();
        await Assertions.Expect(page.Locator("#detail-label")).ToHaveValueAsync("PERSON");
        await Assertions.Expect(page.Locator("#details blockquote")).ToHaveTextAsync("Ilse Brandvold");

        // "Use selection as boundaries" moves the open span to the text selected now.
        await page.SelectWithMouseAsync("#document-text", "Captain Ilse Brandvold");
        await Assertions.Expect(chosen).ToHaveTextAsync("Captain Ilse Brandvold");
        await page.Locator("#detail-bounds").ClickAsync();
        await Assertions.Expect(page.Locator("#details blockquote")).ToHaveTextAsync("Captain Ilse Brandvold");
        var moved = await SpanAsync(lead, docs[0], person);
        Assert.Equal((23, 45, "Captain Ilse Brandvold"), (moved.GetProperty("start").GetInt32(), moved.GetProperty("end").GetInt32(), moved.GetProperty("text").GetString()));

        // A claim says who makes it; the API returns it among the span's attributes.
        await page.Locator("#annotation-list .annotation-item").Filter(new() { HasTextString = "Northline Shipping" }).ClickAsync();
        await page.Locator("#detail-attributed").FillAsync("the harbour master");
        await page.Locator("#detail-save").ClickAsync();
        await Assertions.Expect(page.Locator("#announcer")).ToHaveTextAsync("Saved.");
        var attributed = await SpanAsync(lead, docs[0], claim);
        Assert.Equal("the harbour master", attributed.GetProperty("attributes").GetProperty("attributedTo").GetString());
        await page.ReloadAsync();
        await page.Locator("#annotation-list .annotation-item").Filter(new() { HasTextString = "Northline Shipping" }).ClickAsync();
        await Assertions.Expect(page.Locator("#detail-attributed")).ToHaveValueAsync("the harbour master");
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
        (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[1]}/annotations", new { layer = "claim", label = "CLAIM", start = 17, end = 38 })).EnsureSuccessStatusCode();
        var page = await browser.SignedInPageAsync(lead);
        foreach (var path in new[] { $"/documents/{docs[0]}", $"/projects/{projectId}/compare", $"/projects/{projectId}", "/projects" })
        {
            await page.GotoAsync(path);
            var problems = await page.AxeProblemsAsync();
            Assert.True(problems.Length == 0, $"{path}: {string.Join("; ", problems)}");
        }

        // The editor's transient parts: the label palette beside a selection, and a span's details with the link form open.
        await page.OpenLiveAsync($"/documents/{docs[0]}");
        await page.SelectWithMouseAsync("#document-text", "Northline Shipping");
        await Assertions.Expect(page.Locator("#palette")).ToBeVisibleAsync();
        await AssertNoSeriousViolationsAsync(page, "palette open");
        await page.Keyboard.PressAsync("Escape");
        await page.Locator("#annotation-list .annotation-item").Filter(new() { HasTextString = "Captain" }).ClickAsync();
        await page.Locator("#details summary").ClickAsync();
        await Assertions.Expect(page.Locator("#link-results [data-claim]")).Not.ToHaveCountAsync(0);
        await AssertNoSeriousViolationsAsync(page, "details open");
    }

    private static async Task AssertNoSeriousViolationsAsync(IPage page, string state)
    {
        var problems = await page.AxeProblemsAsync();
        Assert.True(problems.Length == 0, $"{state}: {string.Join("; ", problems)}");
    }

    [Fact]
    public async Task The_side_panel_keeps_every_label_group_when_a_relabel_moves_one_past_another()
    {
        var lead = await browser.PersonAsync("lead");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("g.txt", Article + " groups"));
        (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "entity", label = "PERSON", start = 8, end = 22 })).EnsureSuccessStatusCode();
        var place = await (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "entity", label = "LOCATION", start = 56, end = 74 }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{docs[0]}");
        var groups = page.Locator("#annotation-list section");
        await Assertions.Expect(groups).ToHaveCountAsync(2);

        // LOCATION's only span becomes a QUANTITY: the groups (by name) go from [LOCATION, PERSON] to [PERSON, QUANTITY],
        // the kept PERSON section moving up a place; both must stay listed.
        (await lead.Http.PatchAsJsonAsync($"/api/annotations/{place.GetProperty("id").GetGuid()}", new { label = "QUANTITY", version = 1 })).EnsureSuccessStatusCode();
        await Assertions.Expect(groups.Nth(1)).ToHaveAttributeAsync("data-label", "QUANTITY");
        await Assertions.Expect(groups).ToHaveCountAsync(2);
        await Assertions.Expect(groups.Nth(0)).ToHaveAttributeAsync("data-label", "PERSON");
        await Assertions.Expect(groups.Nth(0)).ToContainTextAsync("Ilse Brandvold");
        await Assertions.Expect(groups.Nth(1)).ToContainTextAsync("Northline Shipping");
    }

    [Fact]
    public async Task A_long_article_with_thousands_of_spans_renders_every_span_and_takes_edits()
    {
        // 100,000 characters with 5,000 spans: what the editor must stay responsive with (timed in ./annotate bench).
        // In paragraphs, as news is: blocks far from the screen are drawn as plain text first and get their spans later.
        var sentence = "The Coast Guard said all passengers were rescued after the fire. ";
        var text = new StringBuilder();
        for (var n = 1; text.Length < 100_000; n++) text.Append(sentence).Append(n % 8 == 0 ? "\n\n" : "");
        var article = text.ToString(0, 100_000);
        var lead = await browser.PersonAsync("lead");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("long.txt", article));
        await TestDatabase.SeedSpansAsync(docs[0], 5_000);

        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{docs[0]}");
        Assert.Equal(5_000, await page.EvaluateAsync<int>("() => window.annotate.store.annotations.size"));
        // Blocks far from the screen get their spans when the page is idle (or when they come near): soon, all of them.
        await Assertions.Expect(page.Locator("#document-text")).ToHaveAttributeAsync("data-pending", "0");
        Assert.True(await page.Locator("#document-text .span-piece").CountAsync() >= 5_000);
        await page.SelectWithMouseAsync("#document-text", "passengers", 1000); // far down the article
        await Assertions.Expect(page.Locator("#palette")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("q");
        await Assertions.Expect(page.Locator("#annotation-count")).ToHaveTextAsync("5001");

        // Every span is reachable from the side panel by keyboard: the first 100, then "Show more" lists the next 500 and
        // focuses the first of them.
        var group = page.Locator("#annotation-list section[data-label='ORGANIZATION']");
        var items = group.Locator(".annotation-item");
        var more = group.Locator(".show-more");
        await Assertions.Expect(items).ToHaveCountAsync(100);
        for (var shown = 100; shown < 5_000; shown += 500)
        {
            var rest = 5_000 - shown;
            await Assertions.Expect(more).ToHaveTextAsync($"Show {Math.Min(rest, 500)} more ({rest.ToString("N0", CultureInfo.InvariantCulture)} not listed)");
            await more.FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(items).ToHaveCountAsync(Math.Min(shown + 500, 5_000));
            await Assertions.Expect(items.Nth(shown)).ToBeFocusedAsync();
        }
        await Assertions.Expect(more).ToHaveCountAsync(0);
        await items.Last.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#details")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#details")).ToContainTextAsync("99980–99989");
        Assert.Equal(await items.Last.GetAttributeAsync("data-annotation"), await page.EvaluateAsync<string>(
            "() => [...window.annotate.view.selectedIds][0]"));
    }

    private static async Task<List<JsonElement>> SpansAsync(SignedInClient who, long document) =>
        (await who.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{document}/annotations")).EnumerateArray().ToList();

    private static async Task<JsonElement> SpanAsync(SignedInClient who, long document, string id) =>
        (await SpansAsync(who, document)).Single(s => s.GetProperty("id").GetString() == id);

    private static async Task<List<JsonElement>> RelationsAsync(SignedInClient who, long project) =>
        (await who.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{project}/relations")).EnumerateArray().ToList();

    /// <summary>Makes a span through the REST API; returns its id.</summary>
    private static async Task<string> CreateSpanAsync(SignedInClient who, long document, string layer, string label, int start, int end) =>
        (await (await who.Http.PostAsJsonAsync($"/api/documents/{document}/annotations", new { layer, label, start, end }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
}
