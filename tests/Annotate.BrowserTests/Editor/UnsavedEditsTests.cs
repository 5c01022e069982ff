using System.Net.Http.Json;
using System.Text.Json;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Editor;

/// <summary>The app on a PostgreSQL of its own, which the test stops and starts (the suite's shared one stays up).</summary>
public sealed class OwnDatabaseFixture : BrowserFixture
{
    private static PrivatePostgres? starting;

    public OwnDatabaseFixture() : base(new ConfiguredFactory([new("ConnectionStrings:Default", Start().ConnectionString)])) => Postgres = starting!;

    public PrivatePostgres Postgres { get; }

    // The app's settings need the cluster's address before the base class is constructed.
    private static PrivatePostgres Start() => starting = PrivatePostgres.StartAsync().GetAwaiter().GetResult();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}

public class UnsavedEditsTests(OwnDatabaseFixture browser) : IClassFixture<OwnDatabaseFixture>
{
    [Fact]
    public async Task Spans_made_while_the_database_is_down_are_kept_shown_as_not_saved_and_saved_once_it_is_back()
    {
        var lead = await browser.PersonAsync("lead");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("f.txt", "The Coast Guard said all 212 passengers were rescued unhurt on Tuesday."));
        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{docs[0]}");
        var badge = page.Locator("#unsaved-edits");
        await Assertions.Expect(badge).ToBeHiddenAsync();

        await browser.Postgres.StopAsync();
        await page.SelectWithMouseAsync("#document-text", "all 212 passengers were rescued");
        await Assertions.Expect(page.Locator("#palette")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("c");
        await Assertions.Expect(badge).ToHaveTextAsync("1 edit not saved yet");
        await page.SelectWithMouseAsync("#document-text", "The Coast Guard");
        await Assertions.Expect(page.Locator("#palette")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("c");
        await Assertions.Expect(badge).ToHaveTextAsync("2 edits not saved yet");
        await Assertions.Expect(badge).ToHaveAttributeAsync("data-state", "unsaved");
        // Both are on the page, drawn dotted as not saved yet; the hub connection itself stayed up.
        await Assertions.Expect(page.Span("all 212 passengers were rescued")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("is-unsaved"));
        await Assertions.Expect(page.Span("The Coast Guard")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("is-unsaved"));
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        // The span list says so too, beside each of them.
        await Assertions.Expect(page.Locator("#annotation-list .not-saved")).ToHaveCountAsync(2);

        await browser.Postgres.StartAgainAsync();
        await Assertions.Expect(badge).ToBeHiddenAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#document-text .span-piece.is-unsaved")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#annotation-list .not-saved")).ToHaveCountAsync(0);
        var stored = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{docs[0]}/annotations");
        var texts = stored.EnumerateArray().Select(a => a.GetProperty("text").GetString()!).Order().ToArray();
        Assert.Equal(new[] { "The Coast Guard", "all 212 passengers were rescued" }, texts);
    }
}
