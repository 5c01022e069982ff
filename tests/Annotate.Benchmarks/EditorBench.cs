using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.Benchmarks;

/// <summary>
/// The editor on a 100,000-character article with 5,000 spans, in Chromium: rendering the spans (first render,
/// the re-render every edit causes, and a whole keyboard edit until it is drawn) against rendering the same text with
/// no spans at all.
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
        var text = new StringBuilder();
        var sentence = "The Coast Guard said all 212 passengers 🚢 were rescued after the fire. ";
        while (text.Length < 100_000) text.Append(sentence);
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(text.ToString(0, 100_000))), "files", "long.txt" } };
        var created = await (await http.PostAsync($"/api/projects/{projectId}/documents", form)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var documentId = created.GetProperty("created")[0].GetProperty("id").GetInt64();
        // The same text again (one character changed, so it is not a duplicate), left without spans: the baseline's.
        var plainForm = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("#" + text.ToString(1, 99_999))), "files", "plain.txt" } };
        var plainDocumentId = (await (await http.PostAsync($"/api/projects/{projectId}/documents", plainForm)).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created")[0].GetProperty("id").GetInt64();
        await SeedAsync(documentId, 5_000);

        var page = await browser.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(lead.Email);
        await page.GetByLabel("Password").FillAsync(AnnotateFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync(lead.Email);
        await page.GotoAsync($"/documents/{documentId}");
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        var firstRender = double.Parse((await page.Locator("#document-text").GetAttributeAsync("data-render-ms"))!, System.Globalization.CultureInfo.InvariantCulture);

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

        var edit = await KeyboardEditsAsync(page);
        // The same keyboard edit on the same text without spans: what the server round trip and a draw cost anyway.
        await page.GotoAsync($"/documents/{plainDocumentId}");
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        var plainEdit = await KeyboardEditsAsync(page);
        return
        [
            new("editor first render, 5,000 spans (script time)", firstRender, "ms", "plain text, no spans", baseline, "< 250 ms", firstRender < 250),
            new("editor update per edit (one span added), 5,000 spans, with layout (median of 7)", render, "ms", "plain text, no spans", baseline, "< 250 ms", render < 250),
            new("editor: key pressed on a selected word until the new span is drawn everywhere, 5,000 spans (median of 7)", edit, "ms", "the same edit on the text without spans", plainEdit, "< 250 ms", edit < 250),
        ];
    }

    /// <summary>
    /// Real edits, as a person makes them: a word selected with the keyboard, the label's key pressed, until the new
    /// span is in the page's store and drawn (text, side panel, links: the whole redraw, after the server's answer),
    /// measured in the page. Returns the median of seven.
    /// </summary>
    private static async Task<double> KeyboardEditsAsync(IPage page)
    {
        var edits = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            // The caret at the start of a word somewhere in the middle (another each time), then Ctrl+Shift+Right.
            await page.Locator("#document-text").FocusAsync();
            await page.EvaluateAsync("""
                i => {
                  const walker = document.createTreeWalker(document.getElementById('document-text'), NodeFilter.SHOW_TEXT);
                  let node = walker.nextNode(), seen = 0;
                  while (node && (seen < 40_000 + i * 997 || node.data.indexOf('Coast') < 0)) { seen += node.data.length; node = walker.nextNode(); }
                  document.getSelection().collapse(node, node.data.indexOf('Coast'));
                }
                """, i);
            await page.Keyboard.PressAsync("Control+Shift+ArrowRight");
            // The page watches (every frame, from before the key) for the span to be in its store and drawn, and notes when.
            await page.EvaluateAsync("""
                () => {
                  const probe = window.benchEdit = { count: window.annotate.store.annotations.size, pressed: 0, draws: 0, done: 0 };
                  window.addEventListener('keydown', e => { if (e.key === 'p') { probe.pressed = performance.now(); probe.draws = window.annotate.draws; } }, { capture: true, once: true });
                  const watch = () => {
                    if (probe.pressed && window.annotate.store.annotations.size > probe.count && window.annotate.draws > probe.draws) probe.done = performance.now();
                    else requestAnimationFrame(watch);
                  };
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

    private static async Task SeedAsync(long documentId, int count)
    {
        await using var connection = new Npgsql.NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using var insert = new Npgsql.NpgsqlCommand("""
            INSERT INTO annotations (id, project_id, document_id, annotator_id, layer, label, start, "end", text, attributes, version, origin, created_at, updated_at)
            SELECT gen_random_uuid(), d.project_id, d.id, m.user_id, CASE WHEN g % 5 = 0 THEN 'claim' ELSE 'entity' END,
                   CASE WHEN g % 5 = 0 THEN 'CLAIM' ELSE 'ORGANIZATION' END, g * 19, g * 19 + 9 + (g % 3) * 6,
                   substring(d.text FROM g * 19 + 1 FOR 9 + (g % 3) * 6), '{}', 1, 'imported', now(), now()
            FROM documents d
            JOIN project_members m ON m.project_id = d.project_id AND m.role = 'manager'
            CROSS JOIN generate_series(0, @count - 1) AS g
            WHERE d.id = @document
            """, connection);
        insert.Parameters.AddWithValue("count", count);
        insert.Parameters.AddWithValue("document", documentId);
        await insert.ExecuteNonQueryAsync();
    }
}
