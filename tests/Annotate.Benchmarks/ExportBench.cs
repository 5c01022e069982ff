using System.Diagnostics;
using Annotate.Testing;
using Annotate.Web.Data;
using Annotate.Web.Features.Exports;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Annotate.Benchmarks;

/// <summary>
/// Export of 100,000 articles with 1,000,000 spans to annotate-jsonl: wall time, MB/s and the process's peak memory
/// growth, beside a raw COPY (SELECT ...) TO STDOUT of the same rows written to a file in the same run.
/// </summary>
public static class ExportBench
{
    private const int Articles = 100_000, SpansEach = 10;

    public static async Task<List<Figure>> RunAsync(BrowserFixture browser)
    {
        Console.WriteLine($"export: {Articles:N0} articles, {Articles * SpansEach:N0} spans");
        var http = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        var lead = await AnnotateFactory.SignUpAsync(http, "export-bench");
        var connectionString = await TestDatabase.ConnectionStringAsync();
        long projectId;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using (var create = new NpgsqlCommand("INSERT INTO projects (name, description, guidelines, visibility, snap_to_words, created_at) VALUES ('Bench export', '', '', 'open', true, now()) RETURNING id", connection))
                projectId = (long)(await create.ExecuteScalarAsync())!;
            foreach (var sql in new[]
            {
                $"INSERT INTO project_members (project_id, user_id, role, added_at) SELECT {projectId}, id, 'manager', now() FROM asp_net_users WHERE email = '{lead.Email}'",
                $"""
                INSERT INTO documents (project_id, title, text, sha256, length, meta, created_at)
                SELECT {projectId}, 'Article ' || g, t, md5(t) || md5(t), char_length(t), '{"{}"}', now()
                FROM generate_series(1, {Articles}) g,
                     LATERAL (SELECT 'Article ' || g || ': ' || repeat('The rebels said they took 13 villages near Aleppo on Wednesday. ', 7) AS t) x
                """,
                $"""
                INSERT INTO annotations (id, project_id, document_id, annotator_id, layer, label, start, "end", text, attributes, version, origin, created_at, updated_at)
                SELECT gen_random_uuid(), d.project_id, d.id, m.user_id, 'entity', 'LOCATION', 20 + s * 40, 26 + s * 40,
                       substring(d.text FROM 21 + s * 40 FOR 6), '{"{}"}', 1, 'imported', now(), now()
                FROM documents d JOIN project_members m ON m.project_id = d.project_id CROSS JOIN generate_series(0, {SpansEach - 1}) s
                WHERE d.project_id = {projectId}
                """,
            })
            {
                await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
                await command.ExecuteNonQueryAsync();
            }
        }

        var folder = Path.Combine(Path.GetTempPath(), $"annotate-bench-export-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        try
        {
            // Baseline: the same rows straight out of PostgreSQL into a file.
            var copyPath = Path.Combine(folder, "copy.txt");
            var copyClock = Stopwatch.StartNew();
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                await using var file = File.Create(copyPath);
                await using var copy = await connection.BeginRawBinaryCopyAsync($"""
                    COPY (SELECT d.id, d.title, d.text, d.sha256, a.id, a.start, a."end", a.text, a.label, a.annotator_id
                          FROM documents d LEFT JOIN annotations a ON a.document_id = d.id WHERE d.project_id = {projectId} ORDER BY d.id, a.start) TO STDOUT (FORMAT BINARY)
                    """);
                await copy.CopyToAsync(file);
            }
            var copySeconds = copyClock.Elapsed.TotalSeconds;

            using var scope = browser.App.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var export = await ExportScheduler.ValidateAsync(db, projectId, new NewExport("annotate-jsonl", "all", false, null, false), null, TimeSpan.FromDays(1));
            var exportPath = Path.Combine(folder, "export.jsonl");
            var (seconds, growth, before) = await Measure.TimeAndPeakMemoryAsync(() =>
                scope.ServiceProvider.GetRequiredService<ExportRunner>().WriteToPathAsync(export, exportPath, (_, _) => Task.CompletedTask, CancellationToken.None));
            var megabytes = new FileInfo(exportPath).Length / 1048576.0;
            return
            [
                new("export 100,000 articles / 1,000,000 spans to annotate-jsonl (wall time)", seconds, "s", "raw COPY of the same rows to a file", copySeconds, "within 3x of COPY", seconds <= 3 * copySeconds),
                new("export throughput", megabytes / seconds, "MB/s", "raw COPY throughput", new FileInfo(copyPath).Length / 1048576.0 / copySeconds, "(reported)", null),
                new("export peak memory (growth of the process while it ran)", growth, "MB", "the process before the run", before, "< 300 MB", growth < 300, Comparable: false),
            ];
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
