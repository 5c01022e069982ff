using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.BrowserTests.Editor;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Agreement;

public class DashboardTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_manager_computes_agreement_reads_the_heatmap_and_follows_the_worst_document()
    {
        var lead = await browser.PersonAsync("lead");
        var ana = await browser.PersonAsync("ana");
        var ben = await browser.PersonAsync("ben");
        var corpus = Corpus.Files.Take(2).Select(path => (Path.GetFileName(path), File.ReadAllText(path))).ToArray();
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator")], corpus);
        // Both annotate both articles: they agree on the first and not on the second.
        foreach (var (who, shift) in new[] { (ana, 0), (ben, 1) })
        {
            for (var s = 0; s < 5; s++)
            {
                (await who.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "entity", label = "LOCATION", start = 20 * s, end = 20 * s + 8 })).EnsureSuccessStatusCode();
                (await who.Http.PostAsJsonAsync($"/api/documents/{docs[1]}/annotations", new { layer = "entity", label = shift == 0 ? "PERSON" : "EVENT", start = 30 * s + shift, end = 30 * s + 10 })).EnsureSuccessStatusCode();
            }
            foreach (var doc in docs) (await who.Http.PutAsJsonAsync($"/api/documents/{doc}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        }

        var page = await browser.SignedInPageAsync(lead);
        await page.GotoAsync($"/projects/{projectId}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Agreement" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Compute agreement" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("heatmap")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByTestId("report-meta")).ToContainTextAsync("over 2 document(s)");
        var heatmap = page.GetByTestId("heatmap");
        await Assertions.Expect(heatmap).ToContainTextAsync(ana.Email.Split('@')[0]);
        await Assertions.Expect(heatmap).ToContainTextAsync(ben.Email.Split('@')[0]);
        await Assertions.Expect(page.GetByTestId("label-bars")).ToContainTextAsync("LOCATION");
        // Every figure explains itself.
        Assert.False(string.IsNullOrEmpty(await page.GetByTestId("overall").Locator(".figure-card").First.GetAttributeAsync("title")));
        await Assertions.Expect(page.GetByTestId("overall").Locator("[data-figure=linkF1Contradicts]")).ToContainTextAsync("Link F1, contradicts");
        await Assertions.Expect(page.GetByTestId("label-bars")).ToContainTextAsync("Token Fleiss' kappa");
        await Assertions.Expect(page.GetByTestId("legend")).ToContainTextAsync("Unitizing alpha of the two annotators alone");

        // The heatmap shows any pair figure: switched to alpha-U, the cell says the report's pair alpha-U.
        var report = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/agreement");
        var pairAlphaU = report.GetProperty("result").GetProperty("pairs")[0].GetProperty("alphaU").GetDouble();
        await page.GetByLabel("Show").SelectOptionAsync("alphaU");
        await Assertions.Expect(page.GetByTestId("heatmap").Locator("td[data-figures]").First).ToHaveTextAsync(pairAlphaU.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("#heatmap-figure")).ToHaveTextAsync("Alpha-U");

        // The worst document is listed first; following it opens the document with both annotators' spans.
        var worst = page.GetByTestId("documents-by-agreement").Locator("tbody tr").First;
        await Assertions.Expect(worst).ToContainTextAsync(corpus[1].Item1[..^4]);
        await worst.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        await Assertions.Expect(page.Locator("#annotation-count")).ToHaveTextAsync("10");
        await page.GetByTestId("annotator-filter").SelectOptionAsync(new SelectOptionValue { Label = ben.Email.Split('@')[0] });
        await Assertions.Expect(page.Locator("#annotation-count")).ToHaveTextAsync("5");

        // The Jobs page lists the run.
        await page.GotoAsync("/jobs");
        await Assertions.Expect(page.GetByTestId("jobs")).ToContainTextAsync("succeeded");
    }
}
