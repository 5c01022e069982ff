using Annotate.Web.Features.LiveSync;
using Npgsql;
using NpgsqlTypes;

namespace Annotate.Web.Features.Imports;

/// <summary>
/// Reads every file first and stores nothing unless all of them are fine; then writes the new articles with
/// one binary COPY inside one transaction. A text already in the project (same SHA-256) is reported, not stored twice.
/// <para>
/// The spans and relations an annotated file carries for such an article are not imported either, and the result
/// says so (<see cref="DuplicateDocument.SpansNotImported"/> and a warning). Putting them onto the stored article
/// would look tempting, but importing the same file twice would then double every span, and other people may be
/// annotating that article at the time; so they are reported, and whoever imports decides.
/// </para>
/// </summary>
public class DocumentImporter(AppDbContext db, ChangeLog log, ImportOptions options)
{
    /// <summary>Reads the form fields <c>annotations</c> and <c>createLabels</c> (the API's and the page's) into an import mode, finding the member it names.</summary>
    public async Task<ImportMode?> AnnotationModeAsync(long projectId, string? mode, string? createLabels)
    {
        var parsed = ImportMode.Parse(mode, createLabels);
        if (parsed is not { Kind: ImportKind.Member }) return parsed;
        var email = parsed.MemberEmail!.ToUpperInvariant();
        var userId = await db.ProjectMembers.Where(m => m.ProjectId == projectId && m.User!.NormalizedEmail == email).Select(m => m.UserId).FirstOrDefaultAsync()
            ?? throw ProblemException.BadRequest($"{parsed.MemberEmail} is not a member of this project; add them first.");
        return parsed with { MemberUserId = userId };
    }

