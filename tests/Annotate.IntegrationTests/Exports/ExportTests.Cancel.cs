using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Annotate.Testing;
using Annotate.Web.Data;
using Annotate.Web.Features.Exports;
using Annotate.Web.Features.LiveSync;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Quartz;
using Quartz.Extensibility;

namespace Annotate.IntegrationTests.Exports;

/// <summary>
/// DELETE on an export that has not finished cancels it. Quartz runs jobs on whichever app host of the shared test
/// database picks them up first, so these tests do not hand the export to Quartz: they run the real job themselves,
/// with the one dependency they watch (the hub it reports progress to) replaced, so the DELETE lands at a known point.
/// </summary>
public partial class ExportTests
{
    private async Task<Export> QueuedExportAsync(long projectId)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var export = await ExportScheduler.ValidateAsync(db, projectId, new NewExport("annotate-jsonl", "all", false, null, false), null, TimeSpan.FromDays(1));
        db.Exports.Add(export);
        await db.SaveChangesAsync();
        return export;
    }

    /// <summary>Runs the export job as Quartz would, with <paramref name="hub"/> hearing its progress.</summary>
    private async Task RunExportJobAsync(long exportId, IHubContext<AnnotationHub> hub)
    {
        using var scope = factory.Services.CreateScope();
        var services = scope.ServiceProvider;
        var job = new ExportJob(services.GetRequiredService<AppDbContext>(), services.GetRequiredService<ExportRunner>(),
            services.GetRequiredService<ExportStorage>(), hub, NullLogger<ExportJob>.Instance);
        var context = JobExecutionContextBuilder.For(job)
            .WithJob(JobBuilder.Create<ExportJob>().UsingJobData(ExportJob.ExportIdKey, exportId).Build())
            .Build();
        try { await job.Execute(context, CancellationToken.None); }
        finally { (context as IDisposable)?.Dispose(); }
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

        // Quartz gets to it later: the job sees the cancellation and writes nothing.
        var hub = new ProgressHub(_ => Task.CompletedTask);
        await RunExportJobAsync(export.Id, hub);
        var after = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/exports/{export.Id}");
        Assert.Equal("cancelled", after.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("file").ValueKind);
        Assert.Empty(hub.Reports);
        AssertNoFile(projectId, export.Id);
        Assert.Equal(HttpStatusCode.Conflict, (await lead.Http.GetAsync($"/api/exports/{export.Id}/file")).StatusCode);
    }

    [Fact]
    public async Task Deleting_a_running_export_cancels_it_and_leaves_no_file()
    {
        var (lead, _, projectId, _, _) = await ProjectAsync();
        var export = await QueuedExportAsync(projectId);

        // The first progress report comes while the job runs (status running, 0 of 2 documents): the manager cancels then.
        var hub = new ProgressHub(async report =>
        {
            if (report.GetProperty("done").GetInt32() != 0) return;
            Assert.Equal("running", (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/exports/{export.Id}")).GetProperty("status").GetString());
            Assert.Equal(HttpStatusCode.NoContent, (await lead.Http.DeleteAsync($"/api/exports/{export.Id}")).StatusCode);
        });
        await RunExportJobAsync(export.Id, hub);

        var after = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/exports/{export.Id}");
        Assert.Equal("cancelled", after.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("file").ValueKind);
        Assert.Equal(JsonValueKind.Null, after.GetProperty("size").ValueKind);
        Assert.Equal("running", hub.Reports[0].GetProperty("status").GetString());
        Assert.Equal("cancelled", hub.Reports[^1].GetProperty("status").GetString());
        AssertNoFile(projectId, export.Id);
        Assert.Equal(HttpStatusCode.Conflict, (await lead.Http.GetAsync($"/api/exports/{export.Id}/file")).StatusCode);
    }

    /// <summary>
    /// Stands in for SignalR: every JobProgress report is kept (as JSON) and handed to <paramref name="onReport"/>, which
    /// the job awaits before it goes on, as it awaits the real hub.
    /// </summary>
    private sealed class ProgressHub(Func<JsonElement, Task> onReport) : IHubContext<AnnotationHub>
    {
        public List<JsonElement> Reports { get; } = [];

        public IHubClients Clients => new Everyone(new Proxy(this));
        public IGroupManager Groups => throw new NotSupportedException("the export job does not manage groups");

        private async Task ReportAsync(string method, object?[] args)
        {
            Assert.Equal("JobProgress", method);
            var report = JsonSerializer.SerializeToElement(args[0], Web.Infrastructure.JsonOptions.Api);
            Reports.Add(report);
            await onReport(report);
        }

        private sealed class Proxy(ProgressHub hub) : IClientProxy
        {
            public Task SendCoreAsync(string method, object?[] args, CancellationToken cancellationToken = default) => hub.ReportAsync(method, args);
        }

        /// <summary>Whoever the job addresses (it addresses the project's jobs group), the report reaches the hub above.</summary>
        private sealed class Everyone(IClientProxy proxy) : IHubClients
        {
            public IClientProxy All => proxy;
            public IClientProxy AllExcept(IReadOnlyList<string> excludedConnectionIds) => proxy;
            public IClientProxy Client(string connectionId) => proxy;
            public IClientProxy Clients(IReadOnlyList<string> connectionIds) => proxy;
            public IClientProxy Group(string groupName) => proxy;
            public IClientProxy GroupExcept(string groupName, IReadOnlyList<string> excludedConnectionIds) => proxy;
            public IClientProxy Groups(IReadOnlyList<string> groupNames) => proxy;
            public IClientProxy User(string userId) => proxy;
            public IClientProxy Users(IReadOnlyList<string> userIds) => proxy;
        }
    }
}
