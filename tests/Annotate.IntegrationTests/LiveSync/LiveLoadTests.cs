using Annotate.Testing.Live;

namespace Annotate.IntegrationTests.LiveSync;

/// <summary>
/// The short form of the live load benchmark, through the same driver: many real SignalR clients over many documents,
/// every event received by every client of its document once and in order.
/// </summary>
public class LiveLoadTests
{
    /// <summary>200 clients over 20 documents for 10 s at 100 changes a second: a quarter of what one project sustains on a quiet 2-core machine (see README), so it holds beside the other tests running at once.</summary>
    [Fact]
    public async Task Two_hundred_clients_over_twenty_documents_each_receive_every_event_once_in_order()
    {
        await using var app = new LiveFactory();
        var lead = await app.PersonAsync("load");
        var (_, documents) = await LiveFactory.ProjectAsync(lead, "open", [], Enumerable.Range(0, 20).Select(i => new string('a', 2000) + i).ToArray());

        var result = await LiveLoad.RunAsync(LiveTarget.App(app.BaseUrl, lead.Token), new LoadPlan(documents, ReadersPerDocument: 10, Rate: 100, TimeSpan.FromSeconds(10)));

        Assert.True(result.Stored == result.Sent && result.ServerErrors == 0, result.ToString());
        Assert.Equal(result.Expected, result.Received);
        Assert.Equal(1000 * 10, result.Expected);
        Assert.Equal(0, result.Duplicates);
        Assert.Equal(0, result.Disordered);
        Assert.Equal(0, result.ClosedReaders);
    }
}
