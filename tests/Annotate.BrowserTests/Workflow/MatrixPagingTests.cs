using System.Net.Http.Json;
using System.Text.Json;
using Annotate.BrowserTests.Editor;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Workflow;

/// <summary>Large projects in the browser: the matrix pages and searches on the server; the progress charts draw.</summary>
public class MatrixPagingTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_matrix_pages_fifty_rows_at_a_time_searches_and_the_progress_charts_draw()
    {
        var lead = await browser.PersonAsync("lead");
        var ana = await browser.PersonAsync("ana");
        var files = Enumerable.Range(1, 55).Select(i => ($"article-{i:D2}.txt", $"Article {i}: officials said {i} were rescued.")).ToArray();
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [(ana, "annotator")], files);
        var anaId = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/members")).EnumerateArray()
            .First(m => m.GetProperty("email").GetString() == ana.Email).GetProperty("userId").GetString()!;

        var page = await browser.SignedInPageAsync(lead);
        await page.GotoAsync($"/projects/{projectId}/assignments");
        var matrix = page.GetByTestId("matrix");
        await Assertions.Expect(matrix.Locator("caption")).ToContainTextAsync("Documents 1 to 50 of 55");
        await Assertions.Expect(matrix.Locator("tbody tr")).ToHaveCountAsync(50);
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Pages of documents" }).GetByRole(AriaRole.Link, new() { Name = "2", Exact = true }).ClickAsync();
        await Assertions.Expect(matrix.Locator("caption")).ToContainTextAsync("Documents 51 to 55 of 55");
        // Assigning on page 2 comes back to page 2.
        await page.Locator($"#document-{docs[54]}").CheckAsync();
        await page.Locator($"#person-{anaId}").CheckAsync();
        await page.GetByTestId("assign").ClickAsync();
        await Assertions.Expect(page.GetByText("Assigned: 1 change(s)")).ToBeVisibleAsync();
        await Assertions.Expect(matrix.Locator("caption")).ToContainTextAsync("Documents 51 to 55 of 55");
        // The search runs on the server: one row, and the pager is gone.
        await page.Locator("#matrix-q").FillAsync("article-07");
        await page.Locator("#matrix-q").PressAsync("Enter");
        await Assertions.Expect(matrix.Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(matrix.Locator("caption")).ToContainTextAsync("of 1;");

        // The progress page is open (the matrix would reload live under a navigation); Ana finishes hers, the page
        // reloads itself and draws both charts.
        await page.GotoAsync($"/projects/{projectId}/progress");
        await Assertions.Expect(page.Locator("#progress-chart")).ToHaveAttributeAsync("data-drawn", "true");
        await Assertions.Expect(page.GetByTestId("over-time-empty")).ToBeVisibleAsync();
        // Once the page hears the project's work live: a change made before its subscription is not pushed to it.
        await Assertions.Expect(page.Locator("[data-work-live-state='live']")).ToHaveCountAsync(1);
        (await ana.Http.PutAsJsonAsync($"/api/documents/{docs[54]}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        await Assertions.Expect(page.Locator("#finished-chart")).ToHaveAttributeAsync("data-drawn", "true");
        await Assertions.Expect(page.GetByTestId("progress-documents").Locator("tbody tr")).ToHaveCountAsync(50);
        await page.GetByRole(AriaRole.Link, new() { Name = "Next 50" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("progress-documents").Locator("tbody tr")).ToHaveCountAsync(5);
        await Assertions.Expect(page.GetByTestId("progress-documents").Locator("tbody tr").Last).ToContainTextAsync("1 / ");

        // On a phone both pages fit the width: rows become cards naming each figure, nothing scrolls sideways.
        await page.SetViewportSizeAsync(390, 844);
        foreach (var path in new[] { $"/projects/{projectId}/progress", $"/projects/{projectId}/assignments" })
        {
            await page.GotoAsync(path);
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), $"{path} scrolls sideways at 390 px");
        }
        await page.GotoAsync($"/projects/{projectId}/progress");
        var card = page.GetByTestId("progress-documents").Locator("tbody tr").First;
        Assert.Equal("grid", await card.EvaluateAsync<string>("row => getComputedStyle(row).display"));
        Assert.Equal("Finished / required", await card.Locator("td").Nth(2).EvaluateAsync<string>("cell => getComputedStyle(cell, '::before').content.replaceAll('\"', '')"));
    }
}
