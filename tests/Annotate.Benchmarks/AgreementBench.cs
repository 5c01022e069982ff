using System.Diagnostics;
using Annotate.Testing;
using Annotate.Web.Data;
using Annotate.Web.Features.Agreement;
using Annotate.Web.Features.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Annotate.Benchmarks;

/// <summary>
/// Project agreement over 1,000 documents × 5 annotators × 200 spans (1,000,000 spans): the report's wall time and
/// the process's peak memory growth, beside reading the same spans from PostgreSQL with a raw COPY.
/// </summary>
public static class AgreementBench
{
    private const int Documents = 1_000, Annotators = 5, SpansEach = 200;
    private const string EmptyObject = "'{}'";

    public static async Task<List<Figure>> RunAsync(BrowserFixture browser)
    {
        Console.WriteLine($"agreement: {Documents:N0} documents x {Annotators} annotators x {SpansEach} spans");
        var http = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        var lead = await AnnotateFactory.SignUpAsync(http, "agreement-bench");
        var people = new List<SignedInClient>();
        for (var i = 0; i < Annotators; i++) people.Add(await AnnotateFactory.SignUpAsync(new HttpClient { BaseAddress = new Uri(browser.BaseUrl) }, $"coder{i}"));
        var connectionString = await TestDatabase.ConnectionStringAsync();
        long projectId;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            projectId = await ScalarAsync(connection, "INSERT INTO projects (name, description, guidelines, visibility, snap_to_words, created_at) VALUES ('Bench agreement', '', '', 'open', true, now()) RETURNING id");
            foreach (var person in people)
                await ExecuteAsync(connection, $"INSERT INTO project_members (project_id, user_id, role, added_at) SELECT {projectId}, id, 'annotator', now() FROM asp_net_users WHERE email = '{person.Email}'");
            // 1,000 articles of 6,000 characters, each a repeated sentence with the document number in it.
            await ExecuteAsync(connection, $"""
                INSERT INTO documents (project_id, title, text, sha256, length, meta, created_at)
                SELECT {projectId}, 'Bench ' || g, t, md5(t) || md5(t), char_length(t), {EmptyObject}, now()
                FROM generate_series(1, {Documents}) g, LATERAL (SELECT left(repeat('Rebels ' || g || ' said the army lost 13 villages near Aleppo on Tuesday. ', 120), 6000) AS t) x
                """);
            // Each annotator marks 200 spans per document; annotators agree on most but shift and relabel some.
            await ExecuteAsync(connection, $"""
                INSERT INTO annotations (id, project_id, document_id, annotator_id, layer, label, start, "end", text, attributes, version, origin, created_at, updated_at)
                SELECT gen_random_uuid(), d.project_id, d.id, m.user_id, 'entity',
                       CASE WHEN (s + coder) % 11 = 0 THEN 'ORGANIZATION' WHEN s % 3 = 0 THEN 'LOCATION' ELSE 'PERSON' END,
                       s * 29 + CASE WHEN (s * 7 + coder) % 13 = 0 THEN 1 ELSE 0 END, s * 29 + 12,
                       substring(d.text FROM s * 29 + 1 + CASE WHEN (s * 7 + coder) % 13 = 0 THEN 1 ELSE 0 END FOR 12 - CASE WHEN (s * 7 + coder) % 13 = 0 THEN 1 ELSE 0 END),
                       {EmptyObject}, 1, 'imported', now(), now()
                FROM documents d
                JOIN (SELECT user_id, row_number() OVER (ORDER BY user_id) AS coder FROM project_members WHERE project_id = {projectId}) m ON true
                CROSS JOIN generate_series(0, {SpansEach - 1}) s
                WHERE d.project_id = {projectId}
                """);
            await ExecuteAsync(connection, $"""
                INSERT INTO document_states (document_id, user_id, status, updated_at)
                SELECT d.id, m.user_id, 'finished', now() FROM documents d JOIN project_members m ON m.project_id = d.project_id WHERE d.project_id = {projectId}
                """);
            // The spans of a real project were written over weeks, long vacuumed and analyzed when a report reads them; these
            // were written a moment ago. Settle them first (visibility, statistics, dirty pages written out), so that neither
            // the baseline nor the report pays for the setup or meets a checkpoint or autovacuum halfway through.
            await ExecuteAsync(connection, "VACUUM (ANALYZE) annotations, documents, document_states");
            await ExecuteAsync(connection, "CHECKPOINT");
        }

        // Baseline: the same spans read raw from PostgreSQL.
        var copyClock = Stopwatch.StartNew();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            using var reader = await connection.BeginTextExportAsync(
                $"COPY (SELECT document_id, annotator_id, layer, label, start, \"end\" FROM annotations WHERE project_id = {projectId} ORDER BY document_id) TO STDOUT");
            var buffer = new char[65536];
            while (await reader.ReadAsync(buffer) > 0) { }
        }
        var copySeconds = copyClock.Elapsed.TotalSeconds;

        using var scope = browser.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var report = new AgreementReport { ProjectId = projectId, Scope = AgreementScope.Finished, Reason = JobReason.Manual, Status = JobStatus.Running, CreatedAt = DateTimeOffset.UtcNow };
        db.AgreementReports.Add(report);
        await db.SaveChangesAsync();
        AgreementResult? result = null;
        var (seconds, growthMb, beforeMb) = await Measure.TimeAndPeakMemoryAsync(async () =>
            result = await scope.ServiceProvider.GetRequiredService<AgreementComputer>().ComputeAsync(report, (_, _) => Task.CompletedTask, CancellationToken.None));
        Console.WriteLine($"agreement report: {result!.ToJson().Length / 1024} KB of JSON; timings {result.TimingsMs}");
        return
        [
            new("agreement report, 1,000,000 spans (wall time)", seconds, "s", "raw COPY of the same spans", copySeconds, "<= 2x raw COPY", seconds <= 2 * copySeconds),
            new("agreement report, peak memory (growth of the process while it ran)", growthMb, "MB", "the process before the run", beforeMb, "< 1024 MB", growthMb < 1024, Comparable: false),
        ];
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
