using System.Net.Http.Json;
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

        // The page's connection to the hub goes through this route, so the test can cut the network.
        var offline = false;
        IWebSocketRoute? socket = null;
        await page.RouteWebSocketAsync(new Regex("/hubs/annotations"), ws =>
        {
            if (offline) { ws.CloseAsync(); return; }
            socket = ws;
            ws.ConnectToServer();
        });
        await page.RouteAsync(new Regex("/hubs/annotations/negotiate"), route => offline ? route.AbortAsync() : route.ContinueAsync());
        await page.OpenLiveAsync($"/documents/{docs[0]}");

        offline = true;
        await socket!.CloseAsync();
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "offline");
        await Assertions.Expect(page.Locator("#live-status")).ToContainTextAsync("reconnecting");

        // Meanwhile someone (a script here) adds a span and changes it.
        var created = await (await lead.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations",
            new { layer = "entity", label = "FACILITY", start = 28, end = 47 })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        (await lead.Http.PatchAsJsonAsync($"/api/annotations/{created.GetProperty("id").GetGuid()}", new { note = "added while offline", version = 1 })).EnsureSuccessStatusCode();
        await Assertions.Expect(page.Span("St. Aldric Hospital")).ToHaveCountAsync(0);

        offline = false;
        await Assertions.Expect(page.Locator("#live-status")).ToHaveTextAsync("Caught up", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Span("St. Aldric Hospital")).ToHaveCountAsync(1);
        Assert.Equal("added while offline", await page.EvaluateAsync<string>(
            "id => window.annotate.store.annotations.get(id).note", created.GetProperty("id").GetString()));
    }
}
