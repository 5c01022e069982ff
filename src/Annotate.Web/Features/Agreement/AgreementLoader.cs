using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Documents;
using Npgsql;
using static Annotate.Web.Features.Agreement.DocumentComputation;

namespace Annotate.Web.Features.Agreement;

/// <summary>
/// Everything the agreement report reads from the database, and the only part of it that does I/O: which documents are
/// in scope and who coded them, the coders' names, and batches of documents with their spans and links. Curated spans
/// (the reviewers' own layer) are left out.
/// </summary>
public class AgreementLoader(AppDbContext db)
{
    /// <summary>Documents in scope and their coders: those who finished it (scope finished) or annotated it (scope all), two or more.</summary>
    public async Task<Dictionary<long, List<string>>> CodersAsync(long projectId, AgreementScope scope, CancellationToken cancel)
    {
        if (scope == AgreementScope.Finished)
        {
            var finished = await db.DocumentStates.AsNoTracking()
                .Where(s => s.Document!.ProjectId == projectId && s.Status == DocumentStatus.Finished)
                .Select(s => new { s.DocumentId, s.UserId }).ToListAsync(cancel);
            return finished.GroupBy(s => s.DocumentId).Where(g => g.Count() >= 2).ToDictionary(g => g.Key, g => g.Select(s => s.UserId).ToList());
        }
        var annotated = await db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId && a.Origin != AnnotationOrigin.Curated)
            .Select(a => new { a.DocumentId, a.AnnotatorId }).Distinct().ToListAsync(cancel);
        return annotated.GroupBy(a => a.DocumentId).Where(g => g.Count() >= 2).ToDictionary(g => g.Key, g => g.Select(a => a.AnnotatorId).ToList());
    }

    /// <summary>Display names of these users (a user without one is shown by id).</summary>
    public Task<Dictionary<string, string>> NamesAsync(IReadOnlyCollection<string> userIds, CancellationToken cancel) =>
        db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancel);

    /// <summary>
    /// One batch of documents with their coders' spans and links, in the order of <paramref name="ids"/>. Each batch is
    /// read on a connection of its own, so the next one loads while the previous one is computed. Spans (a million rows is
    /// common) are read row by row, each row's columns from the reader's buffer.
    /// </summary>
    public async Task<List<DocumentInput>> LoadAsync(IReadOnlyList<long> ids, IReadOnlyDictionary<long, List<string>> coders, CancellationToken cancel)
    {
        await using var connection = new NpgsqlConnection(db.Database.GetConnectionString());
        await connection.OpenAsync(cancel);
        var idArray = ids.ToArray();
        var documents = new Dictionary<long, (string Title, string Text, int Length)>();
        await using (var command = new NpgsqlCommand("SELECT id, title, text, length FROM documents WHERE id = ANY(@ids)", connection))
        {
            command.Parameters.AddWithValue("ids", idArray);
            await using var reader = await command.ExecuteReaderAsync(cancel);
            while (await reader.ReadAsync(cancel)) documents[reader.GetInt64(0)] = (reader.GetString(1), reader.GetString(2), reader.GetInt32(3));
        }
        var strings = new Dictionary<string, string>(); // one string per label and annotator, not one per row
        string Intern(string value) => strings.TryGetValue(value, out var known) ? known : strings[value] = value;
        var spans = await SpansAsync(connection, idArray, Intern, cancel);
        var links = await LinksAsync(connection, idArray, Intern, cancel);
        return ids.Where(documents.ContainsKey).Select(id => new DocumentInput(id, documents[id].Title, documents[id].Text, documents[id].Length,
            coders[id], spans.GetValueOrDefault(id) ?? [], links.GetValueOrDefault(id) ?? [])).ToList();
    }

    private static async Task<Dictionary<long, List<CodedSpan>>> SpansAsync(NpgsqlConnection connection, long[] ids, Func<string, string> intern,
        CancellationToken cancel)
    {
        var spans = new Dictionary<long, List<CodedSpan>>();
        // A plain query, not a binary COPY: each row comes whole into the reader's buffer, and its six columns are read
        // from there, where the COPY awaited each column. Over 1,000,000 spans the report's wait for its batches went
        // from 1.6 s to 0.5 s (./annotate bench agreement).
        await using var command = new NpgsqlCommand("""
            SELECT document_id, annotator_id, layer = 'claim', label, start, "end" FROM annotations
            WHERE document_id = ANY(@ids) AND origin <> 'curated'
            """, connection);
        command.Parameters.AddWithValue("ids", ids);
        await using var reader = await command.ExecuteReaderAsync(cancel);
        while (await reader.ReadAsync(cancel))
        {
            var document = reader.GetInt64(0);
            if (!spans.TryGetValue(document, out var list)) spans[document] = list = [];
            list.Add(new CodedSpan(intern(reader.GetString(1)), reader.GetBoolean(2) ? AnnotationLayer.Claim : AnnotationLayer.Entity,
                intern(reader.GetString(3)), reader.GetInt32(4), reader.GetInt32(5)));
        }
        return spans;
    }

    /// <summary>Contradicts and supports links with either end in the batch, each kept with the document of its first end.</summary>
    private static async Task<Dictionary<long, List<CodedLink>>> LinksAsync(NpgsqlConnection connection, long[] ids, Func<string, string> intern,
        CancellationToken cancel)
    {
        var links = new Dictionary<long, List<CodedLink>>();
        var batch = ids.ToHashSet();
        await using var command = new NpgsqlCommand("""
            SELECT r.id, r.annotator_id, r.type, f.document_id, f.start, f."end", t.document_id, t.start, t."end"
            FROM relations r JOIN annotations f ON f.id = r.from_id JOIN annotations t ON t.id = r.to_id
            WHERE r.type = ANY(@types) AND f.document_id = ANY(@ids) AND f.origin <> 'curated' AND t.origin <> 'curated'
            UNION
            SELECT r.id, r.annotator_id, r.type, f.document_id, f.start, f."end", t.document_id, t.start, t."end"
            FROM relations r JOIN annotations f ON f.id = r.from_id JOIN annotations t ON t.id = r.to_id
            WHERE r.type = ANY(@types) AND t.document_id = ANY(@ids) AND f.origin <> 'curated' AND t.origin <> 'curated'
            """, connection);
        command.Parameters.AddWithValue("ids", ids);
        command.Parameters.AddWithValue("types", LinkTypes);
        await using var reader = await command.ExecuteReaderAsync(cancel);
        while (await reader.ReadAsync(cancel))
        {
            var type = reader.GetString(2);
            var from = (Document: reader.GetInt64(3), Start: reader.GetInt32(4), End: reader.GetInt32(5));
            var to = (Document: reader.GetInt64(6), Start: reader.GetInt32(7), End: reader.GetInt32(8));
            // "A contradicts B" says the same as "B contradicts A": its ends are an unordered pair, so put them in
            // one order. A support keeps its direction.
            if (type == Contradicts && to.CompareTo(from) < 0) (from, to) = (to, from);
            // A link is compared on the document of its first end, so a link between two documents counts once
            // and two annotators' copies of it meet on the same document.
            if (!batch.Contains(from.Document)) continue;
            if (!links.TryGetValue(from.Document, out var list)) links[from.Document] = list = [];
            list.Add(new CodedLink(intern(reader.GetString(1)), type == Contradicts ? Contradicts : Supports,
                $"{type}|{from.Document}:{from.Start}-{from.End}|{to.Document}:{to.Start}-{to.End}"));
        }
        return links;
    }
}
