using Annotate.Web.Features.Agreement;
using Annotate.Web.Features.Exports;
using Annotate.Web.Features.Jobs;
using Hangfire;
using Hangfire.States;

namespace Annotate.IntegrationTests.Jobs;

/// <summary>
/// Work that waits with no Hangfire job behind it (the node stopped between the commit and the enqueue, or an upgrade
/// from the Quartz.NET versions left it) is queued by the sweep: once, as a whole file. What Hangfire holds (a crashed
/// or stopped node's job) is Hangfire's to re-run; see JobFaultTests.
/// </summary>
public class OrphanedWorkTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    private async Task<(SignedInClient Lead, long ProjectId)> ProjectAsync()
    {
        var lead = await factory.SignUpAsync("lead");
        var projectId = await lead.ProjectAsync("Orphans " + Guid.NewGuid());
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes("The ferry burned off Kestrel Bay on Monday. " + Guid.NewGuid())), "files", "a.txt" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("All 212 passengers were rescued, officials said. " + Guid.NewGuid())), "files", "b.txt" },
        };
        (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).EnsureSuccessStatusCode();
        return (lead, projectId);
    }

    [Fact]
    public async Task An_export_left_running_by_a_stopped_app_is_rerun_into_one_complete_file()
    {
        var (lead, projectId) = await ProjectAsync();
        long exportId;
        string temporary;
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var storage = scope.ServiceProvider.GetRequiredService<ExportStorage>();
            // What an app of the Quartz versions left: a row it had started ten minutes ago, no Hangfire job, half a temporary file.
            // (Saved as started now, so no sweep takes it before the half file is written; then dated back.)
            var export = await ExportScheduler.ValidateAsync(db, projectId, new NewExport("annotate-jsonl", "all", false, null, false), null, TimeSpan.FromDays(1));
            export.Status = JobStatus.Running;
            export.StartedAt = DateTimeOffset.UtcNow;
            db.Exports.Add(export);
            await db.SaveChangesAsync();
            exportId = export.Id;
            temporary = storage.TemporaryPath(exportId);
            await File.WriteAllTextAsync(temporary, "{\"meta\": {\"format\": \"annotate-jsonl\"}}\n{\"text\": \"half an art");
            await db.Exports.Where(e => e.Id == exportId).ExecuteUpdateAsync(u => u.SetProperty(e => e.StartedAt, DateTimeOffset.UtcNow.AddMinutes(-10)));

            // What the next app does at its start and every minute (the periodic sweep may come first: either resumes it,
            // and the claim makes sure only one does).
            var sweeps = await Task.WhenAll(Enumerable.Range(0, 3).Select(async _ =>
            {
                using var sweepScope = factory.Services.CreateScope();
                return await sweepScope.ServiceProvider.GetRequiredService<OrphanedWork>().ResumeAsync(TimeSpan.FromMinutes(1));
            }));
            Assert.True(sweeps.Sum(s => s.Exports) <= 1, "Several sweeps at once queued the export more than once.");
        }

        var finished = await WaitAsync(() => lead.Http.GetFromJsonAsync<JsonElement>($"/api/exports/{exportId}"));
        Assert.Equal("succeeded", finished.GetProperty("status").GetString());
        Assert.Equal(2, finished.GetProperty("done").GetInt32());
        var lines = Encoding.UTF8.GetString(await lead.Http.GetByteArrayAsync($"/api/exports/{exportId}/file"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, lines.Count); // the meta line and both articles, each whole
        var texts = lines.Skip(1).Select(l => l.GetProperty("text").GetString()!).Order().ToList();
        Assert.StartsWith("All 212 passengers", texts[0]);
        Assert.StartsWith("The ferry burned", texts[1]);
        Assert.False(File.Exists(temporary));
        Assert.Single(Directory.GetFiles(AnnotateFactory.ExportsFolder, $"export-{projectId}-{exportId}-*"));
        Assert.Equal(1, finished.GetProperty("attempts").GetInt32());

        // A second sweep leaves the finished export alone: it is not run twice.
        using var again = factory.Services.CreateScope();
        await again.ServiceProvider.GetRequiredService<OrphanedWork>().ResumeAsync(TimeSpan.FromMinutes(1));
        var db2 = again.ServiceProvider.GetRequiredService<AppDbContext>();
        Assert.Equal(JobStatus.Succeeded, (await db2.Exports.AsNoTracking().SingleAsync(e => e.Id == exportId)).Status);
        await Task.Delay(500);
        Assert.Single(Directory.GetFiles(AnnotateFactory.ExportsFolder, $"export-{projectId}-{exportId}-*"));
    }

    [Fact]
    public async Task A_report_left_running_is_computed_again_but_fresh_work_being_scheduled_is_left_alone()
    {
        var (_, projectId) = await ProjectAsync();
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var stale = new AgreementReport
        {
            ProjectId = projectId, Scope = AgreementScope.All, Reason = JobReason.Manual, Status = JobStatus.Running,
            CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-20), StartedAt = DateTimeOffset.UtcNow.AddMinutes(-19),
        };
        // A row another node committed a moment ago and is about to hand to Hangfire: not an orphan.
        var fresh = new AgreementReport
        {
            ProjectId = projectId, Scope = AgreementScope.All, Reason = JobReason.Manual, Status = JobStatus.Queued, CreatedAt = DateTimeOffset.UtcNow,
        };
        db.AgreementReports.AddRange(stale, fresh);
        await db.SaveChangesAsync();

        await scope.ServiceProvider.GetRequiredService<OrphanedWork>().ResumeAsync(TimeSpan.FromMinutes(1));

        var done = await WaitAsync(async () =>
        {
            using var look = factory.Services.CreateScope();
            var report = await look.ServiceProvider.GetRequiredService<AppDbContext>().AgreementReports.AsNoTracking().SingleAsync(r => r.Id == stale.Id);
            return JsonSerializer.SerializeToElement(new { status = report.Status.ToString().ToLowerInvariant(), hasResult = report.Result is not null });
        });
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.True(done.GetProperty("hasResult").GetBoolean());
        // The fresh row got no job from the sweep (a job would have started it by now, or still be waiting in Hangfire).
        using var after = factory.Services.CreateScope();
        var untouched = await after.ServiceProvider.GetRequiredService<AppDbContext>().AgreementReports.AsNoTracking().SingleAsync(r => r.Id == fresh.Id);
        Assert.Equal(JobStatus.Queued, untouched.Status);
        Assert.Null(untouched.StartedAt);
        Assert.Null(untouched.JobId);
        Assert.Equal(0, untouched.Attempts);
        // Not left for a later sweep of the shared database to run: this row only stood for work in hand.
        await after.ServiceProvider.GetRequiredService<AppDbContext>().AgreementReports.Where(r => r.Id == fresh.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, JobStatus.Cancelled));
    }

    /// <summary>A queued export row of <paramref name="projectId"/> dated ten minutes back, waiting on <paramref name="jobId"/>.</summary>
    private async Task<long> WaitingExportAsync(long projectId, string? jobId, DateTimeOffset? claimedAt = null)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var export = await ExportScheduler.ValidateAsync(db, projectId, new NewExport("annotate-jsonl", "all", false, null, false), null, TimeSpan.FromDays(1));
        export.JobId = OrphanedWork.Claimed; // no sweep takes it before it is dated back
        db.Exports.Add(export);
        await db.SaveChangesAsync();
        var old = DateTimeOffset.UtcNow.AddMinutes(-10);
        await db.Exports.Where(e => e.Id == export.Id).ExecuteUpdateAsync(u => u
            .SetProperty(e => e.CreatedAt, old).SetProperty(e => e.StartedAt, claimedAt ?? old).SetProperty(e => e.JobId, jobId));
        return export.Id;
    }

    private async Task<Export> ExportRowAsync(long id)
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Exports.AsNoTracking().SingleAsync(e => e.Id == id);
    }

    [Fact]
    public async Task Rows_whose_job_hangfire_gave_up_on_or_lost_are_settled_and_a_pending_job_is_left_alone()
    {
        var (lead, projectId) = await ProjectAsync();
        var jobs = factory.Services.GetRequiredService<IBackgroundJobClient>();
        string Later(long id) => jobs.Schedule<ExportJob>(job => job.RunAsync(id, CancellationToken.None), TimeSpan.FromDays(1));

        // Hangfire used up its retries before the job could claim its row (the database was down at every attempt).
        var failed = await WaitingExportAsync(projectId, null);
        var failedJob = Later(failed);
        using (var connection = factory.Services.GetRequiredService<JobStorage>().GetConnection())
            connection.SetJobParameter(failedJob, "RetryCount", JobFailures.Retries.ToString()); // what its last retry leaves
        Assert.True(jobs.ChangeState(failedJob, new FailedState(new TimeoutException("the database did not answer"))));
        // Someone deleted the job on Hangfire's dashboard.
        var deleted = await WaitingExportAsync(projectId, null);
        var deletedJob = Later(deleted);
        Assert.True(jobs.Delete(deletedJob));
        // A job id Hangfire does not hold (its storage was reset, or the job expired).
        var lost = await WaitingExportAsync(projectId, "987654321");
        // A retry Hangfire has scheduled: still Hangfire's.
        var pending = await WaitingExportAsync(projectId, null);
        var pendingJob = Later(pending);
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            foreach (var (id, job) in new[] { (failed, failedJob), (deleted, deletedJob), (pending, pendingJob) })
                await db.Exports.Where(e => e.Id == id).ExecuteUpdateAsync(u => u.SetProperty(e => e.JobId, job));
            await scope.ServiceProvider.GetRequiredService<OrphanedWork>().ResumeAsync(TimeSpan.FromMinutes(1));
        }

        var failedRow = await ExportRowAsync(failed);
        Assert.Equal(JobStatus.Failed, failedRow.Status);
        Assert.Contains("the database did not answer", failedRow.Error);
        Assert.NotNull(failedRow.FinishedAt);
        var deletedRow = await ExportRowAsync(deleted);
        Assert.Equal(JobStatus.Cancelled, deletedRow.Status);
        Assert.Contains("deleted on the jobs dashboard", deletedRow.Error);
        var rerun = await WaitAsync(() => lead.Http.GetFromJsonAsync<JsonElement>($"/api/exports/{lost}"));
        Assert.Equal("succeeded", rerun.GetProperty("status").GetString());
        Assert.NotEqual("987654321", (await ExportRowAsync(lost)).JobId);
        var pendingRow = await ExportRowAsync(pending);
        Assert.Equal((JobStatus.Queued, pendingJob), (pendingRow.Status, pendingRow.JobId));

        // The Jobs page says why the failed one stopped.
        var page = await lead.Http.GetStringAsync("/jobs");
        Assert.Contains("the database did not answer", page);
        jobs.Delete(pendingJob);
        using var cleanup = factory.Services.CreateScope();
        await cleanup.ServiceProvider.GetRequiredService<AppDbContext>().Exports.Where(e => e.Id == pending)
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.Status, JobStatus.Cancelled));
    }

    [Fact]
    public async Task A_claim_left_by_a_node_that_died_before_enqueueing_is_released_and_a_fresh_claim_is_not()
    {
        var (lead, projectId) = await ProjectAsync();
        var stale = await WaitingExportAsync(projectId, OrphanedWork.Claimed, claimedAt: DateTimeOffset.UtcNow - OrphanedWork.StaleClaimAge - TimeSpan.FromMinutes(1));
        var fresh = await WaitingExportAsync(projectId, OrphanedWork.Claimed, claimedAt: DateTimeOffset.UtcNow);
        using (var scope = factory.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<OrphanedWork>().ResumeAsync(TimeSpan.FromMinutes(1));

        var done = await WaitAsync(() => lead.Http.GetFromJsonAsync<JsonElement>($"/api/exports/{stale}"));
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal(1, done.GetProperty("attempts").GetInt32());
        var untouched = await ExportRowAsync(fresh);
        Assert.Equal((JobStatus.Queued, OrphanedWork.Claimed, 0), (untouched.Status, untouched.JobId, untouched.Attempts));
        using var cleanup = factory.Services.CreateScope();
        await cleanup.ServiceProvider.GetRequiredService<AppDbContext>().Exports.Where(e => e.Id == fresh)
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.Status, JobStatus.Cancelled));
    }

    /// <summary>Polls until the status is no longer queued or running.</summary>
    private static async Task<JsonElement> WaitAsync(Func<Task<JsonElement>> read)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var state = await read();
            if (state.GetProperty("status").GetString() is not ("queued" or "running")) return state;
            Assert.True(DateTime.UtcNow < deadline, "the resumed work did not finish: " + state.GetRawText());
            await Task.Delay(150);
        }
    }
}
