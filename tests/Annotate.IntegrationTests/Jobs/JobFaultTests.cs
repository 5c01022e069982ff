using Hangfire;
using Npgsql;

namespace Annotate.IntegrationTests.Jobs;

/// <summary>
/// What Hangfire's at-least-once delivery means for our jobs, on nodes of a cluster of their own (see JobCluster): a job
/// is held mid-export by a lock on the spans, and then its node is killed, stopped, its connection cut or the export
/// cancelled. Waiting is polling the export's row (or the database's locks) with a deadline.
/// </summary>
public class JobFaultTests
{
    [Fact]
    public async Task An_export_of_a_node_killed_mid_export_is_finished_once_by_another_node()
    {
        await using var cluster = await JobCluster.CreateAsync();
        var web = cluster.Node(runJobs: false);
        var (lead, projectId, _) = await JobCluster.ProjectAsync(web);
        var doomed = cluster.ProcessNode();

        long exportId;
        await using (var spans = await cluster.LockSpansAsync())
        {
            exportId = await JobCluster.ExportAsync(lead, projectId);
            await spans.WaitForJobAsync();
            var running = await cluster.ExportRowAsync(exportId);
            Assert.Equal(("running", 1), (running.Status, running.Attempts));
            await doomed.KillAsync();
        }

        // Another node comes; it fetches the job once the dead node's fetch is no longer renewed (the invisibility timeout).
        var rescuer = cluster.Node();
        var finished = await cluster.WaitForExportAsync(exportId, row => row.Status is not ("queued" or "running"));
        Assert.Equal("succeeded", finished.Status);
        Assert.Equal(2, finished.Attempts);
        Assert.Null(finished.Error);
        Assert.Equal((2, 2), (finished.Done, finished.Total));
        var (files, temporary) = cluster.FilesOf(projectId, exportId);
        Assert.Single(files);
        Assert.False(temporary);
        Assert.Equal(3, (await File.ReadAllLinesAsync(files[0])).Count(l => l.Length > 0)); // the meta line and both articles, whole
        var runs = JobCluster.Runs(rescuer, finished.JobId!);
        Assert.Equal(2, runs.Count);
        Assert.NotEqual(runs[0], runs[1]);
        await JobCluster.WaitForStateAsync(rescuer, finished.JobId!, "Succeeded");
    }

    [Fact]
    public async Task An_export_cut_off_by_a_normal_stop_is_queued_again_and_completes_after_a_restart()
    {
        await using var cluster = await JobCluster.CreateAsync();
        var web = cluster.Node(runJobs: false);
        var (lead, projectId, _) = await JobCluster.ProjectAsync(web);
        var stopping = cluster.Node();

        long exportId;
        await using (var spans = await cluster.LockSpansAsync())
        {
            exportId = await JobCluster.ExportAsync(lead, projectId);
            await spans.WaitForJobAsync();
            // A normal stop: Hangfire fires the job's token (the span query is cancelled) and puts the job back in its queue.
            await stopping.DisposeAsync();
            Assert.Empty(await spans.WaitingAsync());
            var requeued = await cluster.ExportRowAsync(exportId);
            Assert.Equal(("queued", 1), (requeued.Status, requeued.Attempts));
        }

        // Back in Hangfire's queue, not found by our sweep (the row has its job): the next node runs that same job.
        var restarted = cluster.Node();
        var finished = await cluster.WaitForExportAsync(exportId, row => row.Status is not ("queued" or "running"));
        Assert.Equal(("succeeded", 2), (finished.Status, finished.Attempts));
        Assert.Equal(2, JobCluster.Runs(restarted, finished.JobId!).Count);
        var (files, temporary) = cluster.FilesOf(projectId, exportId);
        Assert.Single(files);
        Assert.False(temporary);
    }

    [Fact]
    public async Task Two_nodes_with_servers_run_each_job_once_and_a_node_without_one_runs_none()
    {
        await using var cluster = await JobCluster.CreateAsync();
        var web = cluster.Node(runJobs: false);
        var first = cluster.Node();
        var second = cluster.Node();
        var (lead, projectId, _) = await JobCluster.ProjectAsync(web);

        var exports = new List<long>();
        for (var i = 0; i < 8; i++) exports.Add(await JobCluster.ExportAsync(lead, projectId));
        var servers = first.Services.GetRequiredService<JobStorage>().GetMonitoringApi().Servers().Select(s => s.Name).ToHashSet();
        Assert.Equal(2, servers.Count); // the serving-only node has none
        foreach (var exportId in exports)
        {
            var finished = await cluster.WaitForExportAsync(exportId, row => row.Status is not ("queued" or "running"));
            Assert.Equal(("succeeded", 1), (finished.Status, finished.Attempts));
            var run = Assert.Single(JobCluster.Runs(web, finished.JobId!));
            Assert.Contains(run, servers);
            Assert.Single(cluster.FilesOf(projectId, exportId).Files);
        }
        Assert.Equal(2, JobCluster.Servers(second));
    }

