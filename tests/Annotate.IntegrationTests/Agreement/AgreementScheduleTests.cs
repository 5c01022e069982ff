using System.Diagnostics;
using Annotate.Web.Features.Agreement;
using Annotate.Web.Features.Jobs;
using Hangfire;
using Hangfire.Storage;

namespace Annotate.IntegrationTests.Agreement;

public class AgreementScheduleFactory : AnnotateFactory
{
    public const int DebounceSeconds = 5;
    public const int DebounceMaxSeconds = 8;
    public const string NightlyCron = "45 2 * * *";
    public const string NightlyTimeZone = "Europe/Berlin";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Agreement:DebounceSeconds", DebounceSeconds.ToString()), new("Agreement:DebounceMaxSeconds", DebounceMaxSeconds.ToString()),
        new("Agreement:NightlyCron", NightlyCron), new("Agreement:NightlyTimeZone", NightlyTimeZone),
    ];
}

/// <summary>
/// The nightly run reports on every project of the database that changed, and every app of this test process shares
/// one Hangfire storage (one database): these tests run alone, after the parallel ones, so that no other app's tests see
/// nightly reports appear in their projects and no other app overwrites the nightly recurring job.
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
    private async Task<(SignedInClient Lead, SignedInClient A, SignedInClient B, long ProjectId, long[] Docs)> ProjectAsync(int documents)
    {
        var lead = await factory.SignUpAsync("lead");
        var a = await factory.SignUpAsync("a");
        var b = await factory.SignUpAsync("b");
        var projectId = await lead.ProjectAsync("Schedule " + Guid.NewGuid());
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

    /// <summary>Polls the project's reports until <paramref name="enough"/> holds, or fails at the deadline.</summary>
    private async Task<List<AgreementReport>> WaitForReportsAsync(long projectId, Func<List<AgreementReport>, bool> enough, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var reports = await ReportsAsync(projectId);
            if (enough(reports)) return reports;
            Assert.True(DateTime.UtcNow < deadline, $"The expected reports did not come; there are {reports.Count}.");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Five_documents_finished_within_the_debounce_window_make_one_report()
    {
        var (lead, a, b, projectId, docs) = await ProjectAsync(3);
        var debounce = TimeSpan.FromSeconds(AgreementScheduleFactory.DebounceSeconds);
        // Five "finished" events (a finishes all three, b the first two); each one moves the pending run to a debounce after itself.
        var finishing = Stopwatch.StartNew();
        foreach (var (who, doc) in new[] { (a, docs[0]), (b, docs[0]), (a, docs[1]), (b, docs[1]), (a, docs[2]) })
            (await who.Http.PutAsJsonAsync($"/api/documents/{doc}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        finishing.Stop();
        Assert.True(finishing.Elapsed < debounce, $"Finishing took {finishing.Elapsed}, longer than the {debounce} window this test is about.");

        await WaitForReportsAsync(projectId, reports => reports.Any(r => r.Status == JobStatus.Succeeded));
        var report = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/agreement");
        Assert.Equal("finished", report.GetProperty("reason").GetString());
        // It ran after the last finish: it covers both documents that two annotators finished.
        Assert.Equal(2, report.GetProperty("result").GetProperty("documents").GetInt32());

        // A second debounced run, had one been scheduled, would have come by now (the scheduler polls every second).
        await Task.Delay(debounce + TimeSpan.FromSeconds(3));
        Assert.Single(await ReportsAsync(projectId));
        using var scope = factory.Services.CreateScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<AppDbContext>().PendingAgreementRuns.AnyAsync(r => r.ProjectId == projectId));
    }

    [Fact]
    public async Task Finishes_that_keep_coming_still_get_a_report_within_the_maximum_wait()
    {
        var (_, a, b, projectId, docs) = await ProjectAsync(3);
        // A finish every two seconds, each within the debounce of the one before, for longer than the maximum wait.
        var first = DateTimeOffset.UtcNow;
        var finishes = new[] { (a, docs[0]), (b, docs[0]), (a, docs[1]), (b, docs[1]), (a, docs[2]), (b, docs[2]), (a, docs[0]) };
        DateTimeOffset? reportSeen = null;
        foreach (var (who, doc) in finishes)
        {
            (await who.Http.PutAsJsonAsync($"/api/documents/{doc}/status", new { status = "finished" })).EnsureSuccessStatusCode();
            if (reportSeen is null && (await ReportsAsync(projectId)).Count > 0) reportSeen = DateTimeOffset.UtcNow;
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        var lastFinish = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(2);
        Assert.True(lastFinish - first > TimeSpan.FromSeconds(AgreementScheduleFactory.DebounceMaxSeconds + 2), "The finishes did not outlast the maximum wait.");
        var reports = await WaitForReportsAsync(projectId, r => r.Count > 0);
        var earliest = reports.Min(r => r.CreatedAt);
        // Without the maximum wait, the one report would come a debounce after the last finish.
        Assert.True(earliest < lastFinish, $"The first report came at {earliest:O}, after the last finish at {lastFinish:O}.");
        Assert.True(earliest - first < TimeSpan.FromSeconds(AgreementScheduleFactory.DebounceMaxSeconds + 5),
            $"The first report came {earliest - first} after the first finish; the maximum wait is {AgreementScheduleFactory.DebounceMaxSeconds} s.");
        Assert.NotNull(reportSeen);
    }

    [Fact]
    public async Task The_nightly_job_runs_on_the_configured_cron_and_reports_on_projects_that_changed_since_their_last_report()
    {
        var storage = factory.Services.GetRequiredService<JobStorage>();
        using (var connection = storage.GetConnection())
        {
            var nightlyJob = Assert.Single(connection.GetRecurringJobs(), j => j.Id == NightlyAgreementJob.RecurringJobId);
            Assert.Equal(AgreementScheduleFactory.NightlyCron, nightlyJob.Cron);
            Assert.Equal(AgreementScheduleFactory.NightlyTimeZone, nightlyJob.TimeZoneId);
            Assert.Equal(typeof(NightlyAgreementJob), nightlyJob.Job.Type);
        }

        // Never reported: changed. Reported after its last change: unchanged. Changed after its report: changed.
        var (_, _, _, never, _) = await ProjectAsync(1);
        var (currentLead, _, _, current, _) = await ProjectAsync(1);
        (await currentLead.Http.PostAsJsonAsync($"/api/projects/{current}/agreement", new { scope = "all" })).EnsureSuccessStatusCode();
        var (staleLead, staleA, _, stale, staleDocs) = await ProjectAsync(1);
        (await staleLead.Http.PostAsJsonAsync($"/api/projects/{stale}/agreement", new { scope = "all" })).EnsureSuccessStatusCode();
        (await staleA.Http.PostAsJsonAsync($"/api/documents/{staleDocs[0]}/annotations", new { layer = "entity", label = "PERSON", start = 0, end = 7 })).EnsureSuccessStatusCode();

        // Fire the nightly job now, through Hangfire as the cron would, and wait (polling) until it has reported on the last
        // of these projects: it goes through the changed projects in id order.
        factory.Services.GetRequiredService<IRecurringJobManager>().Trigger(NightlyAgreementJob.RecurringJobId);
        await WaitForReportsAsync(stale, reports => reports.Any(r => r.Reason == JobReason.Nightly), seconds: 60);
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
}
