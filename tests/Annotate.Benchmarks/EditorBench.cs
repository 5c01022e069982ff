using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.Benchmarks;

/// <summary>
/// The editor on 100,000-character articles with 5,000 spans, in Chromium: rendering the spans (first render,
/// the re-render every edit causes, and a whole keyboard edit until it is drawn) against rendering the same text with
/// no spans at all. Once on a repeated sentence, once on one line of news prose (no line break in 100,000
/// characters, as JSONL corpora often hold). And what the document page weighs beside the text it carries.
/// </summary>
public static class EditorBench
{
    public static async Task<List<Figure>> RunAsync(BrowserFixture browser)
    {
        Console.WriteLine("editor: 100,000 characters, 5,000 spans");
        var http = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        var lead = await AnnotateFactory.SignUpAsync(http, "bench");
        var project = await (await http.PostAsJsonAsync("/api/projects", new { name = "Bench editor" })).Content.ReadFromJsonAsync<JsonElement>();
        var projectId = project.GetProperty("id").GetInt64();
        var page = await browser.SignedInPageAsync(lead);

        var text = new StringBuilder();
        // In paragraphs of eight sentences, as news is (the one-line article below is the case without paragraphs).
        var sentence = "The Coast Guard said all 212 passengers 🚢 were rescued after the fire. ";
        for (var n = 1; text.Length < 100_000; n++) text.Append(sentence).Append(n % 8 == 0 ? "\n\n" : "");
        var figures = await ArticleAsync(http, page, projectId, text.ToString(0, 100_000), "Coast", "");

        // News prose on one line: the reference articles with their line breaks made spaces, over and over.
        var prose = string.Join(' ', Corpus.Files.Select(f => File.ReadAllText(f).ReplaceLineEndings(" ")));
        var line = new StringBuilder();
        while (line.Length < 100_000) line.Append(prose).Append(' ');
        Console.WriteLine("editor: one-line article of 100,000 characters, 5,000 spans");
        figures.AddRange(await ArticleAsync(http, page, projectId, line.ToString(0, 100_000), "Aleppo", "one-line article: "));
        figures.AddRange(await PageBytesAsync(http, projectId, prose));
        return figures;
    }

