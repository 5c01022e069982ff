using System.Data;
using System.IO.Compression;
using System.Text.Json;
using Annotate.Web.Features.Agreement;
using Npgsql;

namespace Annotate.Web.Features.Exports;

/// <summary>
/// Streams one export: documents, their spans and their links are read as three ordered streams from PostgreSQL and
/// joined on the document id as they come, so memory stays flat whatever the project's size.
/// <para>
/// The three streams run on three connections (one open reader per connection), so each would otherwise see the
/// database as of its own start: a span and its link added between two of those starts could give a link whose span
/// is missing. All reads therefore share one snapshot: the first connection opens a REPEATABLE READ transaction and
/// exports its snapshot (pg_export_snapshot), and the others import it (SET TRANSACTION SNAPSHOT) before reading.
/// Every count and every stream sees the project as it was at that one moment, and nothing is buffered for it.
/// </para>
/// </summary>
public class ExportRunner(AppDbContext db)
{
    private const int CheckCancelEvery = 200;

    /// <summary>Writes the export to <paramref name="output"/>; returns the file extension of its format.</summary>
    /// <exception cref="ArgumentException">The export cannot be written as asked (see <see cref="OneAnnotatorOnly"/>).</exception>
    public async Task<string> WriteAsync(Export export, Stream output, Func<int, int, Task> progress, CancellationToken cancel)
    {
        var projectName = await db.Projects.Where(p => p.Id == export.ProjectId).Select(p => p.Name).FirstAsync(cancel);
        var connectionString = db.Database.GetConnectionString()!;
        var scope = new ExportFilter(export);

        // The snapshot every read below shares; this transaction stays open (read-only) until the export is written.
        await using var documentsConnection = await OpenAsync(connectionString, cancel);
        await Execute(documentsConnection, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", cancel);
        var snapshot = (string)(await Command(documentsConnection, "SELECT pg_export_snapshot()", export.ProjectId, scope.Annotator).ExecuteScalarAsync(cancel))!;

        if (MergesAnnotators(export.Format, export.Scope))
        {
            var annotators = Convert.ToInt32(await Command(documentsConnection, scope.AnnotatorCount(), export.ProjectId, scope.Annotator).ExecuteScalarAsync(cancel));
            // Checked when the export was asked for too; here for spans a second annotator added since.
            if (annotators > 1) throw new ArgumentException(OneAnnotatorOnly(export.Format, annotators));
        }
        var relationsLeftOut = scope.CanLeaveOutRelations
            ? Convert.ToInt32(await Command(documentsConnection, $"""
                SELECT count(*)
                FROM relations r JOIN annotations f ON f.id = r.from_id JOIN annotations t ON t.id = r.to_id
                     JOIN documents d ON d.id = f.document_id JOIN documents td ON td.id = t.document_id
                WHERE r.project_id = @project{scope.Relations("r")}
                  AND ({scope.Documents("d")}{scope.Spans("f")}) <> ({scope.Documents("td")}{scope.Spans("t")})
                """, export.ProjectId, scope.Annotator).ExecuteScalarAsync(cancel))
            : 0;
        var total = Convert.ToInt32(await Command(documentsConnection, $"SELECT count(*) FROM documents d WHERE {scope.Documents("d")}",
            export.ProjectId, scope.Annotator).ExecuteScalarAsync(cancel));
        await progress(0, total);

        await using var spansConnection = await OpenInSnapshotAsync(connectionString, snapshot, cancel);
        await using var relationsConnection = await OpenInSnapshotAsync(connectionString, snapshot, cancel);
        // Texts can be long: read each document's columns once, in order, without buffering the row.
        await using var documents = await Command(documentsConnection,
            $"SELECT d.id, d.title, d.source, d.published_at, d.text, d.sha256 FROM documents d WHERE {scope.Documents("d")} ORDER BY d.id",
            export.ProjectId, scope.Annotator).ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancel);
        await using var spans = await Command(spansConnection, $"""
            SELECT a.document_id, a.id, a.start, a."end", a.text, a.layer, a.label, u.email, a.attributes::text, a.note
            FROM annotations a JOIN documents d ON d.id = a.document_id JOIN asp_net_users u ON u.id = a.annotator_id
            WHERE {scope.Documents("d")}{scope.Spans("a")}
            ORDER BY a.document_id, a.start, a."end", a.id
            """, export.ProjectId, scope.Annotator).ExecuteReaderAsync(cancel);
        // Only links whose two ends are both in the export: one pointing at a span the file does not hold could not
        // be read back (nor imported), whatever the format.
        await using var relations = await Command(relationsConnection, $"""
            SELECT f.document_id, r.id, r.type, r.from_id, r.to_id, t.document_id, u.email, r.note
            FROM relations r JOIN annotations f ON f.id = r.from_id JOIN annotations t ON t.id = r.to_id
                 JOIN documents d ON d.id = f.document_id JOIN documents td ON td.id = t.document_id
                 JOIN asp_net_users u ON u.id = r.annotator_id
            WHERE {scope.Documents("d")}{scope.Spans("f")} AND {scope.Documents("td")}{scope.Spans("t")}{scope.Relations("r")}
            ORDER BY f.document_id, r.created_at, r.id
            """, export.ProjectId, scope.Annotator).ExecuteReaderAsync(cancel);

        var settings = new ExportSettings(export.Format, export.Scope.ToString(), export.FinishedOnly, export.Offsets, export.CreatedAt, export.ProjectId,
            projectName, relationsLeftOut);
        var writer = ExportWriter.Create(export.Format, output, settings);
        await writer.BeginAsync(cancel);
        var spanPending = await spans.ReadAsync(cancel);
        var relationPending = await relations.ReadAsync(cancel);
        var done = 0;
        while (await documents.ReadAsync(cancel))
        {
            var id = documents.GetInt64(0);
            var title = documents.GetString(1);
            var source = documents.IsDBNull(2) ? null : documents.GetString(2);
            DateTimeOffset? published = documents.IsDBNull(3) ? null : documents.GetFieldValue<DateTimeOffset>(3);
            var text = documents.GetString(4);
            var sha = documents.GetString(5);

            var documentSpans = new List<ExportSpan>();
            while (spanPending && spans.GetInt64(0) <= id)
            {
                if (spans.GetInt64(0) == id)
                {
                    using var attributes = JsonDocument.Parse(spans.GetString(8));
                    documentSpans.Add(new ExportSpan(spans.GetGuid(1), spans.GetInt32(2), spans.GetInt32(3), spans.GetString(4), spans.GetString(5),
                        spans.GetString(6), spans.GetString(7), attributes.RootElement.Clone(), spans.IsDBNull(9) ? null : spans.GetString(9)));
                }
                spanPending = await spans.ReadAsync(cancel);
            }
            var documentRelations = new List<ExportRelation>();
            while (relationPending && relations.GetInt64(0) <= id)
            {
                if (relations.GetInt64(0) == id)
                    documentRelations.Add(new ExportRelation(relations.GetGuid(1), relations.GetString(2), relations.GetGuid(3), relations.GetGuid(4),
                        id, relations.GetInt64(5), relations.GetString(6), relations.IsDBNull(7) ? null : relations.GetString(7)));
                relationPending = await relations.ReadAsync(cancel);
            }
            await writer.WriteAsync(new ExportDocument(id, title, source, published, text, sha, documentSpans, documentRelations), cancel);
            done++;
            if (done % CheckCancelEvery == 0 || done == total) await progress(done, total);
        }
        await writer.EndAsync(cancel);
        export.Notes = writer.Notes; // saved by the caller with the export's outcome
        return writer.FileExtension;
    }

