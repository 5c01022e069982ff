using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Editor;

/// <summary>What the editor tests do again and again: people, projects, signing in, selecting text with the mouse.</summary>
public static class EditorSession
{
    public static Task<SignedInClient> PersonAsync(this BrowserFixture browser, string who) =>
        AnnotateFactory.SignUpAsync(new HttpClient { BaseAddress = new Uri(browser.BaseUrl) }, who);

    public static async Task<(long ProjectId, long[] Documents)> ProjectAsync(SignedInClient lead, string visibility,
        IEnumerable<(SignedInClient Person, string Role)> members, params (string Name, string Text)[] files)
    {
        var projectId = await lead.ProjectAsync("Editor " + Guid.NewGuid().ToString("N")[..6], visibility, [.. members]);
        var form = new MultipartFormDataContent();
        foreach (var (name, text) in files) form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "files", name);
        var created = await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        return (projectId, created.GetProperty("created").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()).ToArray());
    }

    /// <summary>A new lead's open project holding one article of the corpus, opened live in the editor by that lead.</summary>
    public static async Task<(string Text, SignedInClient Lead, long[] Documents, IPage Page)> OpenCorpusArticleAsync(this BrowserFixture browser, string article)
    {
        var text = await File.ReadAllTextAsync(Corpus.PathOf(article));
        var lead = await browser.PersonAsync("lead");
        var (_, docs) = await ProjectAsync(lead, "open", [], ($"{article}.txt", text));
        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{docs[0]}");
        return (text, lead, docs, page);
    }

    public static async Task OpenLiveAsync(this IPage page, string path)
    {
        await page.GotoAsync(path);
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
    }

    /// <summary>Drags the mouse over the <paramref name="occurrence"/>-th <paramref name="phrase"/> inside <paramref name="container"/>, as a person selects text.</summary>
    public static async Task SelectWithMouseAsync(this IPage page, string container, string phrase, int occurrence = 0)
    {
        var box = await page.EvaluateAsync<JsonElement>("""
            ([selector, phrase, occurrence]) => {
              const root = document.querySelector(selector);
              const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
              const nodes = []; let total = '';
              for (let n = walker.nextNode(); n; n = walker.nextNode()) { nodes.push([n, total.length]); total += n.data; }
              let at = -1;
              for (let i = 0; i <= occurrence; i++) at = total.indexOf(phrase, at + 1);
              if (at < 0) throw new Error('phrase not found: ' + phrase);
              const locate = index => { for (let i = nodes.length - 1; i >= 0; i--) if (nodes[i][1] <= index) return [nodes[i][0], index - nodes[i][1]]; };
              const rectOf = (index, length) => { const [n, o] = locate(index); const r = document.createRange(); r.setStart(n, o); r.setEnd(n, o + length); return r.getClientRects()[0]; };
              const lastLength = /[\uDC00-\uDFFF]/.test(total[at + phrase.length - 1]) ? 2 : 1;
              window.scrollTo({ top: window.scrollY + rectOf(at, 1).top - 150, behavior: 'instant' });
              const first = rectOf(at, 1), last = rectOf(at + phrase.length - lastLength, lastLength);
              return { x1: first.left + 1, y1: first.top + first.height / 2, x2: last.right - 1, y2: last.top + last.height / 2 };
            }
            """, new object[] { container, phrase, occurrence });
        await page.Mouse.MoveAsync(box.GetProperty("x1").GetSingle(), box.GetProperty("y1").GetSingle());
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.GetProperty("x2").GetSingle(), box.GetProperty("y2").GetSingle(), new() { Steps = 4 });
        await page.Mouse.UpAsync();
    }

    /// <summary>Double-clicks the middle of the first <paramref name="word"/> inside <paramref name="container"/>, as a person selects a word.</summary>
    public static async Task DoubleClickWordAsync(this IPage page, string container, string word)
    {
        var point = await page.EvaluateAsync<JsonElement>("""
            ([selector, word]) => {
              const walker = document.createTreeWalker(document.querySelector(selector), NodeFilter.SHOW_TEXT);
              for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const at = n.data.indexOf(word);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(n, at + (word.length >> 1)); range.setEnd(n, at + (word.length >> 1) + 1);
                const r = range.getClientRects()[0];
                return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
              }
              throw new Error('word not found in one text node: ' + word);
            }
            """, new object[] { container, word });
        await page.Mouse.DblClickAsync(point.GetProperty("x").GetSingle(), point.GetProperty("y").GetSingle());
    }

    /// <summary>
    /// The serious and critical axe-core findings on the page as it is now (rule, help, elements); axe is added to the
    /// page first if it is not there. "axe checked nothing" when it found nothing to check, so a scan cannot pass idle.
    /// </summary>
    public static async Task<string[]> AxeProblemsAsync(this IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof axe !== 'undefined'"))
            await page.AddScriptTagAsync(new() { Url = "/lib/axe-core/axe.min.js" });
        return await page.EvaluateAsync<string[]>("""
            async () => {
              const r = await axe.run();
              return r.passes.length === 0 ? ['axe checked nothing']
                : r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')');
            }
            """);
    }

    public static ILocator Span(this IPage page, string text, string container = "#document-text") =>
        page.Locator($"{container} .span-piece").Filter(new() { HasTextString = text });
}
