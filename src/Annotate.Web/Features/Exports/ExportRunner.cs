using System.Data;
using System.IO.Compression;
using System.Text.Json;
using Annotate.Web.Data;
using Annotate.Web.Features.Agreement;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Annotate.Web.Features.Exports;

/// <summary>Where finished exports live (Exports__Folder), and how long (Exports__KeepDays).</summary>
public class ExportStorage(IConfiguration configuration)
{
    public string Folder
    {
        get
        {
            var folder = configuration["Exports:Folder"] is { Length: > 0 } configured ? configured : Path.Combine(AppContext.BaseDirectory, "exports");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    public TimeSpan KeepFor => TimeSpan.FromDays(configuration.GetValue("Exports:KeepDays", 7.0));

    public string PathOf(string fileName) => Path.Combine(Folder, Path.GetFileName(fileName));

    /// <summary>Where an export is written while it runs; renamed to its file name only when complete.</summary>
    public string TemporaryPath(long exportId) => Path.Combine(Folder, $"{exportId}.part");
}

/// <summary>
/// Streams one export: documents, their spans and their links are read as three ordered streams from PostgreSQL and
/// joined on the document id as they come, so memory stays flat whatever the project's size.
/// </summary>
public class ExportRunner(AppDbContext db)
{
    private const int CheckCancelEvery = 200;

    /// <summary>Writes the export to <paramref name="output"/>; returns the file extension of its format.</summary>
    public async Task<string> WriteAsync(Export export, Stream output, Func<int, int, Task> progress, CancellationToken cancel)
    {
        var projectName = await db.Projects.Where(p => p.Id == export.ProjectId).Select(p => p.Name).FirstAsync(cancel);
        var settings = new ExportSettings(export.Format, export.Scope, export.FinishedOnly, export.Offsets, export.CreatedAt, export.ProjectId, projectName);
        var connectionString = db.Database.GetConnectionString()!;
        var annotator = export.Scope.StartsWith("annotator:", StringComparison.Ordinal) ? export.Scope["annotator:".Length..] : null;

        // Which documents, and which of their spans and links.
        var documentFilter = "d.project_id = @project" + (export.FinishedOnly
            ? " AND EXISTS (SELECT 1 FROM document_states s WHERE s.document_id = d.id AND s.status = 'finished'" + (annotator is null ? ")" : " AND s.user_id = @annotator)")
            : "");
        var spanFilter = export.Scope switch
        {
            "curated" => " AND a.origin = 'curated'",
            _ when annotator is not null => " AND a.annotator_id = @annotator",
            _ => "",
        };
        var relationFilter = export.Scope switch
        {
            "curated" => " AND f.origin = 'curated' AND t.origin = 'curated'",
            _ when annotator is not null => " AND r.annotator_id = @annotator",
            _ => "",
        };

        await using var counting = await OpenAsync(connectionString, cancel);
        var total = Convert.ToInt32(await Command(counting, $"SELECT count(*) FROM documents d WHERE {documentFilter}", export.ProjectId, annotator).ExecuteScalarAsync(cancel));
        await progress(0, total);

        await using var documentsConnection = await OpenAsync(connectionString, cancel);
        await using var spansConnection = await OpenAsync(connectionString, cancel);
        await using var relationsConnection = await OpenAsync(connectionString, cancel);
        // Texts can be long: read each document's columns once, in order, without buffering the row.
        await using var documents = await Command(documentsConnection,
            $"SELECT d.id, d.title, d.source, d.published_at, d.text, d.sha256 FROM documents d WHERE {documentFilter} ORDER BY d.id",
            export.ProjectId, annotator).ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancel);
        await using var spans = await Command(spansConnection, $"""
            SELECT a.document_id, a.id, a.start, a."end", a.text, a.layer, a.label, u.email, a.attributes::text, a.note
            FROM annotations a JOIN documents d ON d.id = a.document_id JOIN asp_net_users u ON u.id = a.annotator_id
            WHERE {documentFilter}{spanFilter}
            ORDER BY a.document_id, a.start, a."end", a.id
            """, export.ProjectId, annotator).ExecuteReaderAsync(cancel);
        await using var relations = await Command(relationsConnection, $"""
            SELECT f.document_id, r.id, r.type, r.from_id, r.to_id, t.document_id, u.email, r.note
            FROM relations r JOIN annotations f ON f.id = r.from_id JOIN annotations t ON t.id = r.to_id
                 JOIN documents d ON d.id = f.document_id JOIN asp_net_users u ON u.id = r.annotator_id
            WHERE {documentFilter}{relationFilter}
            ORDER BY f.document_id, r.created_at, r.id
            """, export.ProjectId, annotator).ExecuteReaderAsync(cancel);

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
        return writer.FileExtension;
    }

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

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, long projectId, string? annotator)
    {
        var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("project", projectId);
        command.Parameters.AddWithValue("annotator", (object?)annotator ?? DBNull.Value);
        return command;
    }
}
