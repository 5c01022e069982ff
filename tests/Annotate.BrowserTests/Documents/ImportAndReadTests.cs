using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Annotate.BrowserTests.Editor;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Documents;

public class ImportAndReadTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_newcomer_signs_up_creates_a_project_uploads_an_article_and_reads_it()
    {
        var page = await browser.NewPageAsync();
        var email = AnnotateFactory.NewEmail("newcomer");

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign up" }).First.ClickAsync();
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password (8 characters or more)").FillAsync(AnnotateFactory.Password);
        await page.GetByLabel("Password again").FillAsync(AnnotateFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();
        // Signing up leads to the sign-in page (the same answer whether or not the email already had an account).
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("sign in with it");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(AnnotateFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync(email);

        await page.GetByLabel("Name").FillAsync("Aleppo coverage");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Aleppo coverage" })).ToBeVisibleAsync();

        // Article 002 carries flag emoji: the text must come back exactly.
        var path = Corpus.PathOf("002");
        await page.GetByLabel(new Regex("^Files")).SetInputFilesAsync(path);
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Imported 1 article(s).");

        await page.GetByTestId("documents").GetByRole(AriaRole.Link).First.ClickAsync();
        // The page's script draws the text from the page data (where it is sent once).
        await Assertions.Expect(page.GetByTestId("document-text").Locator(".text-block").First).ToBeAttachedAsync();
        var shown = await page.GetByTestId("document-text").TextContentAsync();
        Assert.Equal(await File.ReadAllTextAsync(path), shown);
        // Line breaks are kept on screen, not only in the DOM.
        var whiteSpace = await page.GetByTestId("document-text").EvaluateAsync<string>("e => getComputedStyle(e).whiteSpace");
        Assert.Equal("pre-wrap", whiteSpace);
    }

    [Fact]
    public async Task Sign_in_with_a_wrong_password_says_so()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync("nobody@test.example");
        await page.GetByLabel("Password").FillAsync("wrong password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Email or password is wrong.");
    }

    [Fact]
    public async Task On_a_phone_the_pages_fit_the_screen_and_the_article_reads_without_sideways_scrolling()
    {
        var page = await browser.NewPageAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true, DeviceScaleFactor = 3,
        });
        async Task FitsAsync(string where)
        {
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"{where} is {overflow}px wider than a phone screen");
        }
        await page.GotoAsync("/account/register");
        await FitsAsync("the sign-up page");
        var email = AnnotateFactory.NewEmail("phone");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password (8 characters or more)").FillAsync(AnnotateFactory.Password);
        await page.GetByLabel("Password again").FillAsync(AnnotateFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).TapAsync();
        await page.WaitForURLAsync("**/account/login");
        await FitsAsync("the sign-in page");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(AnnotateFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).TapAsync();
        await page.WaitForURLAsync("**/projects");
        await FitsAsync("the projects list");

        await page.GetByLabel("Name").FillAsync("Phone project");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).TapAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Phone project" })).ToBeVisibleAsync();
        await FitsAsync("the project page");
        await page.GetByLabel(new Regex("^Files")).SetInputFilesAsync(Corpus.PathOf("002"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).TapAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Imported 1 article(s).");

        await page.GetByTestId("documents").GetByRole(AriaRole.Link).First.TapAsync();
        var text = page.GetByTestId("document-text");
        await Assertions.Expect(text).ToBeVisibleAsync();
        await FitsAsync("the document page");
        var box = await text.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.X >= 0 && box.X + box.Width <= 390 + 1, $"the article spans {box.X}..{box.X + box.Width}px of a 390px screen");
    }

    [Fact]
    public async Task Every_page_a_lead_uses_passes_an_axe_scan_without_serious_or_critical_violations()
    {
        var http = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        var lead = await AnnotateFactory.SignUpAsync(http, "lead");
        var project = await (await http.PostAsJsonAsync("/api/projects", new { name = "Accessible", description = "Scanned by axe." }))
            .Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var projectId = project.GetProperty("id").GetInt64();
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes("First article.\n\nIt says one thing.")), "files", "one.txt" },
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes("Second article.\n\nIt says another.")), "files", "two.txt" },
        };
        (await http.PostAsync($"/api/projects/{projectId}/documents", form)).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync($"/api/projects/{projectId}/exports", new { format = "annotate-jsonl" })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync($"/api/projects/{projectId}/agreement", new { })).EnsureSuccessStatusCode();

        var signedOut = await browser.NewPageAsync();
        var problems = new List<string>();
        foreach (var path in new[] { "/account/login", "/account/register" }) problems.AddRange(await ScanAsync(signedOut, path));

        var page = await browser.SignedInPageAsync(lead);
        foreach (var path in new[]
        {
            "/projects", $"/projects/{projectId}", $"/projects/{projectId}?tab=guidelines", $"/projects/{projectId}?tab=members",
            $"/projects/{projectId}?tab=labels", $"/projects/{projectId}?tab=settings", $"/projects/{projectId}/exports",
            $"/projects/{projectId}/agreement", "/jobs", $"/projects/{projectId}/compare",
        })
            problems.AddRange(await ScanAsync(page, path));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The serious and critical axe-core findings on a page, each naming the page.</summary>
    private static async Task<IEnumerable<string>> ScanAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        return (await page.AxeProblemsAsync()).Select(f => $"{path}: {f}");
    }
}
