using Annotate.IntegrationTests.LiveSync;
using Microsoft.AspNetCore.SignalR.Client;

namespace Annotate.IntegrationTests.Agreement;

/// <summary>A report's progress reaches the managers watching the project over the hub, with a real SignalR client.</summary>
public class AgreementProgressTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    [Fact]
    public async Task A_manager_watching_the_project_hears_the_report_run_and_finish()
    {
        var lead = await factory.PersonAsync("lead");
        var ana = await factory.PersonAsync("ana");
        var ben = await factory.PersonAsync("ben");
        var (projectId, docs) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator")],
            "Ana met Ben in Rome.", "Ben left Rome for Paris.");
        foreach (var doc in docs)
            foreach (var (who, end) in new[] { (ana, 3), (ben, 2) })
                (await who.Http.PostAsJsonAsync($"/api/documents/{doc}/annotations", new { layer = "entity", label = "PERSON", start = 0, end })).EnsureSuccessStatusCode();

        await using var manager = await factory.LiveAsync(lead);
        await manager.Hub.InvokeAsync("WatchJobs", projectId);
        var started = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/agreement", new { scope = "all" });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var reportId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        bool Ours(JsonElement p) => p.GetProperty("kind").GetString() == "agreement" && p.GetProperty("id").GetInt64() == reportId;
        await manager.WaitUntilAsync(c => c.JobProgress.Any(p => Ours(p) && p.GetProperty("status").GetString() == "succeeded"), 60_000);
        var heard = manager.JobProgress.Where(Ours).ToList();
        // First the run with its size, then the end: both documents done.
        var running = heard.First();
        Assert.Equal("running", running.GetProperty("status").GetString());
        Assert.Equal(2, running.GetProperty("total").GetInt32());
        var last = heard.Last();
        Assert.Equal("succeeded", last.GetProperty("status").GetString());
        Assert.Equal(2, last.GetProperty("done").GetInt32());
        Assert.Equal(2, last.GetProperty("total").GetInt32());
        var report = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/agreement-reports/{reportId}");
        Assert.Equal(2, report.GetProperty("result").GetProperty("documents").GetInt32());
    }
}