    public async Task<ImportResult> ImportAsync(long projectId, string userId, IReadOnlyList<UploadedFile> files, CancellationToken cancel,
        ImportMode? annotations = null)
    {
        if (await db.Projects.AnyAsync(p => p.Id == projectId && p.ArchivedAt != null, cancel)) throw ProjectAccess.Archived(projectId);
        if (files.Count == 0)
            throw ProblemException.BadRequest($"No files were sent. Attach one or more files ({ImportFormats.SupportedTypes}) in the field 'files'.");

        var articles = new List<ParsedArticle>();
        var annotated = new Dictionary<ParsedArticle, ParsedAnnotatedArticle>(ReferenceEqualityComparer.Instance);
        var errors = new List<ImportError>();
        foreach (var file in files)
        {
            var name = Path.GetFileName(file.Name);
            if (file.Length > options.MaxFileBytes)
            {
                errors.Add(new(name, null, $"is {file.Length / 1048576.0:0.#} MB; the limit is {options.MaxFileMegabytes:0.#} MB (setting Import__MaxFileMegabytes)"));
                continue;
            }
            var content = file.Content ?? await ReadAsync(file, cancel);
            if (annotations is not null && ImportFormats.IsJsonLines(name))
            {
                if (!ImportFormats.TryDecode(name, content.Span, errors, out var text)) continue;
                var parsed = new List<ParsedAnnotatedArticle>();
                AnnotatedJsonlReader.Parse(name, text, parsed, errors);
                foreach (var article in parsed)
                {
                    if (ArticleFields.TitleOrName(name, "", article.Line, article.Title, errors) is not { } title) continue;
                    var plain = new ParsedArticle(article.File, article.Line, title, article.Source, article.Published, article.Text, article.Meta);
                    articles.Add(plain);
                    annotated[plain] = article;
                }
            }
            else ImportFormats.Parse(name, content, articles, errors);
        }
        if (errors.Count > 0)
        {
            var first = errors[0];
            throw ProblemException.ImportRefused(
                $"Nothing was imported: {first.Describe()}{(errors.Count > 1 ? $" (and {errors.Count - 1} more problems, listed in errors)" : "")}.",
                errors);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancel);
        var hashes = articles.Select(a => a.Sha256).Distinct().ToList();
        // A project's first import has nothing to be a duplicate of: one index probe instead of one per article.
        // (An import committed meanwhile by someone else still meets the unique index, below.)
        var existing = !await db.Documents.AnyAsync(d => d.ProjectId == projectId, cancel) ? []
            : await db.Documents
                .Where(d => d.ProjectId == projectId && hashes.Contains(d.Sha256))
                .Select(d => new { d.Id, d.Sha256 })
                .ToDictionaryAsync(d => d.Sha256, d => d.Id, cancel);

        var fresh = new List<ParsedArticle>();
        var duplicates = new List<ParsedArticle>();
        var seen = new HashSet<string>(existing.Keys);
        foreach (var article in articles)
        {
            if (seen.Add(article.Sha256)) fresh.Add(article);
            else duplicates.Add(article);
        }

        // The new articles' ids are drawn before the COPY (one round trip, in import order) rather than read back after it.
        var ids = new Dictionary<string, long>(existing);
        var freshIds = await NextIdsAsync(fresh.Count, cancel);
        for (var i = 0; i < fresh.Count; i++) ids[fresh[i].Sha256] = freshIds[i];
        try
        {
            await CopyAsync(projectId, userId, fresh, freshIds, cancel);
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw ProblemException.Conflict("Nothing was imported: another import stored one of these texts at the same moment. Import again; it will be reported as a duplicate.");
        }
        var (toWrite, leftOut, warnings) = LeaveOutAnnotationsOfDuplicates(fresh, duplicates, annotated, ids);
        var (spans, relations) = annotations is null ? (0, 0)
            : await AnnotatedImportWriter.WriteAsync(db, log, projectId, userId, annotations, toWrite, cancel);
        await transaction.CommitAsync(cancel);

        // A duplicate points at the stored copy: one already in the project, or the first of this upload.
        return new ImportResult(
            fresh.Select(a => new ImportedDocument(ids[a.Sha256], a.Title, a.File, a.Line)).ToList(),
            duplicates.Select(a => leftOut.TryGetValue(a, out var n)
                ? new DuplicateDocument(a.Title, a.File, a.Line, ids[a.Sha256], n.Spans, n.Relations)
                : new DuplicateDocument(a.Title, a.File, a.Line, ids[a.Sha256])).ToList(),
            spans, relations, warnings);
    }

    /// <summary>
    /// The new annotated articles to write, without their relations into a duplicate article of the same file (whose
    /// spans are not imported, so those links would have no end); and, per duplicate, what it carried that is not
    /// imported, with one warning for each.
    /// </summary>
    private static (List<(long DocumentId, ParsedAnnotatedArticle Article)> ToWrite,
        Dictionary<ParsedArticle, (int Spans, int Relations)> LeftOut, List<string> Warnings) LeaveOutAnnotationsOfDuplicates(
        List<ParsedArticle> fresh, List<ParsedArticle> duplicates, Dictionary<ParsedArticle, ParsedAnnotatedArticle> annotated,
        Dictionary<string, long> ids)
    {
        var warnings = new List<string>();
        var leftOut = new Dictionary<ParsedArticle, (int Spans, int Relations)>(ReferenceEqualityComparer.Instance);
        // Duplicates by where relations find them: the file and the article's "id" in it.
        var duplicateIds = new Dictionary<(string File, long FileId), ParsedArticle>();
        foreach (var duplicate in duplicates)
        {
            if (!annotated.TryGetValue(duplicate, out var article)) continue;
            if (article.FileId is { } fileId) duplicateIds.TryAdd((article.File, fileId), duplicate);
            if (article.Spans.Count > 0 || article.Relations.Count > 0) leftOut[duplicate] = (article.Spans.Count, article.Relations.Count);
        }

        var toWrite = new List<(long, ParsedAnnotatedArticle)>();
        foreach (var plain in fresh)
        {
            if (!annotated.TryGetValue(plain, out var article)) continue;
            var kept = new List<ParsedRelation>();
            foreach (var relation in article.Relations)
            {
                if (relation.ToDocument is { } other && duplicateIds.TryGetValue((article.File, other), out var target))
                {
                    var (spans, relations) = leftOut.GetValueOrDefault(target);
                    leftOut[target] = (spans, relations + 1);
                }
                else kept.Add(relation);
            }
            toWrite.Add((ids[plain.Sha256], kept.Count == article.Relations.Count ? article : article with { Relations = kept }));
        }

        foreach (var duplicate in duplicates)
        {
            if (!leftOut.TryGetValue(duplicate, out var n)) continue;
            var what = string.Join(" and ", new[] { Count(n.Spans, "span"), Count(n.Relations, "relation") }.Where(c => c.Length > 0));
            warnings.Add($"{ImportError.Where(duplicate.File, duplicate.Line)}: {what} {(n.Spans + n.Relations == 1 ? "was" : "were")} not imported: the article's text "
                + $"is already in the project as document {ids[duplicate.Sha256]}, and annotations are imported only with new articles "
                + "(add them there by hand, or delete that document and import again)");
        }
        return (toWrite, leftOut, warnings);
    }

