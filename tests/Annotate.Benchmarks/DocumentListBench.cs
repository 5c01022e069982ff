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

    /// <summary>The file's bytes only: the bench keeps no UTF-16 copy of it beside them while the app imports it.</summary>
    private static byte[] Jsonl()
    {
        var jsonl = new StringBuilder();
        for (var i = 1; i <= Articles; i++)
            jsonl.Append(JsonSerializer.Serialize(new
            {
                title = $"Article {i}: shelling reported near the river",
                source = $"https://news.example/{i % 97}/article-{i}",
                text = $"Article {i}. The ministry said {i % 50} villages were shelled near the river on Monday; residents disputed the count.",
            })).Append('\n');
        return Encoding.UTF8.GetBytes(jsonl.ToString());
    }

    public static async Task<List<Figure>> RunAsync(BrowserFixture browser)
    {
        Console.WriteLine($"documents: {Articles:N0} articles");
        var lead = await AnnotateFactory.SignUpAsync(new HttpClient { BaseAddress = new Uri(browser.BaseUrl), Timeout = TimeSpan.FromMinutes(10) }, "list-bench");
        var projectId = await ProjectAsync(lead, "Bench documents");
        var emptyId = await ProjectAsync(lead, "Bench empty");

        var bytes = Jsonl();
        var importClock = Stopwatch.StartNew();
        var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "files", "articles.jsonl" } };
        (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).EnsureSuccessStatusCode();
        var importSeconds = importClock.Elapsed.TotalSeconds;
        var copySeconds = await ImportBench.RawCopyAsync(bytes);

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
        // Vacuumed as autovacuum would leave tables at rest after a bulk write: the visibility map lets the sorted
        // progress read its counts from an index alone.
        await ExecuteAsync(connection, "VACUUM ANALYZE assignments");
        await ExecuteAsync(connection, "VACUUM ANALYZE document_states");
        // Progress cursors carry their sort: the page after the middle by id, and by title.
        var byId = new Annotate.Web.Features.Workflow.ProgressSort("id", false);
        var progressCursor = byId.Cursor(middle.ToString(), middle.ToString());
        var middleTitle = (string)await ScalarTextAsync(connection, $"SELECT title FROM documents WHERE id = {middle}");
        var titleCursor = new Annotate.Web.Features.Workflow.ProgressSort("title", false).Cursor(middle.ToString(), middleTitle);
        var progressCold = await ColdAsync(lead.Http, $"/projects/{projectId}/progress");
        var progressPage = await HttpAsync(lead.Http, $"/projects/{projectId}/progress");
        var progressSql = await SqlAsync(connection, ProgressPageSql(projectId, "d.id", null, "", 51), CountSql(projectId, null), ProgressPeopleSql(projectId));
        var progressDeep = await HttpAsync(lead.Http, $"/projects/{projectId}/progress?after={progressCursor}");
        var progressAssignee = await HttpAsync(lead.Http, $"/projects/{projectId}/progress?assignee={annotators[1]}&q={Uri.EscapeDataString(Search)}");
        var progressApi = await HttpAsync(lead.Http, $"/api/projects/{projectId}/progress/documents?limit=100&cursor={progressCursor}");
        var progressApiSql = await SqlAsync(connection, ProgressPageSql(projectId, "d.id", null, $" AND d.id > {middle}", 101), CountSql(projectId, null));
        // Sorted by a figure: every article's count is grouped and joined before the top of the order is known.
        var assignedJoin = $"SELECT document_id, count(*) AS k FROM assignments WHERE project_id = {projectId} AND kind = 'annotate' GROUP BY document_id";
        var finishedJoin = $"SELECT document_id, count(*) AS k FROM document_states WHERE document_id IN (SELECT id FROM documents WHERE project_id = {projectId}) AND status = 'finished' GROUP BY document_id";
        var progressSorted = await HttpAsync(lead.Http, $"/projects/{projectId}/progress?sort=finished&dir=desc");
        var progressSortedSql = await SqlAsync(connection, ProgressPageSql(projectId, "COALESCE(j.k, 0) DESC, d.id DESC", finishedJoin, "", 51), CountSql(projectId, null));
        var progressApiAssigned = await HttpAsync(lead.Http, $"/api/projects/{projectId}/progress/documents?limit=100&sort=assigned&dir=desc");
        var progressApiAssignedSql = await SqlAsync(connection, ProgressPageSql(projectId, "COALESCE(j.k, 0) DESC, d.id DESC", assignedJoin, "", 101), CountSql(projectId, null));
        var progressApiTitle = await HttpAsync(lead.Http, $"/api/projects/{projectId}/progress/documents?limit=100&sort=title&cursor={titleCursor}");
        var progressApiTitleSql = await SqlAsync(connection, ProgressPageSql(projectId, "d.title, d.id", null,
            $" AND (d.title, d.id) > ('{middleTitle.Replace("'", "''")}', {middle})", 101), CountSql(projectId, null));
        var progressPeople = await HttpAsync(lead.Http, $"/api/projects/{projectId}/progress/annotators?sort=finished&dir=desc");
        var progressPeopleSql = await SqlAsync(connection, ProgressPeopleSql(projectId), $"SELECT count(*) FROM project_members WHERE project_id = {projectId}");

        return
        [
            new($"import {Articles:N0} articles (one JSONL file, API)", importSeconds, "s", "binary COPY of the same rows into a scratch table", copySeconds, "-", null),
            new($"project page, {Articles:N0} articles (p50)", page.Milliseconds, "ms", "raw SQL of the same page and count (p50)", pageSql, "< 300 ms", page.Milliseconds < 300),
            new($"project page, {Articles:N0} articles (size)", page.Kilobytes, "KB", "the same page of an empty project", emptyPage.Kilobytes, "< 200 KB", page.Kilobytes < 200),
            new("project page searched by title (p50)", searchedPage.Milliseconds, "ms", "raw SQL of the same search and count (p50)", searchedSql, "< 300 ms", searchedPage.Milliseconds < 300),
            new("GET documents, first 100 (p50)", first.Milliseconds, "ms", "raw SQL of the same page and count (p50)", firstSql, "< 300 ms", first.Milliseconds < 300),
            new("GET documents, 100 after the middle (p50)", deep.Milliseconds, "ms", "raw SQL of the same keyset page and count (p50)", deepSql, "< 300 ms", deep.Milliseconds < 300),
            new("GET documents, searched by title (p50)", searched.Milliseconds, "ms", "raw SQL of the same search and count (p50)", searchedSql, "< 300 ms", searched.Milliseconds < 300),
            new($"progress page, {Articles:N0} articles, 200,000 assignments (p50)", progressPage.Milliseconds, "ms", "raw SQL of its page of 50 with their figures and the per-annotator counts (p50)", progressSql, "< 300 ms", progressPage.Milliseconds < 300),
            new("progress page, first request (cold)", progressCold, "ms", "-", 0, "-", null),
            new($"progress page, {Articles:N0} articles (size)", progressPage.Kilobytes, "KB", "the project page's size", page.Kilobytes, "< 200 KB", progressPage.Kilobytes < 200),
            new("progress page, 50 after the middle (p50)", progressDeep.Milliseconds, "ms", "-", 0, "< 300 ms", progressDeep.Milliseconds < 300),
            new("progress page, one assignee searched by title (p50)", progressAssignee.Milliseconds, "ms", "-", 0, "< 300 ms", progressAssignee.Milliseconds < 300),
            new("progress page sorted by finished, most first (p50)", progressSorted.Milliseconds, "ms", "raw SQL of the same sorted page and count (p50)", progressSortedSql, "< 300 ms", progressSorted.Milliseconds < 300),
            new("progress page sorted by finished (size)", progressSorted.Kilobytes, "KB", "-", 0, "< 200 KB", progressSorted.Kilobytes < 200),
            new("GET progress/documents, 100 after the middle (p50)", progressApi.Milliseconds, "ms", "raw SQL of the same page with its figures and count (p50)", progressApiSql, "< 300 ms", progressApi.Milliseconds < 300),
            new("GET progress/documents, 100 (size)", progressApi.Kilobytes, "KB", "-", 0, "< 200 KB", progressApi.Kilobytes < 200),
            new("GET progress/documents sorted by assigned, first 100 (p50)", progressApiAssigned.Milliseconds, "ms", "raw SQL of the same sorted page and count (p50)", progressApiAssignedSql, "< 300 ms", progressApiAssigned.Milliseconds < 300),
            new("GET progress/documents sorted by title, 100 after the middle (p50)", progressApiTitle.Milliseconds, "ms", "raw SQL of the same keyset page and count (p50)", progressApiTitleSql, "< 300 ms", progressApiTitle.Milliseconds < 300),
            new("GET progress/annotators sorted by finished (p50)", progressPeople.Milliseconds, "ms", "raw SQL of the per-annotator counts (p50)", progressPeopleSql, "< 300 ms", progressPeople.Milliseconds < 300),
            new("GET progress/annotators (size)", progressPeople.Kilobytes, "KB", "-", 0, "< 200 KB", progressPeople.Kilobytes < 200),
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

    /// <summary>
    /// A page of the progress table as raw SQL: the documents in <paramref name="order"/> (with <paramref name="join"/>
    /// for a figure's order), then their assignments and states grouped, as the app reads them.
    /// </summary>
    private static string ProgressPageSql(long projectId, string order, string? join, string keyset, int limit) =>
        $"WITH page AS (SELECT d.id, d.title FROM documents d{(join is null ? "" : $" LEFT JOIN ({join}) AS j ON j.document_id = d.id")} " +
        $"WHERE d.project_id = {projectId}{keyset} ORDER BY {order} LIMIT {limit}) " +
        "SELECT p.id, p.title, (SELECT count(*) FROM assignments a WHERE a.document_id = p.id) AS assigned, " +
        "(SELECT count(*) FROM document_states s WHERE s.document_id = p.id AND s.status = 'finished') AS finished FROM page p";

    /// <summary>The per-annotator counts as raw SQL: assignments and states grouped by person.</summary>
    private static string ProgressPeopleSql(long projectId) =>
        $"SELECT user_id, count(*) FROM assignments WHERE project_id = {projectId} AND kind = 'annotate' GROUP BY user_id " +
        $"UNION ALL SELECT s.user_id, count(*) FROM document_states s JOIN documents d ON d.id = s.document_id WHERE d.project_id = {projectId} GROUP BY s.user_id";

    private static string CountSql(long projectId, string? search) => $"SELECT count(*) FROM documents WHERE {Filter(projectId, search)}";

    /// <summary>The median time of the page query and the count (and <paramref name="also"/>), read to the end, as the app runs them.</summary>
    private static async Task<double> SqlAsync(NpgsqlConnection connection, string page, string count, string? also = null)
    {
        var times = new List<double>();
        for (var i = 0; i < Rounds + 2; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await ScalarAsync(connection, count);
            foreach (var query in also is null ? [page] : new[] { page, also })
            {
                await using var command = new NpgsqlCommand(query, connection);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync()) { }
            }
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
