using System.Net.Http.Json;
using Annotate.BrowserTests.Editor;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Documents;

/// <summary>
/// The app's pages work under their own Content-Security-Policy: opened in Chromium, none logs a refused
/// script, style or connection, and none throws. A new page that needs inline script fails here.
/// </summary>
public class ContentSecurityPolicyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Every_page_of_a_project_runs_under_the_policy_without_a_refusal()
    {
        var lead = await browser.PersonAsync("csp");
        const string gazette = "Ferry fire\n\nThe Coast Guard said all 212 passengers were rescued.";
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("gazette.txt", gazette), ("times.txt", "Morning Tern blaze\n\nEleven people were taken to hospital."));
        var start = gazette.IndexOf("said all 212 passengers", StringComparison.Ordinal);
        (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "claim", label = "CLAIM", start, end = start + 23 })).EnsureSuccessStatusCode();

        var page = await browser.SignedInPageAsync(lead);
        var refusals = new List<string>();
        page.Console += (_, message) => { if (message.Text.Contains("Content Security Policy") || message.Text.Contains("Refused to")) refusals.Add($"{page.Url}: {message.Text}"); };
        page.PageError += (_, error) => refusals.Add($"{page.Url}: {error}");

        string[] paths =
        [
            "/projects", $"/projects/{projectId}", $"/projects/{projectId}?tab=members", $"/projects/{projectId}?tab=labels",
            $"/projects/{projectId}?tab=guidelines", $"/projects/{projectId}?tab=settings", $"/projects/{projectId}/agreement",
            $"/projects/{projectId}/exports", $"/projects/{projectId}/compare?left={docs[0]}&right={docs[1]}", "/jobs", "/account",
        ];
        foreach (var path in paths)
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Ok, $"{path}: {response.Status}");
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }
        // The editor, live: its script, styles, tags and the hub's WebSocket all pass the policy.
        await page.OpenLiveAsync($"/documents/{docs[0]}");
        Assert.Empty(refusals);
        await Assertions.Expect(page.Span("said all 212 passengers")).ToHaveCountAsync(1);
        // Its dialogs and panels too: the shortcuts and the guidelines beside the text.
        await page.Locator("#shortcuts-button").ClickAsync();
        await page.Keyboard.PressAsync("Escape");
        await page.Locator("#guidelines-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("#guidelines-panel")).ToBeVisibleAsync();
        Assert.Empty(refusals);
    }
}
