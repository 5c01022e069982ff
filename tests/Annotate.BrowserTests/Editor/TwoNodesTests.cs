using Annotate.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Editor;

/// <summary>The fixture's app and a second node on the same database (it runs no jobs), each on its own port.</summary>
public sealed class TwoNodesFixture : BrowserFixture
{
    public AnnotateFactory SecondNode { get; } = new ConfiguredFactory([new("Jobs:Run", "false")]);
    public string SecondUrl { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        SecondNode.UseKestrel(0);
        SecondNode.StartServer();
        SecondUrl = SecondNode.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1");
    }

    public override async Task DisposeAsync()
    {
        await SecondNode.DisposeAsync();
        await base.DisposeAsync();
    }
}

public class TwoNodesTests(TwoNodesFixture nodes) : IClassFixture<TwoNodesFixture>
{
    private const string Text = "Ferry fire: all 212 passengers rescued\n\nThe Coast Guard said all 212 passengers were rescued unhurt on Tuesday.";

    [Fact]
    public async Task Two_people_on_two_nodes_see_each_other_and_each_others_spans_live()
    {
        var lead = await nodes.PersonAsync("lead");
        var ana = await nodes.PersonAsync("ana");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [(ana, "annotator")], ("gazette.txt", Text));

        var onFirst = await nodes.SignedInPageAsync(lead);
        var onSecond = await nodes.SignedInPageAsync(ana, nodes.SecondUrl);
        await onFirst.OpenLiveAsync($"/documents/{docs[0]}");
        await onSecond.OpenLiveAsync($"/documents/{docs[0]}");

        // Presence is shared: each page, served by its own node, names the person on the other.
        await Assertions.Expect(onFirst.Locator("#presence")).ToContainTextAsync(ana.Email.Split('@')[0]);
        await Assertions.Expect(onSecond.Locator("#presence")).ToContainTextAsync(lead.Email.Split('@')[0]);

        // A span made through the second node appears on the first node's page without a reload.
        await onSecond.SelectWithMouseAsync("#document-text", "all 212 passengers were rescued unhurt");
        // The page takes the selection just after the mouse is released: a key pressed before the palette shows has no
        // selection to label (on a busy machine that gap is long enough for a test's key to fall into it).
        await Assertions.Expect(onSecond.Locator("#palette")).ToBeVisibleAsync();
        await onSecond.Keyboard.PressAsync("c");
        await Assertions.Expect(onSecond.Span("all 212 passengers were rescued unhurt")).ToHaveCountAsync(1);
        await Assertions.Expect(onFirst.Span("all 212 passengers were rescued unhurt")).ToHaveCountAsync(1);

        // Ana closes her page: the lead's page stops naming her.
        await onSecond.Context.CloseAsync();
        await Assertions.Expect(onFirst.Locator("#presence")).Not.ToContainTextAsync(ana.Email.Split('@')[0]);
    }
}
