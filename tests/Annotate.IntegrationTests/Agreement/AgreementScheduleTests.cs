using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.Testing;
using Annotate.Web.Data;
using Annotate.Web.Features.Agreement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Annotate.IntegrationTests.Agreement;

public class AgreementScheduleFactory : AnnotateFactory
{
    public const int DebounceSeconds = 5;
    public const string NightlyCron = "0 45 2 * * ?";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Agreement:DebounceSeconds", DebounceSeconds.ToString()), new("Agreement:NightlyCron", NightlyCron)];
}

/// <summary>
/// The nightly run reports on every project of the database that changed, and every app of this test process shares
/// one Quartz cluster (one database): these tests run alone, after the parallel ones, so that no other app's tests see
/// nightly reports appear in their projects and no other app overwrites the nightly trigger or fires the jobs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class AgreementScheduleCollection
{
    public const string Name = "Agreement schedule (alone)";
}

/// <summary>When reports are made without anyone asking: a while after documents are finished, and every night.</summary>
[Collection(AgreementScheduleCollection.Name)]
public class AgreementScheduleTests(AgreementScheduleFactory factory) : IClassFixture<AgreementScheduleFactory>
{
    private static readonly JobKey Nightly = new("nightly-agreement", "agreement");

    private async Task<(SignedInClient Lead, SignedInClient A, SignedInClient B, long ProjectId, long[] Docs)> ProjectAsync(int documents)
    {
        var lead = await factory.SignUpAsync("lead");
        var a = await factory.SignUpAsync("a");
        var b = await factory.SignUpAsync("b");
        var project = await (await lead.Http.PostAsJsonAsync("/api/projects", new { name = "Schedule " + Guid.NewGuid() })).Content.ReadFromJsonAsync<JsonElement>();
        var projectId = project.GetProperty("id").GetInt64();
        foreach (var who in new[] { a, b })
            (await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = who.Email, role = "annotator" })).EnsureSuccessStatusCode();
        var form = new MultipartFormDataContent();
        for (var i = 0; i < documents; i++) form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes($"Article {i}: troops reached Aleppo.")), "files", $"doc{i}.txt");
        var docs = (await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("created").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()).ToArray();
        // Both mark "Aleppo" [26, 32) on every article.
        foreach (var doc in docs)
            foreach (var who in new[] { a, b })
                (await who.Http.PostAsJsonAsync($"/api/documents/{doc}/annotations", new { layer = "entity", label = "LOCATION", start = 26, end = 32 })).EnsureSuccessStatusCode();
        return (lead, a, b, projectId, docs);
    }

    private async Task<List<AgreementReport>> ReportsAsync(params long[] projectIds)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return await db.AgreementReports.AsNoTracking().Where(r => projectIds.Contains(r.ProjectId)).ToListAsync();
    }

    [Fact]
    public async Task Documents_finished_within_the_debounce_window_make_one_report()
    {
        var (lead, a, b, projectId, docs) = await ProjectAsync(3);
        var debounce = TimeSpan.FromSeconds(AgreementScheduleFactory.DebounceSeconds);
        // Six "finished" events; each one moves the pending run to debounce after itself.
        var finishing = Stopwatch.StartNew();
        foreach (var doc in docs)
            foreach (var who in new[] { a, b })
                (await who.Http.PutAsJsonAsync($"/api/documents/{doc}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        finishing.Stop();
        Assert.True(finishing.Elapsed < debounce, $"Finishing took {finishing.Elapsed}, longer than the {debounce} window this test is about.");

        JsonElement? report = null;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (report is null && DateTime.UtcNow < deadline)
        {
            var response = await lead.Http.GetAsync($"/api/projects/{projectId}/agreement");
            if (response.StatusCode == HttpStatusCode.OK) report = await response.Content.ReadFromJsonAsync<JsonElement>();
            else await Task.Delay(250);
        }
        Assert.True(report is not null, "No report was made after the documents were finished.");
        Assert.Equal("finished", report.Value.GetProperty("reason").GetString());
        // It ran after the last finish: it covers all three documents.
        Assert.Equal(3, report.Value.GetProperty("result").GetProperty("documents").GetInt32());

        // A second debounced run, had one been scheduled, would have come by now.
        await Task.Delay(debounce + TimeSpan.FromSeconds(3));
        var reports = await ReportsAsync(projectId);
        Assert.Single(reports);
    }

    [Fact]
    public async Task The_nightly_trigger_runs_on_the_configured_cron_and_reports_on_projects_that_changed_since_their_last_report()
    {
        var scheduler = await factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var trigger = await scheduler.GetTrigger(new TriggerKey("nightly-agreement", "agreement"));
        var cron = Assert.IsAssignableFrom<ICronTrigger>(trigger);
        Assert.Equal(AgreementScheduleFactory.NightlyCron, cron.CronExpressionString);
        Assert.Equal(Nightly, cron.JobKey);
        Assert.NotNull(await scheduler.GetJobDetail(Nightly));

        // Never reported: changed. Reported after its last change: unchanged. Changed after its report: changed.
        var (_, _, _, never, _) = await ProjectAsync(1);
        var (currentLead, _, _, current, _) = await ProjectAsync(1);
        (await currentLead.Http.PostAsJsonAsync($"/api/projects/{current}/agreement", new { scope = "all" })).EnsureSuccessStatusCode();
        var (staleLead, staleA, _, stale, staleDocs) = await ProjectAsync(1);
        (await staleLead.Http.PostAsJsonAsync($"/api/projects/{stale}/agreement", new { scope = "all" })).EnsureSuccessStatusCode();
        (await staleA.Http.PostAsJsonAsync($"/api/documents/{staleDocs[0]}/annotations", new { layer = "entity", label = "PERSON", start = 0, end = 7 })).EnsureSuccessStatusCode();

        // Fire the nightly job now, through Quartz as the cron would, and wait until it has run.
        var ran = new NightlyRan();
        scheduler.ListenerManager.AddJobListener(ran, [Matchers.Key(Nightly)]);
        try
        {
            await scheduler.TriggerJob(Nightly);
            var failure = await ran.Done.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Null(failure);
        }
        finally { scheduler.ListenerManager.RemoveJobListener(ran.Name); }
        // The nightly run queued a report for every changed project of the shared database: let only this test's run,
        // so the other tests are not slowed by hundreds of reports (a queued report that is cancelled is skipped).
        using (var scope = factory.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<AppDbContext>().AgreementReports
                .Where(r => r.Reason == JobReason.Nightly && r.Status == JobStatus.Queued && r.ProjectId != never && r.ProjectId != current && r.ProjectId != stale)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, JobStatus.Cancelled));

        var nightly = (await ReportsAsync(never, current, stale)).Where(r => r.Reason == JobReason.Nightly).ToList();
        Assert.Equal(AgreementScope.Finished, Assert.Single(nightly, r => r.ProjectId == never).Scope);
        Assert.Single(nightly, r => r.ProjectId == stale);
        Assert.DoesNotContain(nightly, r => r.ProjectId == current);
    }

    /// <summary>Tells when the nightly job has run on this app, and with which failure if any.</summary>
    private sealed class NightlyRan : IJobListener
    {
        public TaskCompletionSource<JobExecutionException?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string Name => "agreement-schedule-tests";

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            Done.TrySetResult(jobException);
            return ValueTask.CompletedTask;
        }
    }
}
