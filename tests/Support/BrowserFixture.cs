#if BROWSER_TESTS
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit;

namespace Annotate.Testing;

/// <summary>
/// The app on a real Kestrel port and Debian's Chromium driven by Playwright. One app and one browser per test
/// class; each test opens its own contexts (a context is one person's browser profile).
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    public AnnotateFactory App { get; }

    public BrowserFixture() : this(new AnnotateFactory()) { }

    /// <param name="app">The app host to drive (e.g. one with settings of its own).</param>
    protected BrowserFixture(AnnotateFactory app) => App = app;

    public string BaseUrl { get; private set; } = "";
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        App.UseKestrel(0);
        App.StartServer();
        BaseUrl = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1");
        Assertions.SetDefaultExpectTimeout(15_000);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("ANNOTATE_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            // The machine has no outside network: background connections only fail and slow startup.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
    }

    /// <param name="device">Screen and input of the device to emulate (a laptop-sized window by default).</param>
    /// <param name="baseUrl">Another app node's address (the fixture's own app by default).</param>
    public async Task<IPage> NewPageAsync(BrowserNewContextOptions? device = null, string? baseUrl = null)
    {
        var options = device ?? new BrowserNewContextOptions();
        options.BaseURL = baseUrl ?? BaseUrl;
        var context = await Browser.NewContextAsync(options);
        // Generous limits: CI has two cores shared by the app, PostgreSQL and Chromium.
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(45_000);
        return await context.NewPageAsync();
    }

    /// <summary>A browser profile signed in as <paramref name="person"/> through the sign-in page (of another node, given its address).</summary>
    public async Task<IPage> SignedInPageAsync(SignedInClient person, string? baseUrl = null)
    {
        var page = await NewPageAsync(baseUrl: baseUrl);
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(person.Email);
        await page.GetByLabel("Password").FillAsync(AnnotateFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // Signed in once the page says so; waiting for the URL's load event as well only adds a way to time out.
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync(person.Email);
        return page;
    }

    public virtual async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await App.DisposeAsync();
    }
}
#endif
