using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Editor;

/// <summary>The keyboard caret, the list of shortcuts, the guidelines beside the text, and an article's own language and direction.</summary>
public class CaretGuidelinesAndLanguageTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task In_article_002_the_keyboard_alone_moves_past_a_flag_selects_the_next_word_and_labels_it()
    {
        var (text, lead, docs, page) = await browser.OpenCorpusArticleAsync("002");
        var article = page.Locator("#document-text");
        var codePoints = text.EnumerateRunes().ToArray();
        int CodePointOf(int utf16) => text[..utf16].EnumerateRunes().Count();
        async Task<int> Caret() => int.Parse((await article.GetAttributeAsync("data-caret"))!);

        // The paragraph "#Syria / #Russia 🇸🇾🇷🇺: Tavhid va Jihod …": focus the text (as Tab does), then Down line by
        // line until the caret is in it, Home to its start.
        var lineStart = CodePointOf(text.IndexOf("#Syria / #Russia", StringComparison.Ordinal));
        await article.FocusAsync();
        await Assertions.Expect(page.GetByTestId("caret")).ToBeVisibleAsync();
        Assert.Equal(0, await Caret());
        var presses = 0;
        while (await Caret() < lineStart && presses++ < 200) await page.Keyboard.PressAsync("ArrowDown");
        Assert.InRange(await Caret(), lineStart, lineStart + 80);
        await page.Keyboard.PressAsync("Home");
        Assert.Equal(lineStart, await Caret());
        // The bar is drawn at the start of that line, inside the text.
        var bar = (await page.GetByTestId("caret").BoundingBoxAsync())!;
        var textBox = (await article.BoundingBoxAsync())!;
        Assert.InRange(bar.X, textBox.X, textBox.X + 40);
        Assert.InRange(bar.Height, 10, 60);

        // Ctrl+Right twice: past "#Syria" and "/ #Russia"; Right over the space, then each flag is one press.
        await page.Keyboard.PressAsync("Control+ArrowRight");
        await page.Keyboard.PressAsync("Control+ArrowRight");
        await page.Keyboard.PressAsync("ArrowRight");
        var flags = lineStart + "#Syria / #Russia ".Length;
        Assert.Equal(flags, await Caret());
        await page.Keyboard.PressAsync("ArrowRight");
        Assert.Equal(flags + 2, await Caret()); // 🇸🇾 is two code points: never one
        await page.Keyboard.PressAsync("ArrowRight");
        Assert.Equal(flags + 4, await Caret());
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("ArrowRight");

        // Shift+Ctrl+Right selects the word after the flags; its key labels it.
        await page.Keyboard.PressAsync("Shift+Control+ArrowRight");
        await Assertions.Expect(page.Locator("#palette-selection")).ToHaveTextAsync("Tavhid");
        // Screen readers hear what was selected (the palette showing it does not take the focus).
        await Assertions.Expect(page.Locator("#announcer")).ToHaveTextAsync("Selected: Tavhid. Press a label's key.");
        await page.Keyboard.PressAsync("p");
        await Assertions.Expect(page.Span("Tavhid")).ToHaveCountAsync(1);

        var span = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{docs[0]}/annotations")).EnumerateArray().Single();
        var (start, end) = (span.GetProperty("start").GetInt32(), span.GetProperty("end").GetInt32());
        Assert.Equal(CodePointOf(text.IndexOf("Tavhid", StringComparison.Ordinal)), start);
        Assert.Equal(start + 6, end);
        Assert.Equal("Tavhid", string.Concat(codePoints[start..end].Select(r => r.ToString())));
        Assert.Equal("PERSON", span.GetProperty("label").GetString());

        // After the label, the caret is where the selection ended; Shift+Left and Up/End keep working from there.
        Assert.Equal(end, await Caret());
        await page.Keyboard.PressAsync("Shift+ArrowLeft");
        await Assertions.Expect(page.Locator("#palette-selection")).ToHaveTextAsync("d");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator("#palette")).ToBeHiddenAsync();
        await page.Keyboard.PressAsync("Control+End");
        Assert.Equal(codePoints.Length, await Caret());
        await page.Keyboard.PressAsync("Control+Home");
        Assert.Equal(0, await Caret());
        // PageDown travels a screen of lines (not the page's own scroll): the caret moves on, and back with PageUp.
        await page.Keyboard.PressAsync("PageDown");
        var paged = await Caret();
        Assert.InRange(paged, 1, codePoints.Length - 1);
        await page.Keyboard.PressAsync("PageUp");
        Assert.InRange(await Caret(), 0, paged - 1); // about a screen back (paragraph gaps make lines uneven)
        await page.Keyboard.PressAsync("Control+Home");

        // The mouse works beside it: a click puts the caret before the character clicked (on its left half)…
        var point = await page.EvaluateAsync<JsonElement>("""
            () => {
              const walker = document.createTreeWalker(document.querySelector('#document-text'), NodeFilter.SHOW_TEXT);
              for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const at = n.data.indexOf('rebels');
                if (at < 0) continue;
                const range = document.createRange(); range.setStart(n, at); range.setEnd(n, at + 1);
                const r = range.getBoundingClientRect();
                return { x: r.left + 2, y: r.top + r.height / 2 };
              }
            }
            """);
        await page.Mouse.ClickAsync(point.GetProperty("x").GetSingle(), point.GetProperty("y").GetSingle());
        await Assertions.Expect(article).ToHaveAttributeAsync("data-caret", CodePointOf(text.IndexOf("rebels", StringComparison.Ordinal)).ToString());
        await page.Keyboard.PressAsync("Shift+Control+ArrowRight");
        await Assertions.Expect(page.Locator("#palette-selection")).ToHaveTextAsync("rebels");
        await page.Keyboard.PressAsync("Escape");
        // … and a double-click on a word (in view at the top) selects it, the caret at its end.
        await page.DoubleClickWordAsync("#document-text", "offensive");
        await Assertions.Expect(page.Locator("#palette-selection")).ToHaveTextAsync("offensive");
        var offensive = CodePointOf(text.IndexOf("offensive", StringComparison.Ordinal));
        await Assertions.Expect(article).ToHaveAttributeAsync("data-caret", (offensive + "offensive".Length).ToString());
        await Assertions.Expect(article).ToHaveAttributeAsync("data-caret-anchor", offensive.ToString());
        await page.Keyboard.PressAsync("Shift+ArrowLeft");
        await Assertions.Expect(page.Locator("#palette-selection")).ToHaveTextAsync("offensiv");
    }

    [Fact]
    public async Task The_question_mark_opens_the_list_of_shortcuts_with_the_label_keys_and_Escape_closes_it()
    {
        var lead = await browser.PersonAsync("lead");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("k.txt", "Captain Ilse Brandvold said nobody was hurt."));
        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{docs[0]}");
        await page.Locator("#document-text").FocusAsync();

        await page.Keyboard.PressAsync("Shift+Slash"); // "?"
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard shortcuts" });
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(dialog).ToContainTextAsync("one word");
        await Assertions.Expect(dialog.Locator("tr").Filter(new() { HasTextString = "as PERSON" }).Locator("kbd")).ToHaveTextAsync("p");
        // Modal: the keys go to the dialog, not the editor behind it ("g" would open the guidelines).
        await page.Keyboard.PressAsync("g");
        await Assertions.Expect(page.GetByTestId("guidelines-panel")).ToBeHiddenAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(dialog).ToBeHiddenAsync();
        // The focus is back in the text, where it was.
        Assert.Equal("document-text", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        Assert.Empty(await page.AxeProblemsAsync());

        // The toolbar's button opens it as well; its close button closes it.
        await page.Locator("#shortcuts-button").ClickAsync();
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        Assert.Empty(await page.AxeProblemsAsync());
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Assertions.Expect(dialog).ToBeHiddenAsync();
    }

    [Fact]
    public async Task The_guidelines_open_beside_the_text_search_step_through_matches_and_stay_open_for_that_project()
    {
        var lead = await browser.PersonAsync("lead");
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("g.txt", "Captain Ilse Brandvold said nobody was hurt."), ("h.txt", "Another article."));
        var page = await browser.SignedInPageAsync(lead);

        // The manager writes the guidelines with a table and previews them before saving.
        const string guidelines = """
            # Entities

            Mark a **PERSON** by name only: not the title.

            | Label | Mark | Do not mark |
            |---|---|---|
            | PERSON | Ilse Brandvold | Captain |
            | ORGANIZATION | Northline Shipping | the company |

            A title such as *Captain* stays outside the span. <script>alert('x')</script>
            """;
        await page.GotoAsync($"/projects/{projectId}?tab=guidelines");
        await page.GetByLabel("Edit the guidelines (Markdown)").FillAsync(guidelines);
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview", Exact = true }).ClickAsync();
        var preview = page.FrameLocator("iframe[name=guidelines-preview]");
        await Assertions.Expect(preview.Locator("table th").First).ToHaveTextAsync("Label");
        await Assertions.Expect(preview.Locator("td").Filter(new() { HasTextString = "Northline Shipping" })).ToHaveCountAsync(1);
        await Assertions.Expect(preview.Locator("body")).ToContainTextAsync("<script>alert('x')</script>"); // shown as text
        Assert.Equal(0, await preview.Locator("script").CountAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Save guidelines" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Guidelines saved.")).ToBeVisibleAsync();

        // A first visit of the project opens them beside the text, for a newcomer to read before annotating.
        await page.OpenLiveAsync($"/documents/{docs[0]}");
        var panel = page.GetByTestId("guidelines-panel");
        var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Guidelines", Exact = true });
        await Assertions.Expect(panel).ToBeVisibleAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Hide the guidelines" }).ClickAsync();
        await Assertions.Expect(panel).ToBeHiddenAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        // Closed, they stay closed for this project: a first visit happens once.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        await Assertions.Expect(panel).ToBeHiddenAsync();

        // "g" from the text opens it beside the text, focus in its search.
        await page.Locator("#document-text").FocusAsync();
        await page.Keyboard.PressAsync("g");
        await Assertions.Expect(panel).ToBeVisibleAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(panel.Locator("table td").Filter(new() { HasTextString = "Ilse Brandvold" })).ToHaveCountAsync(1);
        var panelBox = (await panel.BoundingBoxAsync())!;
        var textBox = (await page.Locator("#document-text").BoundingBoxAsync())!;
        Assert.True(textBox.X + textBox.Width <= panelBox.X + 1, "the text is beside the panel, not under it");
        Assert.Equal("guidelines-search", await page.EvaluateAsync<string>("() => document.activeElement.id"));

        // A search marks every match (in any case); Enter and the buttons step through them.
        await page.Keyboard.TypeAsync("captain");
        var marks = panel.Locator("mark.guidelines-match");
        await Assertions.Expect(marks).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#guidelines-count")).ToHaveTextAsync("1 of 2");
        await Assertions.Expect(marks.Nth(0)).ToHaveClassAsync("guidelines-match current");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#guidelines-count")).ToHaveTextAsync("2 of 2");
        await Assertions.Expect(marks.Nth(1)).ToHaveClassAsync("guidelines-match current");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next match" }).ClickAsync();
        await Assertions.Expect(page.Locator("#guidelines-count")).ToHaveTextAsync("1 of 2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Previous match" }).ClickAsync();
        await Assertions.Expect(page.Locator("#guidelines-count")).ToHaveTextAsync("2 of 2");
        // Across formatting: "a PERSON by" runs over the bold word, found once, marked in each of its pieces.
        await page.Locator("#guidelines-search").FillAsync("mark a person by");
        await Assertions.Expect(page.Locator("#guidelines-count")).ToHaveTextAsync("1 of 1");
        await Assertions.Expect(panel.Locator("mark.guidelines-match.current")).ToHaveCountAsync(3);
        Assert.Equal("Mark a PERSON by", string.Concat(await panel.Locator("mark.guidelines-match").AllTextContentsAsync()));
        await page.Locator("#guidelines-search").FillAsync("nothing like this");
        await Assertions.Expect(page.Locator("#guidelines-count")).ToHaveTextAsync("No match");
        await Assertions.Expect(marks).ToHaveCountAsync(0);
        await page.Locator("#guidelines-search").FillAsync("");
        // The guidelines' text is whole again once the marks are gone.
        await Assertions.Expect(panel.Locator("p").Filter(new() { HasTextString = "A title such as Captain stays outside the span." })).ToHaveCountAsync(1);
        Assert.Empty(await page.AxeProblemsAsync());

        // Open it stays, for this project, on another article and after a reload; Escape in the empty search closes it.
        await page.OpenLiveAsync($"/documents/{docs[1]}");
        await Assertions.Expect(panel).ToBeVisibleAsync();
        await page.Locator("#guidelines-search").FocusAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(panel).ToBeHiddenAsync();
        Assert.Equal("document-text", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        await Assertions.Expect(panel).ToBeHiddenAsync();
        await toggle.ClickAsync();
        await Assertions.Expect(panel).ToBeVisibleAsync();
        await panel.GetByRole(AriaRole.Button, new() { Name = "Hide the guidelines" }).ClickAsync();
        await Assertions.Expect(panel).ToBeHiddenAsync();
    }

    [Fact]
    public async Task An_Arabic_article_is_drawn_right_to_left_in_its_language_and_a_word_selected_in_it_is_labelled_at_its_code_points()
    {
        // Imported as JSONL with "lang": the article's meta says Arabic (whatever the project's default); the English one
        // beside it has none and takes the project's.
        const string arabic = "قال الكابتن إيلسه براندفولد إن أحداً لم يصب بجروح خطيرة.\n\nوقالت شركة نورثلاين للشحن إن الحريق بدأ في مضخة الوقود 🇸🇾.";
        var jsonl = JsonSerializer.Serialize(new { title = "حريق في الميناء", text = arabic, lang = "ar" }) + "\n"
                    + JsonSerializer.Serialize(new { title = "Fire in the port", text = "Captain Ilse Brandvold said nobody was hurt." }) + "\n";
        var lead = await browser.PersonAsync("lead");
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("port.jsonl", jsonl));
        var page = await browser.SignedInPageAsync(lead);
        var article = page.Locator("#document-text");

        await page.OpenLiveAsync($"/documents/{docs[1]}");
        await Assertions.Expect(article).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(article).ToHaveAttributeAsync("dir", "ltr");
        // An article without a language of its own takes the project's: set to Hebrew, it runs right to left.
        await SetProjectLanguageAsync(lead, projectId, "he");
        await page.OpenLiveAsync($"/documents/{docs[1]}");
        await Assertions.Expect(article).ToHaveAttributeAsync("lang", "he");
        await Assertions.Expect(article).ToHaveAttributeAsync("dir", "rtl");
        await SetProjectLanguageAsync(lead, projectId, "de-CH");

        await page.OpenLiveAsync($"/documents/{docs[0]}");
        await Assertions.Expect(article).ToHaveAttributeAsync("lang", "ar");
        await Assertions.Expect(article).ToHaveAttributeAsync("dir", "rtl");
        // Drawn from the right: the first word sits at the right edge of the text, the second to its left.
        var words = await page.EvaluateAsync<JsonElement>("""
            () => {
              const node = [...document.querySelectorAll('#document-text .text-block')].map(b => b.firstChild).find(n => n && n.nodeType === 3);
              const box = (from, to) => { const r = document.createRange(); r.setStart(node, from); r.setEnd(node, to); return r.getBoundingClientRect(); };
              const text = document.querySelector('#document-text').getBoundingClientRect();
              return { first: box(0, 3).right, second: box(4, 11).right, textRight: text.right };
            }
            """);
        Assert.InRange(words.GetProperty("textRight").GetDouble() - words.GetProperty("first").GetDouble(), 0, 40);
        Assert.True(words.GetProperty("second").GetDouble() < words.GetProperty("first").GetDouble());
        var runes = arabic.EnumerateRunes().ToArray();
        int CodePointOf(string word) => arabic[..arabic.IndexOf(word, StringComparison.Ordinal)].EnumerateRunes().Count();

        // A double-click selects a word; its key labels it at the word's code points.
        await page.DoubleClickWordAsync("#document-text", "براندفولد");
        await Assertions.Expect(page.Locator("#palette-selection")).ToHaveTextAsync("براندفولد");
        await page.Keyboard.PressAsync("p");
        await Assertions.Expect(page.Span("براندفولد")).ToHaveCountAsync(1);

        // From the keyboard: in right-to-left text Ctrl+Left moves to the end of the next word, Shift+Ctrl+Left selects one.
        await article.FocusAsync();
        await page.Keyboard.PressAsync("Control+Home");
        await page.Keyboard.PressAsync("Control+ArrowLeft");
        Assert.Equal("3", await article.GetAttributeAsync("data-caret")); // after "قال"
        await page.Keyboard.PressAsync("ArrowLeft");
        await page.Keyboard.PressAsync("Shift+Control+ArrowLeft");
        await Assertions.Expect(page.Locator("#palette-selection")).ToHaveTextAsync("الكابتن");
        await page.Keyboard.PressAsync("o");
        await Assertions.Expect(page.Span("الكابتن")).ToHaveCountAsync(1);
        // The caret bar stands at the left end of the selected word (where it ends, in this direction).
        var bar = (await page.GetByTestId("caret").BoundingBoxAsync())!;
        var word = (await page.Span("الكابتن").BoundingBoxAsync())!;
        Assert.InRange(bar.X, word.X - 3, word.X + 3);

        var spans = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{docs[0]}/annotations")).EnumerateArray()
            .ToDictionary(s => s.GetProperty("label").GetString()!);
        foreach (var (label, expected) in new[] { ("PERSON", "براندفولد"), ("ORGANIZATION", "الكابتن") })
        {
            var (start, end) = (spans[label].GetProperty("start").GetInt32(), spans[label].GetProperty("end").GetInt32());
            Assert.Equal(CodePointOf(expected), start);
            Assert.Equal(expected, string.Concat(runes[start..end].Select(r => r.ToString())));
            Assert.Equal(expected, spans[label].GetProperty("text").GetString());
        }
        Assert.Empty(await page.AxeProblemsAsync());
    }

    private static async Task SetProjectLanguageAsync(SignedInClient lead, long projectId, string language) =>
        (await lead.Http.PatchAsync($"/api/projects/{projectId}", JsonContent.Create(new { language }))).EnsureSuccessStatusCode();
}
