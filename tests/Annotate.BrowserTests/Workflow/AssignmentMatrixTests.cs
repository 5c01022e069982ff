using System.Net.Http.Json;
using System.Text.Json;
using Annotate.BrowserTests.Editor;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Workflow;

public class AssignmentMatrixTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static async Task<string> UserIdAsync(SignedInClient lead, long projectId, string email) =>
        (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/members")).EnumerateArray()
            .First(m => m.GetProperty("email").GetString() == email).GetProperty("userId").GetString()!;

    [Fact]
    public async Task A_lead_assigns_in_bulk_on_the_matrix_and_the_annotator_works_through_their_queue()
    {
        var lead = await browser.PersonAsync("lead");
        var ana = await browser.PersonAsync("ana");
        var ben = await browser.PersonAsync("ben");
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator")],
            ("first.txt", "Rebels entered Aleppo on Wednesday."), ("second.txt", "The company said 190 were rescued."), ("third.txt", "Officials said 212 were rescued."));
        (await lead.Http.PatchAsync($"/api/projects/{projectId}", JsonContent.Create(new { assignment = "assigned", finishedLocks = true }))).EnsureSuccessStatusCode();
        var anaId = await UserIdAsync(lead, projectId, ana.Email);
        var benId = await UserIdAsync(lead, projectId, ben.Email);

        var page = await browser.SignedInPageAsync(lead);
        await page.GotoAsync($"/projects/{projectId}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Assignments" }).ClickAsync();
        var matrix = page.GetByTestId("matrix");
        // Rows 1 and 2, column Ana: assign.
        await page.Locator($"#document-{docs[0]}").CheckAsync();
        await page.Locator($"#document-{docs[1]}").CheckAsync();
        await page.Locator($"#person-{anaId}").CheckAsync();
        await page.GetByTestId("assign").ClickAsync();
        await Assertions.Expect(page.GetByText("Assigned: 2 change(s)")).ToBeVisibleAsync();
        await Assertions.Expect(Cell(matrix, docs[0], anaId)).ToHaveAttributeAsync("data-assigned", "true");
        await Assertions.Expect(Cell(matrix, docs[1], anaId)).ToHaveAttributeAsync("data-assigned", "true");
        await Assertions.Expect(Cell(matrix, docs[2], anaId)).ToHaveAttributeAsync("data-assigned", "false");
        await Assertions.Expect(Cell(matrix, docs[0], benId)).ToHaveAttributeAsync("data-assigned", "false");
        // Row 2, both columns: unassign; then spread each document to 1 annotator evenly.
        await page.Locator($"#document-{docs[1]}").CheckAsync();
        await page.Locator($"#person-{anaId}").CheckAsync();
        await page.Locator($"#person-{benId}").CheckAsync();
        await page.GetByTestId("unassign").ClickAsync();
        await Assertions.Expect(Cell(matrix, docs[1], anaId)).ToHaveAttributeAsync("data-assigned", "false");
        await page.Locator("#spread-n").FillAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "annotators, spread evenly" }).ClickAsync();
        await Assertions.Expect(page.GetByText("2 assignment(s) added")).ToBeVisibleAsync();
        await Assertions.Expect(Cell(matrix, docs[1], benId)).ToHaveAttributeAsync("data-assigned", "true");
        await Assertions.Expect(Cell(matrix, docs[2], anaId)).ToHaveAttributeAsync("data-assigned", "true");

        // Ana's queue: her two documents, new; Next document opens the first, Alt+N the next.
        var anaPage = await browser.SignedInPageAsync(ana);
        await anaPage.GotoAsync($"/projects/{projectId}/my-work");
        await Assertions.Expect(anaPage.GetByTestId("my-work").Locator("tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(anaPage.GetByTestId("counts")).ToContainTextAsync("2 new");
        await anaPage.GetByTestId("next-document").ClickAsync();
        await anaPage.WaitForURLAsync($"**/documents/{docs[0]}");
        await Assertions.Expect(anaPage.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        // Finished, in a project that locks finished work: read-only, said so, until Reopen.
        await anaPage.Locator("#finish").ClickAsync();
        await Assertions.Expect(anaPage.GetByTestId("read-only")).ToBeVisibleAsync();
        await Assertions.Expect(anaPage.Locator("#document-text")).ToHaveAttributeAsync("data-read-only", "true");
        await anaPage.Locator("#document-text").FocusAsync();
        await anaPage.Keyboard.PressAsync("Alt+n");
        await anaPage.WaitForURLAsync($"**/documents/{docs[2]}");
        await anaPage.GotoAsync($"/projects/{projectId}/my-work");
        await Assertions.Expect(anaPage.GetByTestId("counts")).ToContainTextAsync("1 finished");

        // The lead sees it finished in the matrix and reopens it for her. The page reloads itself on her state change
        // (work-live.js): a reload of ours that crosses that one is aborted, and not needed then.
        try { await page.ReloadAsync(); }
        catch (PlaywrightException crossed) when (crossed.Message.Contains("ERR_ABORTED")) { await page.WaitForLoadStateAsync(); }
        await Assertions.Expect(Cell(matrix, docs[0], anaId)).ToContainTextAsync("finished");
        await Cell(matrix, docs[0], anaId).GetByRole(AriaRole.Button, new() { Name = "Reopen" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Reopened")).ToBeVisibleAsync();
        await Assertions.Expect(Cell(matrix, docs[0], anaId)).ToContainTextAsync("in progress");
    }

    private static ILocator Cell(ILocator matrix, long documentId, string userId) =>
        matrix.Locator($"td[data-document='{documentId}'][data-user='{userId}']");
}