    /// <summary>The three editor figures on one article (with 5,000 spans) beside the same text without spans.</summary>
    private static async Task<List<Figure>> ArticleAsync(HttpClient http, IPage page, long projectId, string article, string word, string prefix)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(article)), "files", "long.txt" } };
        var created = await (await http.PostAsync($"/api/projects/{projectId}/documents", form)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var documentId = created.GetProperty("created")[0].GetProperty("id").GetInt64();
        // The same text again (one character changed, so it is not a duplicate), left without spans: the baseline's.
        var plainForm = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("#" + article[1..])), "files", "plain.txt" } };
        var plainDocumentId = (await (await http.PostAsync($"/api/projects/{projectId}/documents", plainForm)).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created")[0].GetProperty("id").GetInt64();
        await SeedAsync(documentId, 5_000);

        // The page's script of its first render: its data read, then its first draw (the spans' tags planned, the text,
        // the legend, the side panel and the links drawn); the text view's own render is only part of it. One load is
        // one sample, and the same code's first render moves by two or three times from load to load on a shared
        // machine, so the figure is the median of five loads. The first load of all, before the browser has cached and
        // compiled the page's script, is printed beside them.
        var firstRenders = new List<double>();
        var cuts = new List<double>();
        var breakdown = new List<string>();
        for (var load = 0; load < 5; load++)
        {
            await page.GotoAsync($"/documents/{documentId}");
            await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
            var text = page.Locator("#document-text");
            firstRenders.Add(Number(await text.GetAttributeAsync("data-first-draw-ms")));
            breakdown.Add($"{firstRenders[^1]:0.#} ms (data read {await text.GetAttributeAsync("data-first-read-ms")}, text view {await text.GetAttributeAsync("data-first-render-ms")})");
            // A paragraph longer than a block is measured and cut into blocks where its lines start, just after the first paint.
            await Assertions.Expect(text).ToHaveAttributeAsync("data-cut", "done");
            cuts.Add(await text.GetAttributeAsync("data-cut-ms") is { } cut ? Number(cut) : 0);
        }
        Console.WriteLine($"editor: {prefix}first render of each load: {string.Join("; ", breakdown)}; cut into blocks: {string.Join(", ", cuts.Select(c => $"{c:0.#} ms"))}");
        var firstRender = Figure.Median(firstRenders);
        var cutMs = Figure.Median(cuts);

        // Every edit re-renders the article with all its spans; measure that, with layout, several times.
        var withSpans = new List<double>();
        var plain = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            // An edit as the page makes it: one more span (a copy of one in the middle, relabelled), then layout.
            withSpans.Add(await page.EvaluateAsync<double>("""
                () => {
                  const v = window.annotate.view, list = [...v.annotations.values()];
                  const extra = { ...list[2500], id: 'bench-' + Math.random(), label: 'PERSON' };
                  const t = performance.now();
                  v.setAnnotations([...list, extra]);
                  document.getElementById('document-text').getBoundingClientRect();
                  const ms = performance.now() - t;
                  v.setAnnotations(list);
                  return ms;
                }
                """));
            plain.Add(await page.EvaluateAsync<double>("() => { const e = document.createElement('div'); e.className = 'doc-text'; const t = performance.now(); e.textContent = window.annotate.view.text; document.body.append(e); e.getBoundingClientRect(); const ms = performance.now() - t; e.remove(); return ms; }"));
        }
        var render = Figure.Median(withSpans);
        var baseline = Figure.Median(plain);

        var edit = await KeyboardEditsAsync(page, word);
        // The same keyboard edit on the same text without spans: what the server round trip and a draw cost anyway.
        await page.GotoAsync($"/documents/{plainDocumentId}");
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        var plainEdit = await KeyboardEditsAsync(page, word);
        return
        [
            new($"{prefix}editor first render, 5,000 spans with their label tags and 100 links (the page's script: its data read, text, tags, legend, side panel drawn; median of 5 loads)", firstRender, "ms", "plain text, no spans", baseline, "<= 150 ms", firstRender <= 150),
            new($"{prefix}editor: its long paragraphs measured and cut into blocks after the first paint (script time, median of 5 loads)", cutMs, "ms", "plain text, no spans", baseline, "< 250 ms", cutMs < 250),
            new($"{prefix}editor update per edit (one span added), 5,000 spans, with layout (median of 7)", render, "ms", "plain text, no spans", baseline, "< 250 ms", render < 250),
            new($"{prefix}editor: key pressed on a selected word until the new span and its tag are drawn everywhere, 5,000 spans and 100 links (median of 15)", edit, "ms", "the same edit on the text without spans", plainEdit, "<= 50 ms", edit <= 50),
        ];
    }

    /// <summary>
    /// The document page's size beside the UTF-8 size of the text it carries, for a long Latin article (the
    /// reference articles over and over) and a long CJK one: the page should carry the text once, unescaped.
    /// </summary>
    private static async Task<List<Figure>> PageBytesAsync(HttpClient http, long projectId, string prose)
    {
        var latin = new StringBuilder();
        while (latin.Length < 1_000_000) latin.Append(prose).Append("\n\n");
        var cjk = new StringBuilder();
        while (cjk.Length < 1_000_000) cjk.Append(CjkProse).Append('\n');
        var figures = new List<Figure>();
        foreach (var (name, text) in new[] { ("Latin", latin.ToString()), ("CJK", cjk.ToString()) })
        {
            var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "files", $"{name}.txt" } };
            var created = await (await http.PostAsync($"/api/projects/{projectId}/documents", form)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
            var documentId = created.GetProperty("created")[0].GetProperty("id").GetInt64();
            var pageBytes = (await http.GetByteArrayAsync($"/documents/{documentId}")).Length;
            var textBytes = Encoding.UTF8.GetByteCount(text);
            var ratio = (double)pageBytes / textBytes;
            Console.WriteLine($"document page, {name} article: {pageBytes:N0} bytes for {textBytes:N0} bytes of text");
            figures.Add(new($"document page bytes / text UTF-8 bytes, {name} article of {text.Length / 1000:N0},000 characters",
                pageBytes / 1048576.0, "MB", "the text in UTF-8", textBytes / 1048576.0, "<= 1.2x", ratio <= 1.2));
        }
        return figures;
    }

    /// <summary>A few sentences of Chinese news prose (written for the benchmark) with its own punctuation.</summary>
    private const string CjkProse =
        "叙利亚反对派武装本周发动突然袭击，迅速向阿勒颇市推进，这是多年来针对政府军规模最大的行动之一。" +
        "据监测机构称，战斗已造成数百人死亡，其中包括平民。" +
        "“我们已经控制了五十多个村庄，”一名指挥官在视频中说道。" +
        "政府方面表示，军队正在重新部署，并将“击退恐怖分子的进攻”。" +
        "联合国呼吁各方保护平民，并允许人道主义援助进入受影响地区。";

    /// <summary>
    /// Real edits, as a person makes them: a word selected with the keyboard, the label's key pressed, until the new
    /// span is in the page's store and drawn (text, side panel, links: the whole redraw, after the server's answer) and
    /// the frame that shows it rendered (its layout and paint), measured in the page. Returns the median of fifteen: an
    /// edit's time moves by whole frames, as the server's answer comes just before or just after a frame starts.
    /// </summary>
    private static async Task<double> KeyboardEditsAsync(IPage page, string word)
    {
        var edits = new List<double>();
        for (var i = 0; i < 15; i++)
        {
            // The caret at the start of a word somewhere in the middle (another each time), as a click there puts it (the
            // page's caret takes the place on mouseup), then Ctrl+Shift+Right.
            await page.Locator("#document-text").FocusAsync();
            await page.EvaluateAsync("""
                ([i, word]) => new Promise(placed => {
                  const text = document.getElementById('document-text');
                  const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
                  // The first occurrence of the word from character 40,000 + 997 i on, and after the one the edit before
                  // labelled (a rare word recurs further apart than that: the same place twice is refused as marked twice).
                  const target = Math.max(40_000 + i * 997, (window.benchLastEdit ?? -1) + 1);
                  let node = walker.nextNode(), seen = 0, at = -1;
                  while (node && (at = node.data.indexOf(word, Math.max(0, target - seen))) < 0) { seen += node.data.length; node = walker.nextNode(); }
                  window.benchLastEdit = seen + at;
                  document.getSelection().collapse(node, at);
                  text.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
                  setTimeout(placed, 20);
                })
                """, new object[] { i, word });
            await page.Keyboard.PressAsync("Control+Shift+ArrowRight");
            // A person sees the word selected before pressing the label's key: whatever the selection brought into view is
            // drawn by then (the page draws blocks near the screen when they come near it, or when it is idle).
            await page.EvaluateAsync("() => new Promise(idle => requestIdleCallback(() => requestAnimationFrame(() => setTimeout(idle, 0)), { timeout: 1000 }))");
            // The page watches (every frame, from before the key) for the span to be in its store and drawn, and notes when.
            await page.EvaluateAsync("""
                () => {
                  const probe = window.benchEdit = { count: window.annotate.store.annotations.size, pressed: 0, draws: 0, done: 0 };
                  window.addEventListener('keydown', e => { if (e.key === 'p') { probe.pressed = performance.now(); probe.draws = window.annotate.draws; } }, { capture: true, once: true });
                  // Drawn means on the screen: the frame that first holds the span is rendered after its animation-frame
                  // callbacks (the page draws in one), so a message posted just after the draw is handled once that frame's
                  // style, layout and paint are done. A mutation observer hears the draw's changes to the text right after the
                  // draw's callback, in the frame that holds them; a check at the next frame's start would time one frame more.
                  const drawn = () => {
                    if (probe.done || probe.posted || !probe.pressed) return false;
                    if (window.annotate.store.annotations.size <= probe.count || window.annotate.draws <= probe.draws) return false;
                    probe.posted = true;
                    const after = new MessageChannel();
                    after.port1.onmessage = () => { probe.done = performance.now(); observer.disconnect(); };
                    after.port2.postMessage(0);
                    return true;
                  };
                  const observer = new MutationObserver(drawn);
                  observer.observe(document.getElementById('document-text'), { childList: true, subtree: true, attributes: true, characterData: true });
                  // A draw that changes nothing in the text (none does now) is still heard at the next frame's start.
                  const watch = () => { if (!drawn() && !probe.done) requestAnimationFrame(watch); };
                  requestAnimationFrame(watch);
                }
                """);
            await page.Keyboard.PressAsync("p");
            var measured = page.EvaluateAsync<double>("""
                () => new Promise((resolve, reject) => {
                  const probe = window.benchEdit, given = performance.now();
                  const wait = () => {
                    if (probe.done) resolve(probe.done - probe.pressed);
                    else if (performance.now() - given > 15_000) reject(new Error(`no span drawn: key seen ${!!probe.pressed}, selection "${document.getElementById('palette-selection')?.textContent}", ${window.annotate.store.annotations.size} spans (was ${probe.count})`));
                    else setTimeout(wait, 5);
                  };
                  wait();
                })
                """);
            edits.Add(await measured);
            await page.Keyboard.PressAsync("Escape");
        }
        return Figure.Median(edits);
    }

    private static double Number(string? text) => double.Parse(text!, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task SeedAsync(long documentId, int count)
    {
        await TestDatabase.SeedSpansAsync(documentId, count, spacing: 19, mixed: true);
        await using var connection = new Npgsql.NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        // Links between claims, drawn as markers and arcs: every tenth claim to the next one (100 links for 1,000 claims).
        await using var link = new Npgsql.NpgsqlCommand("""
            WITH claims AS (SELECT id, project_id, annotator_id, row_number() OVER (ORDER BY start) AS n FROM annotations WHERE document_id = @document AND layer = 'claim')
            INSERT INTO relations (id, project_id, type, from_id, to_id, annotator_id, version, created_at, updated_at)
            SELECT gen_random_uuid(), a.project_id, CASE WHEN a.n % 20 = 1 THEN 'CONTRADICTS' ELSE 'SUPPORTS' END, a.id, b.id, a.annotator_id, 1, now(), now()
            FROM claims a JOIN claims b ON b.n = a.n + 1
            WHERE a.n % 10 = 1
            """, connection);
        link.Parameters.AddWithValue("document", documentId);
        await link.ExecuteNonQueryAsync();
    }
}
