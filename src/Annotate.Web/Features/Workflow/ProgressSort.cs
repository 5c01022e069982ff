using System.Globalization;
using System.Text;
using Annotate.Web.Features.Documents;
using Npgsql;

namespace Annotate.Web.Features.Workflow;

/// <summary>
/// How a progress table is ordered: a column's key and a direction. Ties are broken by id, so every order is total and a
/// cursor (the last row's key and id) names one place in it: pages are keyset pages under any sort, and a row changed
/// while someone pages moves in the order instead of being shown twice or skipped by a shifted offset.
/// </summary>
public record ProgressSort(string Key, bool Desc)
{
    public string Dir => Desc ? "desc" : "asc";

    /// <summary>The documents table's columns, in the order the API and README list them.</summary>
    public static readonly IReadOnlyList<string> DocumentKeys =
        ["id", "title", "assigned", "started", "finished", "reviewers", "spans", "curatedSpans", "curation", "lastActive"];

    /// <summary>The annotators table's columns.</summary>
    public static readonly IReadOnlyList<string> AnnotatorKeys =
        ["name", "email", "assigned", "notStarted", "inProgress", "finished", "spans", "lastActive"];

    public static ProgressSort Documents(string? sort, string? dir) => Parse(sort, dir, DocumentKeys, "id", "sort", "dir");

    public static ProgressSort Annotators(string? sort, string? dir, string sortName = "sort", string dirName = "dir") =>
        Parse(sort, dir, AnnotatorKeys, "name", sortName, dirName);

    private static ProgressSort Parse(string? sort, string? dir, IReadOnlyList<string> keys, string fallback, string sortName, string dirName)
    {
        var key = string.IsNullOrWhiteSpace(sort) ? fallback : sort.Trim();
        if (!keys.Contains(key))
            throw ProblemException.Invalid($"\"{sortName}\" is one of: {string.Join(", ", keys)}.", sortName, $"One of: {string.Join(", ", keys)}.");
        return (dir?.Trim().ToLowerInvariant()) switch
        {
            null or "" or "asc" => new ProgressSort(key, false),
            "desc" => new ProgressSort(key, true),
            _ => throw ProblemException.Invalid($"\"{dirName}\" is \"asc\" or \"desc\".", dirName, "asc or desc."),
        };
    }

    // A cursor is opaque to clients; inside it names the sort it was made under, the last row's id and its key (last, as
    // a title may hold any character).
    private const string CursorPrefix = "p1";

    public string Cursor(string id, string key) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('\n', CursorPrefix, Key, Dir, id, key))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The (id, key) a cursor of this sort names; a cursor of another sort or none of ours is a 400.</summary>
    public (string Id, string Key) Read(string cursor)
    {
        string[] parts = [];
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            parts = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '='))).Split('\n', 5);
        }
        catch (FormatException) { }
        if (parts.Length != 5 || parts[0] != CursorPrefix)
            throw ProblemException.BadRequest("This cursor was not made by this list: send back the \"next\" of a page, or leave it out to start at the first page.");
        if (parts[1] != Key || parts[2] != Dir)
            throw ProblemException.BadRequest($"This cursor belongs to the list sorted by {parts[1]} {parts[2]}: send the same sort and dir with it, or leave it out to start again.");
        return (parts[3], parts[4]);
    }
}

/// <summary>
/// The per-document table's order, in the database: each key is one grouped count (or maximum) joined to the project's
/// documents, so sorting 100,000 articles by finished is one hash join and a top-N sort, and sorting by id or title
/// reads an index. Keys are never null (a document with nothing counts 0, never active sorts first), so row
/// comparison (key, id) > (cursor) is the keyset.
/// </summary>
public class ProgressOrder(AppDbContext db)
{
    private record Column(string Expression, string Type, string? Join = null);

    // Every join is per project (@project), so one project's figures never scan another's rows beyond an index.
    private const string ProjectDocuments = "document_id IN (SELECT id FROM documents WHERE project_id = @project)";

    private static readonly Dictionary<string, Column> Columns = new()
    {
        ["id"] = new("d.id", "bigint"),
        ["title"] = new("d.title", "text"),
        ["assigned"] = Counted("SELECT document_id, count(*) AS k FROM assignments WHERE project_id = @project AND kind = 'annotate' GROUP BY document_id"),
        ["reviewers"] = Counted("SELECT document_id, count(*) AS k FROM assignments WHERE project_id = @project AND kind = 'curate' GROUP BY document_id"),
        ["started"] = Counted($"SELECT document_id, count(*) AS k FROM document_states WHERE {ProjectDocuments} AND status <> 'new' GROUP BY document_id"),
        ["finished"] = Counted($"SELECT document_id, count(*) AS k FROM document_states WHERE {ProjectDocuments} AND status = 'finished' GROUP BY document_id"),
        ["spans"] = Counted("SELECT document_id, count(*) AS k FROM annotations WHERE project_id = @project AND origin <> 'curated' GROUP BY document_id"),
        ["curatedSpans"] = Counted("SELECT document_id, count(*) AS k FROM annotations WHERE project_id = @project AND origin = 'curated' GROUP BY document_id"),
        // Towards done: not started, in progress, reopened (work again), curated.
        ["curation"] = new("COALESCE(j.k, 0)", "integer",
            "SELECT document_id, CASE state WHEN 'in_progress' THEN 1 WHEN 'reopened' THEN 2 WHEN 'curated' THEN 3 ELSE 0 END AS k FROM document_curations WHERE project_id = @project"),
        ["lastActive"] = new("COALESCE(j.k, '-infinity'::timestamptz)", "timestamptz",
            $"""
            SELECT document_id, max(t) AS k FROM (
                SELECT document_id, updated_at AS t FROM document_states WHERE {ProjectDocuments}
                UNION ALL SELECT document_id, updated_at FROM annotations WHERE project_id = @project AND origin <> 'curated') AS activity
            GROUP BY document_id
            """),
    };

