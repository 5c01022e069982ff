using Annotate.Web.Features.Exports;
using Annotate.Web.Features.LiveSync;
using Microsoft.Extensions.Logging.Abstractions;

namespace Annotate.IntegrationTests.Exports;

/// <summary>
/// DELETE on an export that has not finished cancels it. Hangfire runs jobs on whichever app host of the shared test
/// database fetches them first, so these tests do not hand the export to Hangfire: they run the real job themselves,
/// hearing its progress reports before they are published, so the DELETE lands at a known point. (That the DELETE
/// reaches a job Hangfire runs, through its cancellation token, is in JobFaultTests.)
/// </summary>
public partial class ExportTests
{
    /// <summary>
    /// A saved annotate-jsonl export that no Hangfire job has. Tests that drive the runner themselves pass another status
    /// than queued, so that the periodic sweep of the shared database (OrphanedWork) never runs it behind their back.
    /// </summary>
    private async Task<Export> QueuedExportAsync(long projectId, Web.Features.Jobs.JobStatus status = Web.Features.Jobs.JobStatus.Queued)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var export = await ExportScheduler.ValidateAsync(db, projectId, new NewExport("annotate-jsonl", "all", false, null, false), null, TimeSpan.FromDays(1));
        export.Status = status;
        db.Exports.Add(export);
        await db.SaveChangesAsync();
        return export;
    }

    /// <summary>An export row left failed (so no job takes it), with the storage and runner a test runs it with by hand.</summary>
    private async Task<HandRun> ExportToRunByHandAsync(long projectId) =>
        new(await QueuedExportAsync(projectId, Web.Features.Jobs.JobStatus.Failed), factory.Services.CreateScope());

    private sealed class HandRun(Export export, IServiceScope scope) : IDisposable
    {
        public Export Export { get; } = export;
        public ExportStorage Storage { get; } = scope.ServiceProvider.GetRequiredService<ExportStorage>();
        public ExportRunner Runner { get; } = scope.ServiceProvider.GetRequiredService<ExportRunner>();
        public void Dispose() => scope.Dispose();
    }

    /// <summary>Runs the export job as Hangfire would, with <paramref name="onReport"/> hearing each progress report; returns them.</summary>
    private async Task<List<JsonElement>> RunExportJobAsync(long exportId, Func<JsonElement, Task> onReport)
    {
        using var scope = factory.Services.CreateScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<AppDbContext>();
        var progress = new ProgressHub(db, onReport);
        var job = new ExportJob(db, services.GetRequiredService<ExportRunner>(),
            services.GetRequiredService<ExportStorage>(), progress, NullLogger<ExportJob>.Instance);
        await job.RunAsync(exportId, CancellationToken.None);
        return progress.Reports;
    }

    private void AssertNoFile(long projectId, long exportId)
    {
        Assert.Empty(Directory.GetFiles(AnnotateFactory.ExportsFolder, $"export-{projectId}-{exportId}-*"));
        Assert.False(File.Exists(Path.Combine(AnnotateFactory.ExportsFolder, $"{exportId}.part")));
    }

    [Fact]
    public async Task Deleting_a_queued_export_cancels_it_and_the_job_then_writes_nothing()
    {
        var (lead, _, projectId, _, _) = await ProjectAsync();
        var export = await QueuedExportAsync(projectId);

        Assert.Equal(HttpStatusCode.NoContent, (await lead.Http.DeleteAsync($"/api/exports/{export.Id}")).StatusCode);
        var cancelled = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/exports/{export.Id}");
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());

        // Hangfire gets to it later: the job sees the cancellation and writes nothing.
        var reports = await RunExportJobAsync(export.Id, _ => Task.CompletedTask);
        var after = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/exports/{export.Id}");
        Assert.Equal("cancelled", after.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("file").ValueKind);
        Assert.Empty(reports);
        AssertNoFile(projectId, export.Id);
        Assert.Equal(HttpStatusCode.Conflict, (await lead.Http.GetAsync($"/api/exports/{export.Id}/file")).StatusCode);
    }

    [Fact]
    public async Task Deleting_a_running_export_cancels_it_and_leaves_no_file()
    {
        var (lead, _, projectId, _, _) = await ProjectAsync();
        var export = await QueuedExportAsync(projectId);

        // The first progress report comes while the job runs (status running, 0 of 2 documents): the manager cancels then.
        var reports = await RunExportJobAsync(export.Id, async report =>
        {
            if (report.GetProperty("done").GetInt32() != 0) return;
            Assert.Equal("running", (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/exports/{export.Id}")).GetProperty("status").GetString());
            Assert.Equal(HttpStatusCode.NoContent, (await lead.Http.DeleteAsync($"/api/exports/{export.Id}")).StatusCode);
        });

        var after = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/exports/{export.Id}");
        Assert.Equal("cancelled", after.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("file").ValueKind);
        Assert.Equal(JsonValueKind.Null, after.GetProperty("size").ValueKind);
        Assert.Equal("running", reports[0].GetProperty("status").GetString());
        Assert.Equal("cancelled", reports[^1].GetProperty("status").GetString());
        AssertNoFile(projectId, export.Id);
        Assert.Equal(HttpStatusCode.Conflict, (await lead.Http.GetAsync($"/api/exports/{export.Id}/file")).StatusCode);
    }

    /// <summary>
    /// Hears the job's progress reports before they are published (as JSON, as pages receive them) and hands each to
    /// <paramref name="onReport"/>, which the job awaits before it goes on, as it awaits the real publication.
    /// </summary>
    private sealed class ProgressHub(AppDbContext db, Func<JsonElement, Task> onReport) : JobProgressFeed(db)
    {
        public List<JsonElement> Reports { get; } = [];

        public override async Task PublishAsync(long projectId, JobProgressReport report, CancellationToken cancellationToken = default)
        {
            var json = JsonSerializer.SerializeToElement(report, Web.Infrastructure.JsonOptions.Api);
            Reports.Add(json);
            await onReport(json);
            await base.PublishAsync(projectId, report, cancellationToken);
        }
    }
}
