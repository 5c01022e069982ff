using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Editor;

public class ReconnectTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_page_says_when_it_is_offline_and_catches_up_with_what_it_missed()
    {
        var lead = await browser.PersonAsync("lead");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("r.txt", "Eleven people were taken to St. Aldric Hospital, a spokesperson said."));
        var page = await browser.SignedInPageAsync(lead);
        var network = await Network.RouteAsync(page);
        await page.OpenLiveAsync($"/documents/{docs[0]}");

        await network.CutAsync();
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "offline");
        await Assertions.Expect(page.Locator("#live-status")).ToContainTextAsync("reconnecting");

        // Meanwhile someone (a script here) adds a span and changes it.
        var created = await (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations",
            new { layer = "entity", label = "FACILITY", start = 28, end = 47 })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        (await lead.Http.PatchAsJsonAsync($"/api/annotations/{created.GetProperty("id").GetGuid()}", new { note = "added while offline", version = 1 })).EnsureSuccessStatusCode();
        // And ten more, so that the catch-up has a dozen events to apply.
        foreach (var label in new[] { "EVENT", "QUANTITY" })
            foreach (var end in new[] { 6, 13, 18, 24, 27 })
                (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "entity", label, start = 0, end })).EnsureSuccessStatusCode();
        await Assertions.Expect(page.Span("St. Aldric Hospital")).ToHaveCountAsync(0);
        var drawsBefore = await page.EvaluateAsync<int>("() => window.annotate.draws");

        network.Restore();
        await Assertions.Expect(page.Locator("#live-status")).ToHaveTextAsync("Caught up", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Span("St. Aldric Hospital")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#annotation-count")).ToHaveTextAsync("11");
        Assert.Equal("added while offline", await page.EvaluateAsync<string>(
            "id => window.annotate.store.annotations.get(id).note", created.GetProperty("id").GetString()));
        // The whole catch-up was drawn once, not once per event.
        Assert.Equal(drawsBefore + 1, await page.EvaluateAsync<int>("() => window.annotate.draws"));
    }

    [Fact]
    public async Task A_person_removed_from_the_project_while_offline_is_told_the_page_could_not_rejoin()
    {
        var lead = await browser.PersonAsync("lead");
        var ana = await browser.PersonAsync("ana");
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [(ana, "annotator")], ("g.txt", "The harbour master said the ferry left on time."));
        var page = await browser.SignedInPageAsync(ana);
        var network = await Network.RouteAsync(page);
        await page.OpenLiveAsync($"/documents/{docs[0]}");

        await network.CutAsync();
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "offline");
        var members = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/members");
        var anaId = members.EnumerateArray().Single(m => m.GetProperty("email").GetString() == ana.Email).GetProperty("userId").GetString();
        (await lead.Http.DeleteAsync($"/api/projects/{projectId}/members/{anaId}")).EnsureSuccessStatusCode();

        network.Restore();
        var status = page.Locator("#live-status");
        await Assertions.Expect(status).ToHaveAttributeAsync("data-state", "failed", new() { Timeout = 30_000 });
        await Assertions.Expect(status).ToHaveTextAsync(new Regex($"^Could not rejoin: .*Document {docs[0]}.*; reload the page\\.$"));
        await Assertions.Expect(status).ToHaveClassAsync(new Regex("text-bg-danger"));
    }

    /// <summary>The page's connection to the hub, routed through the test so that it can cut the network and restore it.</summary>
    private sealed class Network
    {
        private bool offline;
        private IWebSocketRoute? socket;

        public static async Task<Network> RouteAsync(IPage page)
        {
            var network = new Network();
            await page.RouteWebSocketAsync(new Regex("/hubs/annotations"), ws =>
            {
                if (network.offline) { ws.CloseAsync(); return; }
                network.socket = ws;
                ws.ConnectToServer();
            });
            await page.RouteAsync(new Regex("/hubs/annotations/negotiate"), route => network.offline ? route.AbortAsync() : route.ContinueAsync());
            return network;
        }

        public async Task CutAsync()
        {
            offline = true;
            await socket!.CloseAsync();
        }

        public void Restore() => offline = false;
    }

    [Fact]
    public async Task A_page_open_when_its_reader_is_removed_from_the_project_stops_and_reloads_to_not_found()
    {
        var lead = await browser.PersonAsync("lead");
        var ana = await browser.PersonAsync("ana");
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [(ana, "annotator")], ("gone.txt", "The ferry Kestrel burned off the bay on Monday."));
        var page = await browser.SignedInPageAsync(ana);
        await page.OpenLiveAsync($"/documents/{docs[0]}");
        await Assertions.Expect(page.GetByTestId("document-text")).ToContainTextAsync("The ferry Kestrel");

        var members = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/members");
        var anaId = members.EnumerateArray().Single(m => m.GetProperty("email").GetString() == ana.Email).GetProperty("userId").GetString();
        (await lead.Http.DeleteAsync($"/api/projects/{projectId}/members/{anaId}")).EnsureSuccessStatusCode();

        // The server drops her subscriptions at once and says so; the page reloads and the server decides afresh.
        await Assertions.Expect(page.Locator("#live-status")).ToContainTextAsync("access to this project changed");
        await Assertions.Expect(page.GetByText(new Regex("not a member")).First).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(page.GetByText("The ferry Kestrel")).ToHaveCountAsync(0);
    }
}
