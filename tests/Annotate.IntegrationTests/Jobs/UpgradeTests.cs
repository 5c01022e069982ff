using Annotate.Web.Infrastructure;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Annotate.IntegrationTests.Jobs;

/// <summary>An install of the Quartz.NET versions upgrades: its qrtz_* tables go, and the work Quartz held runs once on Hangfire.</summary>
public class UpgradeTests
{
    /// <summary>The last migration of the versions that ran on Quartz.NET.</summary>
    private const string QuartzEra = "20261201003710_ExportNotes";

    [Fact]
    public async Task Quartz_tables_are_dropped_and_an_export_quartz_was_running_is_run_once_when_two_nodes_start_together()
    {
        await using var cluster = await JobCluster.CreateAsync();
        var web = cluster.Node(runJobs: false);
        var (_, projectId, _) = await JobCluster.ProjectAsync(web);
        await web.DisposeAsync(); // every node is down for the upgrade

        var options = new DbContextOptionsBuilder<AppDbContext>();
        DatabaseSetup.Configure(options, cluster.ConnectionString);
        await using (var db = new AppDbContext(options.Options))
        {
            // The database as the Quartz versions left it: their schema, Quartz's own tables, and an export Quartz was running
            // (started ten minutes ago) when the old app stopped.
            await db.GetService<IMigrator>().MigrateAsync(QuartzEra);
            await db.Database.ExecuteSqlRawAsync("""
                CREATE TABLE qrtz_job_details (sched_name text, job_name text, job_group text);
                CREATE TABLE qrtz_locks (sched_name text, lock_name text);
                CREATE TABLE qrtz_fired_triggers (sched_name text, entry_id text);
                """);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO exports (project_id, format, scope, finished_only, offsets, gzip, status, done, total, created_at, started_at, expires_at)
                VALUES ({projectId}, 'annotate-jsonl', 'all', false, 'codepoint', false, 'running', 0, 2, now() - interval '11 minutes',
                        now() - interval '10 minutes', now() + interval '7 days')
                """);
            // The upgrade: `./annotate up` (and the container) migrate before the app starts.
            await db.Database.MigrateAsync();
        }
        Assert.Equal(0, await ScalarAsync(cluster, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'qrtz%'"));
        var exportId = await ScalarAsync(cluster, $"SELECT id FROM exports WHERE project_id = {projectId}");

        // Two nodes start at the same moment; each looks for work without a job at its start.
        await Task.WhenAll(Task.Run(() => cluster.Node()), Task.Run(() => cluster.Node()));
        var finished = await cluster.WaitForExportAsync(exportId, row => row.Status is not ("queued" or "running"));
        Assert.Equal(("succeeded", 1), (finished.Status, finished.Attempts));
        Assert.Single(cluster.FilesOf(projectId, exportId).Files);
        Assert.Equal(1, await ScalarAsync(cluster, "SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%ExportJob%'"));
    }

    private static async Task<long> ScalarAsync(JobCluster cluster, string sql)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