    private static Column Counted(string grouped) => new("COALESCE(j.k, 0)", "bigint", grouped);

    public record Keyed(long Id, string Key);

    /// <summary>One page of the project's documents matching <paramref name="query"/>, in <paramref name="sort"/>'s order (all of them when <paramref name="limit"/> is null).</summary>
    public async Task<(IReadOnlyList<long> Ids, string? Next, string? Previous, int Total)> PageAsync(long projectId, DocumentListQuery query, ProgressSort sort, int? limit)
    {
        if (query.After is not null && query.Before is not null) throw ProblemException.BadRequest("Send one cursor, not both.");
        var column = Columns[sort.Key];
        var parameters = new List<NpgsqlParameter> { new("project", projectId) };
        var filters = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // As the documents list searches: title or source contains the words, any case, % and _ as themselves.
            parameters.Add(new NpgsqlParameter("pattern", "%" + query.Search.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%"));
            filters.Append(@" AND (d.title ILIKE @pattern ESCAPE '\' OR d.source ILIKE @pattern ESCAPE '\')");
        }
        if (query.Assignee == DocumentList.NoAssignee)
            filters.Append(" AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.document_id = d.id AND a.kind = 'annotate')");
        else if (query.Assignee is { } assignee)
        {
            parameters.Add(new NpgsqlParameter("assignee", assignee));
            filters.Append(" AND EXISTS (SELECT 1 FROM assignments a WHERE a.document_id = d.id AND a.user_id = @assignee AND a.kind = 'annotate')");
        }
        var from = $"documents d{(column.Join is null ? "" : $" LEFT JOIN ({column.Join}) AS j ON j.document_id = d.id")}";
        // Every piece of the SQL below is this class's own text (a column from the table above, a filter); what the
        // caller sent travels as parameters only.
        var countSql = $"SELECT count(*)::int AS \"Value\" FROM documents d WHERE d.project_id = @project{filters}";
        var total = await db.Database.SqlQueryRaw<int>(countSql, parameters.Select(Clone).ToArray()).SingleAsync();

        // Backwards (a Previous link) reads the order reversed from the cursor, then turns the page round.
        var backwards = query.Before is not null;
        var descending = sort.Desc != backwards;
        var keyset = "";
        if ((query.After ?? query.Before) is { } cursor)
        {
            var (id, key) = sort.Read(cursor);
            if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var cursorId))
                throw ProblemException.BadRequest("This cursor was not made by this list: send back the \"next\" of a page, or leave it out to start at the first page.");
            parameters.Add(new NpgsqlParameter("cursor_id", cursorId));
            parameters.Add(new NpgsqlParameter("cursor_key", key));
            keyset = $" AND ({column.Expression}, d.id) {(descending ? "<" : ">")} (CAST(@cursor_key AS {column.Type}), @cursor_id)";
        }
        var direction = descending ? "DESC" : "ASC";
        var take = limit is { } n ? $" LIMIT {n + 1}" : "";
        var pageSql = $"SELECT d.id AS \"Id\", ({column.Expression})::text AS \"Key\" FROM {from} WHERE d.project_id = @project{filters}{keyset} "
            + $"ORDER BY {column.Expression} {direction}, d.id {direction}{take}";
        List<Keyed> rows;
        try
        {
            rows = await db.Database.SqlQueryRaw<Keyed>(pageSql, parameters.ToArray()).ToListAsync();
        }
        catch (PostgresException invalid) when (invalid.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            // Class 22 (data exception): the cursor's key does not read as this column's type, so it was not ours.
            throw ProblemException.BadRequest("This cursor was not made by this list: send back the \"next\" of a page, or leave it out to start at the first page.");
        }
        var more = limit is { } l && rows.Count > l;
        var page = (more ? rows.Take(limit!.Value) : rows).ToList();
        if (backwards) page.Reverse();
        string? Mark(Keyed row) => sort.Cursor(row.Id.ToString(CultureInfo.InvariantCulture), row.Key);
        var next = page.Count == 0 ? null : backwards || more ? Mark(page[^1]) : null;
        var previous = page.Count == 0 ? null : backwards ? (more ? Mark(page[0]) : null) : query.After is not null ? Mark(page[0]) : null;
        return (page.Select(r => r.Id).ToList(), next, previous, total);
    }

    // A parameter belongs to one command: the count and the page each get their own.
    private static NpgsqlParameter Clone(NpgsqlParameter p) => new(p.ParameterName, p.Value);
}