    /// <summary>
    /// CoNLL tags each token once and spaCy's lines name no annotator, so several annotators' spans in one of those
    /// files would be merged into one annotation nobody made (and CoNLL would keep only some of them).
    /// </summary>
    public static bool MergesAnnotators(string format, ExportScope scope) =>
        scope.IsAll && format is ConllWriter.Name or SpacyJsonlWriter.Name;

    /// <summary>Why an export of several annotators' spans in <paramref name="format"/> is refused, and what to ask for instead.</summary>
    public static string OneAnnotatorOnly(string format, int annotators) =>
        $"{format} holds one annotation per article, but {annotators} annotators have spans in this export: choose one annotator's spans "
        + "(scope \"annotator:EMAIL\") or the curated layer (scope \"curated\"), or use annotate-jsonl, doccano-jsonl, label-studio-json or brat, which keep each annotator apart.";

    /// <summary>Writes the export into the exports folder: a temporary file, renamed when complete. Returns the file name.</summary>
    public async Task<(string FileName, long Size)> WriteFileAsync(Export export, ExportStorage storage, Func<int, int, Task> progress, CancellationToken cancel)
    {
        var temporary = storage.TemporaryPath(export.Id);
        try
        {
            var extension = await WriteToPathAsync(export, temporary, progress, cancel);
            var fileName = $"export-{export.ProjectId}-{export.Id}-{export.Format}{extension}";
            File.Move(temporary, storage.PathOf(fileName), overwrite: true);
            return (fileName, new FileInfo(storage.PathOf(fileName)).Length);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes to <paramref name="path"/> (gzip-compressed when asked); returns the file extension the format wants.</summary>
    public async Task<string> WriteToPathAsync(Export export, string path, Func<int, int, Task> progress, CancellationToken cancel)
    {
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var zipped = export.Gzip && export.Format != "brat"; // brat is already a zip
        Stream output = zipped ? new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true) : file;
        string extension;
        try
        {
            extension = await WriteAsync(export, output, progress, cancel);
        }
        finally
        {
            if (zipped) await output.DisposeAsync();
        }
        await file.FlushAsync(cancel);
        return zipped ? extension + ".gz" : extension;
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken cancel)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancel);
        return connection;
    }

    /// <summary>A connection whose transaction sees the exported <paramref name="snapshot"/>; it must be set before any read.</summary>
    private static async Task<NpgsqlConnection> OpenInSnapshotAsync(string connectionString, string snapshot, CancellationToken cancel)
    {
        // The id comes from pg_export_snapshot (e.g. 00000003-0000001B-1); SET TRANSACTION SNAPSHOT takes no parameter.
        if (!System.Text.RegularExpressions.Regex.IsMatch(snapshot, "^[0-9A-Fa-f-]+$"))
            throw new InvalidOperationException($"PostgreSQL returned an unexpected snapshot id '{snapshot}'.");
        var connection = await OpenAsync(connectionString, cancel);
        try
        {
            await Execute(connection, $"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{snapshot}'", cancel);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancel)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancel);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, long projectId, string? annotator)
    {
        var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("project", projectId);
        command.Parameters.AddWithValue("annotator", (object?)annotator ?? DBNull.Value);
        return command;
    }
}
