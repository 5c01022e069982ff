using System.Net.Http.Json;
using System.Text;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Editor;

/// <summary>The article as the editor draws it: laid out as the text itself is, and only ever as text.</summary>
public class TextLayoutTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    /// <summary>
    /// The first word of every line the browser laid out inside an element (lines told apart by the vertical middle
    /// of their characters), for the editor's text and for the same text drawn as one element of the same width.
    /// </summary>
    private const string LinesScript = """
        () => {
          const view = document.getElementById('document-text');
          const lines = root => {
            const lineHeight = parseFloat(getComputedStyle(root).lineHeight);
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            const range = document.createRange();
            let text = '', line = -Infinity;
            const starts = [];
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
              for (let i = 0; i < n.data.length; i++) {
                const code = n.data.charCodeAt(i);
                if (/\s/.test(n.data[i]) || (code >= 0xdc00 && code <= 0xdfff)) continue;
                range.setStart(n, i); range.setEnd(n, Math.min(n.data.length, i + (code >= 0xd800 && code <= 0xdbff ? 2 : 1)));
                const box = range.getBoundingClientRect();
                if (box.height === 0) continue;
                const middle = (box.top + box.bottom) / 2;
                if (middle > line + lineHeight / 2) { starts.push(text.length + i); line = middle; }
              }
              text += n.data;
            }
            return starts.map(s => text.slice(s).match(/^\S+/)[0]);
          };
          const whole = view.cloneNode(false);
          whole.removeAttribute('id');
          whole.style.width = view.getBoundingClientRect().width + 'px';
          // The same inline content (text, spans and their label tags) in one flow, without the blocks.
          for (const block of view.querySelectorAll('.text-block')) for (const child of block.childNodes) whole.append(child.cloneNode(true));
          view.after(whole);
          const result = { drawn: lines(view), whole: lines(whole), blocks: view.querySelectorAll('.text-block').length };
          whole.remove();
          return result;
        }
        """;

    private record Lines(string[] Drawn, string[] Whole, int Blocks);

    [Fact]
    public async Task Blocks_never_break_a_line_the_text_does_not_break_at_two_widths()
    {
        // 12,000 characters without a line break (a JSONL article), words of every length; and reference article 001.
        var words = "Wednesday rebels advanced towards Aleppo on a morning of rain and the ministry said 212 people were evacuated overnight from eleven villages".Split(' ');
        var line = new StringBuilder();
        for (var i = 0; line.Length < 12_000; i++) line.Append(words[(i * 7 + i / 13) % words.Length]).Append(i % 17 == 16 ? ". " : " ");
        var oneLine = line.ToString(0, 12_000);
        var corpus = await File.ReadAllTextAsync(Corpus.PathOf("001"));
        var lead = await browser.PersonAsync("lead");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("one-line.txt", oneLine), ("001.txt", corpus));
        // Spans drawn in the text too, across where the blocks of a long line are cut.
        for (var start = 0; start < 11_000; start += 997)
            (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "entity", label = "EVENT", start, end = start + 40 })).EnsureSuccessStatusCode();

        var page = await browser.SignedInPageAsync(lead);
        foreach (var (document, name) in new[] { (docs[0], "one-line"), (docs[1], "001") })
        {
            await page.SetViewportSizeAsync(1366, 800);
            await page.OpenLiveAsync($"/documents/{document}");
            var wide = await LinesAsync(page);
            Assert.Equal(wide.Whole, wide.Drawn);
            if (name == "one-line") Assert.True(wide.Blocks >= 5, $"{name}: the long line is drawn in {wide.Blocks} blocks");

            // Narrower, as on a phone: the blocks are cut again where the lines now wrap, still without a break of their own.
            await page.SetViewportSizeAsync(390, 844);
            var narrow = await LinesAsync(page);
            Assert.True(narrow.Whole.Length > wide.Whole.Length * 2, $"{name}: {narrow.Whole.Length} lines at 390 px, {wide.Whole.Length} at 1366 px");
            Assert.Equal(narrow.Whole, narrow.Drawn);

            // Opened at that width from the start, too.
            await page.OpenLiveAsync($"/documents/{document}");
            var opened = await LinesAsync(page);
            Assert.Equal(opened.Whole, opened.Drawn);
        }
    }

    /// <summary>
    /// The lines once the view has drawn them at the current width: a resize draws a long paragraph whole before the
    /// next frame, then its blocks are measured and cut where its lines start.
    /// </summary>
    private static async Task<Lines> LinesAsync(IPage page)
    {
        await page.EvaluateAsync("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))");
        await Assertions.Expect(page.Locator("#document-text")).ToHaveAttributeAsync("data-cut", "done");
        var result = await page.EvaluateAsync<System.Text.Json.JsonElement>(LinesScript);
        return new Lines(
            result.GetProperty("drawn").EnumerateArray().Select(e => e.GetString()!).ToArray(),
            result.GetProperty("whole").EnumerateArray().Select(e => e.GetString()!).ToArray(),
            result.GetProperty("blocks").GetInt32());
    }

    [Fact]
    public async Task Markup_in_an_article_stays_text_on_the_document_and_compare_pages_and_no_script_runs()
    {
        const string hostile = "Before </script><script>window.pwned = 1</script> and <!-- a comment <script>window.pwned = 2</script> -->\n"
            + "<img src=x onerror=\"window.pwned = 3\"> 叙利亚 “quotes” & ampersands </SCRIPT > end.";
        var lead = await browser.PersonAsync("lead");
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("hostile.txt", hostile), ("other.txt", "Another article. " + hostile));
        var page = await browser.SignedInPageAsync(lead);
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };

        await page.OpenLiveAsync($"/documents/{docs[0]}");
        Assert.Equal(hostile, await page.EvaluateAsync<string>("() => document.getElementById('document-text').textContent"));
        await page.OpenLiveAsync($"/projects/{projectId}/compare?left={docs[0]}&right={docs[1]}");
        Assert.Equal(hostile, await page.EvaluateAsync<string>("() => document.getElementById('text-left').textContent"));
        Assert.Equal("Another article. " + hostile, await page.EvaluateAsync<string>("() => document.getElementById('text-right').textContent"));
        Assert.Equal(0, await page.Locator("#text-left img, #text-left script, #text-right img").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.pwned === undefined"));
        Assert.Equal(0, dialogs);
    }
}
