using System.Net.Http.Json;
using System.Text;
using Annotate.BrowserTests.Editor;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Exports;

public class ExportsPageTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_lead_exports_from_the_page_downloads_the_file_and_its_offsets_slice_in_python_terms()
    {
        var lead = await browser.PersonAsync("lead");
        var text = await File.ReadAllTextAsync(Corpus.PathOf("002"));
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("002.txt", text));
        var start = text.LastIndexOf("Aleppo", StringComparison.Ordinal) - 10;
        (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "entity", label = "LOCATION", start, end = start + 6 })).EnsureSuccessStatusCode();

        var page = await browser.SignedInPageAsync(lead);
        await page.GotoAsync($"/projects/{projectId}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Exports" }).ClickAsync();
        var formats = new[] { "annotate-jsonl", "doccano-jsonl", "spacy-jsonl", "label-studio-json", "brat", "conll" };
        for (var i = 0; i < formats.Length; i++)
        {
            var format = formats[i];
            await page.Locator("#format").SelectOptionAsync(format);
            await page.GetByRole(AriaRole.Button, new() { Name = "Export", Exact = true }).ClickAsync();
            // The page follows the export's progress and shows it finished, with its file.
            await Assertions.Expect(page.GetByTestId("exports").Locator("tbody tr")).ToHaveCountAsync(i + 1);
            var row = page.GetByTestId("exports").Locator("tbody tr").First;
            await Assertions.Expect(row.GetByRole(AriaRole.Link, new() { Name = "Download" })).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await Assertions.Expect(row).ToContainTextAsync(format);
        }

        // Download the annotate-jsonl export (the sixth row from the top) and check its span the way Python would.
        var jsonlRow = page.GetByTestId("exports").Locator("tbody tr").Filter(new() { HasTextString = "annotate-jsonl" });
        var download = await page.RunAndWaitForDownloadAsync(() => jsonlRow.GetByRole(AriaRole.Link, new() { Name = "Download" }).ClickAsync());
        var path = await download.PathAsync();
        var lines = (await File.ReadAllLinesAsync(path, Encoding.UTF8)).Where(l => l.Length > 0).ToList();
        using var article = System.Text.Json.JsonDocument.Parse(lines[1]);
        var span = article.RootElement.GetProperty("spans")[0];
        var runes = article.RootElement.GetProperty("text").GetString()!.EnumerateRunes().ToArray();
        Assert.Equal("Aleppo", string.Concat(runes[span.GetProperty("start").GetInt32()..span.GetProperty("end").GetInt32()].Select(r => r.ToString())));

        // Delete it from the page.
        await jsonlRow.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("exports").Locator("tbody tr")).ToHaveCountAsync(5);
    }
}

/// <summary>
/// The app of a class that must see an export wait: it serves but runs no job (Jobs:Run=false), and browser test classes
/// run one at a time, so no other app host of this process has a Hangfire server meanwhile.
/// </summary>
public sealed class ServingOnlyBrowserFixture() : BrowserFixture(new ConfiguredFactory([new("Jobs:Run", "false")]));

public class ExportCancelPageTests(ServingOnlyBrowserFixture browser) : IClassFixture<ServingOnlyBrowserFixture>
{
    [Fact]
    public async Task A_queued_export_is_cancelled_with_its_button_and_leaves_no_file()
    {
        var lead = await browser.PersonAsync("lead");
        var (projectId, _) = await EditorSession.ProjectAsync(lead, "open", [], ("a.txt", "Rebels entered Aleppo on Wednesday."));
        var page = await browser.SignedInPageAsync(lead);
        await page.GotoAsync($"/projects/{projectId}/exports");

        // No Hangfire server runs while this class does (see ServingOnlyBrowserFixture): the export stays queued until the
        // button is pressed, whatever the machine's speed.
        await page.GetByRole(AriaRole.Button, new() { Name = "Export", Exact = true }).ClickAsync();
        var row = page.GetByTestId("exports").Locator("tbody tr").First;
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "queued");
        await row.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "cancelled");
        await Assertions.Expect(row.Locator(".badge")).ToHaveTextAsync("cancelled");
        await Assertions.Expect(row.GetByRole(AriaRole.Link, new() { Name = "Download" })).ToHaveCountAsync(0);
        await Assertions.Expect(row.GetByRole(AriaRole.Button, new() { Name = "Delete" })).ToBeVisibleAsync();

        var exportId = long.Parse((await page.GetByTestId("exports").Locator("tbody tr").First.GetAttributeAsync("data-export-id"))!);
        var export = await lead.Http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/exports/{exportId}");
        Assert.Equal("cancelled", export.GetProperty("status").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, export.GetProperty("file").ValueKind);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, (await lead.Http.GetAsync($"/api/exports/{exportId}/file")).StatusCode);
    }
}