    [Fact]
    public async Task Cancelling_from_our_api_reaches_the_running_jobs_cancellation_token()
    {
        await using var cluster = await JobCluster.CreateAsync();
        var web = cluster.Node(runJobs: false);
        var (lead, projectId, _) = await JobCluster.ProjectAsync(web);
        cluster.Node();

        await using var spans = await cluster.LockSpansAsync();
        var exportId = await JobCluster.ExportAsync(lead, projectId);
        await spans.WaitForJobAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await lead.Http.DeleteAsync($"/api/exports/{exportId}")).StatusCode);

        // The job is stuck in its span query, so no progress check of ours can see the cancellation: only its token can
        // stop the query (Hangfire's server sees the deleted job and fires it), while the lock is still held.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await spans.WaitingAsync()).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The job's span query was not cancelled.");
            await Task.Delay(100);
        }
        var row = await cluster.ExportRowAsync(exportId);
        Assert.Equal(("cancelled", 1), (row.Status, row.Attempts));
        await JobCluster.WaitForStateAsync(web, row.JobId!, "Deleted");
        // The job unwinds from the cancelled query and removes its temporary file.
        while (cluster.FilesOf(projectId, exportId).Temporary)
        {
            Assert.True(DateTime.UtcNow < deadline, "The cancelled job left its temporary file.");
            await Task.Delay(100);
        }
        Assert.Empty(cluster.FilesOf(projectId, exportId).Files);
    }

    [Fact]
    public async Task A_lost_database_connection_is_retried_and_shown_but_a_refused_export_fails_at_once()
    {
        await using var cluster = await JobCluster.CreateAsync();
        var web = cluster.Node(runJobs: false);
        var (lead, projectId, docs) = await JobCluster.ProjectAsync(web);

        // Refused: CoNLL holds one annotator's spans; the request was fine, but a second annotator's span came before the
        // job ran (no server yet). The same job would fail the same way again: failed at once, no retry.
        var conll = await JobCluster.ExportAsync(lead, projectId, "conll");
        var other = await web.SignUpAsync("other");
        (await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = other.Email, role = "annotator" })).EnsureSuccessStatusCode();
        (await other.Http.PostAsJsonAsync($"/api/documents/{docs[0]}/annotations", new { layer = "entity", label = "EVENT", start = 0, end = 3 })).EnsureSuccessStatusCode();

        var server = cluster.Node();
        var refused = await cluster.WaitForExportAsync(conll, row => row.Status is not ("queued" or "running"));
        Assert.Equal(("failed", 1), (refused.Status, refused.Attempts));
        Assert.Contains("annotators have spans", refused.Error);
        await JobCluster.WaitForStateAsync(server, refused.JobId!, "Succeeded"); // the job ended: Hangfire schedules no retry
        Assert.Single(JobCluster.Runs(server, refused.JobId!));

        // Transient: the job's connection is cut (as a database restart would) while it reads the spans.
        long exportId;
        await using (var spans = await cluster.LockSpansAsync())
        {
            exportId = await JobCluster.ExportAsync(lead, projectId);
            var pid = await spans.WaitForJobAsync();
            await using var admin = new NpgsqlConnection(cluster.ConnectionString);
            await admin.OpenAsync();
            await using (var terminate = new NpgsqlCommand($"SELECT pg_terminate_backend({pid})", admin)) await terminate.ExecuteScalarAsync();
            var waiting = await cluster.WaitForExportAsync(exportId, row => row.Status == "queued" && row.Error is not null);
            Assert.Equal(1, waiting.Attempts);
            Assert.StartsWith("Attempt 1 of 5 failed, retrying", waiting.Error);
        }
        // Hangfire's retry (seconds later) runs the same job again, now that the database answers.
        var jobId = (await cluster.ExportRowAsync(exportId)).JobId!;
        var retried = await cluster.WaitForExportAsync(exportId, row => row.Status is not ("queued" or "running"), 30,
            () => $"Hangfire's job is {JobCluster.State(server, jobId)}: " + string.Join(", ", server.Services.GetRequiredService<JobStorage>().GetMonitoringApi().JobDetails(jobId).History.Select(h => h.StateName + " " + h.Reason)));
        Assert.Equal(("succeeded", 2), (retried.Status, retried.Attempts));
        Assert.Null(retried.Error);
        Assert.Equal(2, JobCluster.Runs(server, retried.JobId!).Count);
        Assert.Single(cluster.FilesOf(projectId, exportId).Files);
    }
}
