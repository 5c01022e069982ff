using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.Testing;
using Npgsql;

namespace Annotate.Benchmarks;

/// <summary>
/// A project of 100,000 articles: imported through the API (one JSONL file), then its project page and the documents
/// API's pages (first, deep, searched), each beside the raw SQL query of the same page in the same run. The page's
/// weight is given beside the same page of an empty project (layout, tabs and forms), measured in the same run.
/// </summary>
public static class DocumentListBench
{
    private const int Articles = 100_000, Rounds = 15;

    public static async Task<List<Figure>> RunAsync(BrowserFixture browser)
    {
        Console.WriteLine($"documents: {Articles:N0} articles");
        var lead = await AnnotateFactory.SignUpAsync(new HttpClient { BaseAddress = new Uri(browser.BaseUrl), Timeout = TimeSpan.FromMinutes(10) }, "list-bench");
        var projectId = await ProjectAsync(lead, "Bench documents");
        var emptyId = await ProjectAsync(lead, "Bench empty");

        var jsonl = new StringBuilder();
        for (var i = 1; i <= Articles; i++)
            jsonl.Append(JsonSerializer.Serialize(new
            {
                title = $"Article {i}: shelling reported near the river",
                source = $"https://news.example/{i % 97}/article-{i}",
                text = $"Article {i}. The ministry said {i % 50} villages were shelled near the river on Monday; residents disputed the count.",
            })).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(jsonl.ToString());
        var importClock = Stopwatch.StartNew();
        var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "files", "articles.jsonl" } };
        (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).EnsureSuccessStatusCode();
        var importSeconds = importClock.Elapsed.TotalSeconds;
        var copySeconds = await ImportBench.RawCopyAsync(jsonl.ToString());

        await using var connection = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using (var analyze = new NpgsqlCommand("ANALYZE documents", connection)) await analyze.ExecuteNonQueryAsync();
        var middle = await ScalarAsync(connection, $"SELECT id FROM documents WHERE project_id = {projectId} ORDER BY id OFFSET {Articles / 2} LIMIT 1");
        var cursor = Annotate.Web.Features.Documents.DocumentList.Encode(middle);
        const string Search = "Article 4242:";

        var page = await HttpAsync(lead.Http, $"/projects/{projectId}");
        var emptyPage = await HttpAsync(lead.Http, $"/projects/{emptyId}");
        var pageSql = await SqlAsync(connection, PageSql(projectId, 0, 51, null), CountSql(projectId, null));
        var first = await HttpAsync(lead.Http, $"/api/projects/{projectId}/documents?limit=100");
        var firstSql = await SqlAsync(connection, PageSql(projectId, 0, 101, null), CountSql(projectId, null));
        var deep = await HttpAsync(lead.Http, $"/api/projects/{projectId}/documents?limit=100&cursor={cursor}");
        var deepSql = await SqlAsync(connection, PageSql(projectId, middle, 101, null), CountSql(projectId, null));
        var searched = await HttpAsync(lead.Http, $"/api/projects/{projectId}/documents?limit=100&q={Uri.EscapeDataString(Search)}");
        var searchedSql = await SqlAsync(connection, PageSql(projectId, 0, 101, Search), CountSql(projectId, Search));
        var searchedPage = await HttpAsync(lead.Http, $"/projects/{projectId}?tab=documents&q={Uri.EscapeDataString(Search)}");

        // Progress with real work on it: two annotators, every article assigned to both (200,000 assignments, written
        // straight into the table: the bench measures reading them), and a thousand finished by one.
        var annotators = new List<string>();
        foreach (var who in new[] { "list-bench-ana", "list-bench-ben" })
        {
            var person = await AnnotateFactory.SignUpAsync(new HttpClient { BaseAddress = new Uri(browser.BaseUrl) }, who);
            (await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = person.Email, role = "annotator" })).EnsureSuccessStatusCode();
            annotators.Add((string)(await ScalarTextAsync(connection, $"SELECT id FROM asp_net_users WHERE email = '{person.Email}'")));
        }
        foreach (var user in annotators)
            await ExecuteAsync(connection, $"INSERT INTO assignments (project_id, document_id, user_id, kind, assigned_at) " +
                $"SELECT {projectId}, id, '{user}', 'annotate', now() FROM documents WHERE project_id = {projectId}");
        await ExecuteAsync(connection, $"INSERT INTO document_states (document_id, user_id, status, updated_at) " +
            $"SELECT id, '{annotators[0]}', 'finished', now() FROM documents WHERE project_id = {projectId} ORDER BY id LIMIT 1000");
        await ExecuteAsync(connection, "ANALYZE assignments; ANALYZE document_states");
        var progressCold = await ColdAsync(lead.Http, $"/projects/{projectId}/progress");
        var progressPage = await HttpAsync(lead.Http, $"/projects/{projectId}/progress");
        var progressDeep = await HttpAsync(lead.Http, $"/projects/{projectId}/progress?after={cursor}");
        var progressAssignee = await HttpAsync(lead.Http, $"/projects/{projectId}/progress?assignee={annotators[1]}&q={Uri.EscapeDataString(Search)}");
        var progressApi = await HttpAsync(lead.Http, $"/api/projects/{projectId}/progress/documents?limit=100&cursor={cursor}");

        return
        [
            new($"import {Articles:N0} articles (one JSONL file, API)", importSeconds, "s", "binary COPY of the same rows into a scratch table", copySeconds, "-", null),
            new($"project page, {Articles:N0} articles (p50)", page.Milliseconds, "ms", "raw SQL of the same page and count (p50)", pageSql, "< 300 ms", page.Milliseconds < 300),
            new($"project page, {Articles:N0} articles (size)", page.Kilobytes, "KB", "the same page of an empty project", emptyPage.Kilobytes, "< 200 KB", page.Kilobytes < 200),
            new("project page searched by title (p50)", searchedPage.Milliseconds, "ms", "raw SQL of the same search and count (p50)", searchedSql, "< 300 ms", searchedPage.Milliseconds < 300),
            new("GET documents, first 100 (p50)", first.Milliseconds, "ms", "raw SQL of the same page and count (p50)", firstSql, "< 300 ms", first.Milliseconds < 300),
            new("GET documents, 100 after the middle (p50)", deep.Milliseconds, "ms", "raw SQL of the same keyset page and count (p50)", deepSql, "< 300 ms", deep.Milliseconds < 300),
            new("GET documents, searched by title (p50)", searched.Milliseconds, "ms", "raw SQL of the same search and count (p50)", searchedSql, "< 300 ms", searched.Milliseconds < 300),
            new($"progress page, {Articles:N0} articles, 200,000 assignments (p50)", progressPage.Milliseconds, "ms", "the same page, first request (cold)", progressCold, "< 300 ms", progressPage.Milliseconds < 300),
            new($"progress page, {Articles:N0} articles (size)", progressPage.Kilobytes, "KB", "the project page's size", page.Kilobytes, "< 200 KB", progressPage.Kilobytes < 200),
            new("progress page, 50 after the middle (p50)", progressDeep.Milliseconds, "ms", "-", 0, "< 300 ms", progressDeep.Milliseconds < 300),
            new("progress page, one assignee searched by title (p50)", progressAssignee.Milliseconds, "ms", "-", 0, "< 300 ms", progressAssignee.Milliseconds < 300),
            new("GET progress/documents, 100 after the middle (p50)", progressApi.Milliseconds, "ms", "-", 0, "< 300 ms", progressApi.Milliseconds < 300),
        ];
    }

    private static async Task<long> ProjectAsync(SignedInClient lead, string name) =>
        (await (await lead.Http.PostAsJsonAsync("/api/projects", new { name })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("id").GetInt64();

    private static async Task<(double Milliseconds, double Kilobytes)> HttpAsync(HttpClient http, string path)
    {
        var times = new List<double>();
        var size = 0;
        for (var i = 0; i < Rounds + 2; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var body = await http.GetByteArrayAsync(path);
            if (i >= 2) times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds); // two warm-ups
            size = body.Length;
        }
        return (Figure.Median(times), size / 1024.0);
    }

    private static string Filter(long projectId, string? search) =>
        $"project_id = {projectId}" + (search is null ? "" : $" AND (title ILIKE '%{search}%' OR source ILIKE '%{search}%')");

    private static string PageSql(long projectId, long after, int limit, string? search) =>
        $"SELECT id, title, source, published_at, length, sha256, created_at FROM documents WHERE {Filter(projectId, search)} AND id > {after} ORDER BY id LIMIT {limit}";

    private static string CountSql(long projectId, string? search) => $"SELECT count(*) FROM documents WHERE {Filter(projectId, search)}";

    /// <summary>The median time of the page query and the count, read to the end, as the app runs them.</summary>
    private static async Task<double> SqlAsync(NpgsqlConnection connection, string page, string count)
    {
        var times = new List<double>();
        for (var i = 0; i < Rounds + 2; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await ScalarAsync(connection, count);
            await using (var command = new NpgsqlCommand(page, connection))
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync()) { }
            if (i >= 2) times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return Figure.Median(times);
    }

    /// <summary>The first request of a page, before any warm-up: caches of its queries cold.</summary>
    private static async Task<double> ColdAsync(HttpClient http, string path)
    {
        var started = Stopwatch.GetTimestamp();
        await http.GetByteArrayAsync(path);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object> ScalarTextAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