    private static string Count(int n, string noun) => n == 0 ? "" : n == 1 ? $"1 {noun}" : $"{n} {noun}s";


    private static async Task<ReadOnlyMemory<byte>> ReadAsync(UploadedFile file, CancellationToken cancel)
    {
        var content = new byte[file.Length];
        await using (var stream = file.Open()) await stream.ReadExactlyAsync(content, cancel);
        return content;
    }

    /// <summary><paramref name="count"/> new document ids from the table's identity, ascending.</summary>
    private async Task<long[]> NextIdsAsync(int count, CancellationToken cancel)
    {
        if (count == 0) return [];
        var ids = new long[count];
        await using var command = new NpgsqlCommand(
            "SELECT nextval(pg_get_serial_sequence('documents', 'id')) AS id FROM generate_series(1, $1) ORDER BY id",
            (NpgsqlConnection)db.Database.GetDbConnection()) { Parameters = { new() { Value = count } } };
        await using var reader = await command.ExecuteReaderAsync(cancel);
        for (var i = 0; await reader.ReadAsync(cancel); i++) ids[i] = reader.GetInt64(0);
        return ids;
    }

    private async Task CopyAsync(long projectId, string userId, List<ParsedArticle> articles, long[] ids, CancellationToken cancel)
    {
        if (articles.Count == 0) return;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var now = DateTimeOffset.UtcNow;
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY documents (id, project_id, title, source, published_at, text, sha256, length, meta, imported_by_id, created_at) FROM STDIN (FORMAT BINARY)",
            cancel);
        for (var i = 0; i < articles.Count; i++)
        {
            var article = articles[i];
            await writer.StartRowAsync(cancel);
            await writer.WriteAsync(ids[i], NpgsqlDbType.Bigint, cancel);
            await writer.WriteAsync(projectId, NpgsqlDbType.Bigint, cancel);
            await writer.WriteAsync(article.Title, NpgsqlDbType.Varchar, cancel);
            if (article.Source is null) await writer.WriteNullAsync(cancel); else await writer.WriteAsync(article.Source, NpgsqlDbType.Varchar, cancel);
            if (article.Published is null) await writer.WriteNullAsync(cancel); else await writer.WriteAsync(article.Published.Value.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancel);
            await writer.WriteAsync(article.Utf8Text, NpgsqlDbType.Text, cancel); // UTF-8 as read: nothing to encode
            await writer.WriteAsync(article.Sha256, NpgsqlDbType.Varchar, cancel);
            await writer.WriteAsync(article.Length, NpgsqlDbType.Integer, cancel);
            await writer.WriteAsync(article.Meta, NpgsqlDbType.Jsonb, cancel);
            await writer.WriteAsync(userId, NpgsqlDbType.Text, cancel);
            await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancel);
        }
        await writer.CompleteAsync(cancel);
    }
}
