using System.Net.Http.Json;
using Annotate.BrowserTests.Editor;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Documents;

/// <summary>A manager renames and deletes an article from the document list; an annotator's open editor follows live.</summary>
public class DocumentAdminPageTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_manager_renames_then_deletes_an_article_from_the_list_and_the_open_editor_shows_both()
    {
        var lead = await browser.PersonAsync("lead");
        var ana = await browser.PersonAsync("ana");
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [(ana, "annotator")],
            ("ferry.txt", "The ferry burned off the coast on Monday, officials said."), ("storm.txt", "A storm closed the port on Tuesday."));
        (await ana.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "entity", label = "EVENT", start = 4, end = 9 })).EnsureSuccessStatusCode();

        var editor = await browser.SignedInPageAsync(ana);
        await editor.OpenLiveAsync($"/documents/{docs[0]}");
        var manager = await browser.SignedInPageAsync(lead);
        await manager.GotoAsync($"/projects/{projectId}");

        var row = manager.GetByTestId("documents").Locator($"tr[data-document-id='{docs[0]}']");
        await row.GetByText("Rename or delete").ClickAsync();
        await row.GetByLabel("New title of ferry").FillAsync("Ferry fire off the coast");
        await row.GetByRole(AriaRole.Button, new() { Name = "Rename" }).ClickAsync();
        await Assertions.Expect(manager.GetByRole(AriaRole.Status).Filter(new() { HasText = "Renamed" })).ToContainTextAsync("Renamed to “Ferry fire off the coast”.");
        await Assertions.Expect(manager.GetByTestId("documents").GetByRole(AriaRole.Link, new() { Name = "Ferry fire off the coast" })).ToBeVisibleAsync();
        // The annotator's open editor shows the new title without a reload.
        await Assertions.Expect(editor.GetByRole(AriaRole.Heading, new() { Name = "Ferry fire off the coast" })).ToBeVisibleAsync();
        await Assertions.Expect(editor).ToHaveTitleAsync("Ferry fire off the coast - Annotate");

        // An empty title is refused with a message, and changes nothing.
        await row.GetByText("Rename or delete").ClickAsync();
        await row.GetByLabel("New title of Ferry fire off the coast").FillAsync("   ");
        await row.GetByRole(AriaRole.Button, new() { Name = "Rename" }).ClickAsync();
        await Assertions.Expect(manager.GetByRole(AriaRole.Alert)).ToContainTextAsync("needs a title");
        await Assertions.Expect(manager.GetByTestId("documents").GetByRole(AriaRole.Link, new() { Name = "Ferry fire off the coast" })).ToBeVisibleAsync();

        await row.GetByText("Rename or delete").ClickAsync();
        await row.GetByRole(AriaRole.Link, new() { Name = "Delete…" }).ClickAsync();
        await Assertions.Expect(manager.GetByTestId("delete-impact")).ToContainTextAsync("1 span(s) by 1 annotator(s)");
        // Not without the confirmation.
        await manager.GetByRole(AriaRole.Button, new() { Name = "Delete the article" }).ClickAsync();
        await Assertions.Expect(manager.GetByTestId("delete-impact")).ToBeVisibleAsync();
        await manager.GetByLabel("I understand: delete this article and everything on it.").CheckAsync();
        await manager.GetByRole(AriaRole.Button, new() { Name = "Delete the article" }).ClickAsync();
        await Assertions.Expect(manager.GetByRole(AriaRole.Status).Filter(new() { HasText = "Deleted" })).ToContainTextAsync("Deleted “Ferry fire off the coast” with its 1 span(s)");
        await Assertions.Expect(manager.GetByTestId("documents").Locator("tr[data-document-id]")).ToHaveCountAsync(1);
        await Assertions.Expect(manager.GetByTestId("documents-total")).ToContainTextAsync("1 document(s).");

        // The open editor is told and stops taking edits.
        await Assertions.Expect(editor.GetByTestId("document-gone")).ToContainTextAsync("This article was deleted");
        await Assertions.Expect(editor.Locator("#finish")).ToBeDisabledAsync();
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await ana.Http.GetAsync($"/api/documents/{docs[0]}")).StatusCode);
    }

    [Fact]
    public async Task The_compare_views_picker_finds_an_article_by_searching_the_server()
    {
        var lead = await browser.PersonAsync("lead");
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [],
            ("ferry.txt", "The ferry burned on Monday."), ("storm.txt", "A storm closed the port."), ("election.txt", "Turnout was 61 percent."));
        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/projects/{projectId}/compare?left={docs[0]}&right={docs[1]}");

        await page.GetByLabel("Right: storm").FillAsync("elect");
        var found = page.GetByTestId("pick-right-results").GetByRole(AriaRole.Link);
        await Assertions.Expect(found).ToHaveTextAsync(["election"]);
        await page.GetByLabel("Right: storm").FillAsync("nothing like this");
        await Assertions.Expect(page.GetByTestId("pick-right-results")).ToContainTextAsync("No other article matches.");
        await page.GetByLabel("Right: storm").FillAsync("elect");
        await found.First.ClickAsync();
        await page.WaitForURLAsync($"**/compare?left={docs[0]}&right={docs[2]}");
        await Assertions.Expect(page.GetByTestId("text-right")).ToContainTextAsync("Turnout was 61 percent.");
    }
}
