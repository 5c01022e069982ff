using System.Net.Http.Json;
using System.Text.Json;
using Annotate.BrowserTests.Editor;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Documents;

/// <summary>What a new team meets in its first hour, pressed as a person presses it.</summary>
public class FirstHourTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_layouts_own_sign_out_button_signs_out()
    {
        var person = await browser.PersonAsync("reader");
        var page = await browser.SignedInPageAsync(person);
        await page.GotoAsync("/projects");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));
        await page.GotoAsync("/projects");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Sign_up_says_in_words_what_a_password_needs()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/account/register");
        await page.GetByLabel("Email").FillAsync(AnnotateFactory.NewEmail("short"));
        // The browser's own length check would stop a short password before the server sees it; a person on an
        // old browser (or a script) meets the server's message.
        await page.EvaluateAsync("() => document.querySelectorAll('input').forEach(i => i.removeAttribute('minlength'))");
        await page.GetByLabel("Password (8 characters or more)").FillAsync("short");
        await page.GetByLabel("Password again").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();

        var alert = page.GetByRole(AriaRole.Alert);
        await Assertions.Expect(alert).ToContainTextAsync("A password needs at least 8 characters");
        await Assertions.Expect(alert).Not.ToContainTextAsync("string or array type");
    }

    [Fact]
    public async Task Exports_name_the_annotator_keep_a_refused_form_and_disable_what_would_be_refused()
    {
        var lead = await browser.PersonAsync("lead");
        var ana = await browser.PersonAsync("ana");
        var (projectId, documents) = await EditorSession.ProjectAsync(lead, "open", [(ana, "annotator")], ("a.txt", "Officials said 212 were rescued on Tuesday."));
        await Span(lead, documents[0], 0, 9);
        var anaName = $"{ana.Email.Split('@')[0]} ({ana.Email}) only"; // a new account is named after its email

        var page = await browser.SignedInPageAsync(lead);
        await page.GotoAsync($"/projects/{projectId}/exports");
        // One annotator has spans: CoNLL may merge "every annotator".
        await page.Locator("#format").SelectOptionAsync("conll");
        await Assertions.Expect(page.Locator("#scope option[value='all']")).ToBeEnabledAsync();

        // A second annotator adds spans while the page is open: the export is refused, and the form comes back as filled.
        await Span(ana, documents[0], 15, 18);
        await page.Locator("#scope").SelectOptionAsync("all");
        await page.Locator("#offsets").SelectOptionAsync("utf16");
        await page.GetByLabel("gzip").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Export", Exact = true }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("2 annotators have spans");
        await Assertions.Expect(page.Locator("#format")).ToHaveValueAsync("conll");
        await Assertions.Expect(page.Locator("#offsets")).ToHaveValueAsync("utf16");
        await Assertions.Expect(page.GetByLabel("gzip")).ToBeCheckedAsync();
        // Now the page knows: "every annotator" is disabled for CoNLL, with the reason, and offered again for JSONL.
        await Assertions.Expect(page.Locator("#scope option[value='all']")).ToBeDisabledAsync();
        await Assertions.Expect(page.GetByTestId("scope-reason")).ToContainTextAsync("conll holds one annotation per article, and 2 annotators have spans");
        await page.Locator("#format").SelectOptionAsync("annotate-jsonl");
        await Assertions.Expect(page.Locator("#scope option[value='all']")).ToBeEnabledAsync();
        await Assertions.Expect(page.GetByTestId("scope-reason")).ToHaveTextAsync("");

        // An export of one annotator's spans names them by name and email, here and on the Jobs page.
        await page.Locator("#format").SelectOptionAsync("conll");
        await page.Locator("#scope").SelectOptionAsync($"annotator:{ana.Email}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Export", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("export-scope").First).ToHaveTextAsync(anaName);
        await Assertions.Expect(page.GetByTestId("exports")).Not.ToContainTextAsync("annotator:");
        // The page reloads itself when a running export ends: leave it only once the export has, or the reload races the move.
        await Assertions.Expect(page.GetByTestId("exports").Locator("tbody tr").First).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 60_000 });
        await page.GotoAsync("/jobs");
        await Assertions.Expect(page.GetByTestId("job-reason").First).ToContainTextAsync($"conll of {anaName}");
    }

    private static async Task Span(SignedInClient person, long documentId, int start, int end) =>
        (await person.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", new { layer = "entity", label = "QUANTITY", start, end }))
            .EnsureSuccessStatusCode();
}
