using System.Text;
using System.Text.Json;
using Annotate.Agreement;
using Annotate.Web.Data;
using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Documents;
using Microsoft.EntityFrameworkCore;

namespace Annotate.Web.Features.Agreement;

/// <summary>
/// Computes a project's agreement report from the database, one batch of documents at a time, using the measures of
/// Annotate.Agreement. Coders of a document are the annotators who finished it (scope "finished", documents finished by
/// two or more) or everyone who annotated it (scope "all").
/// <list type="bullet">
/// <item>Span F1 for every pair of annotators, exact and overlap matching, with and without the label, micro and per label.</item>
/// <item>Token-level Krippendorff's alpha (nominal), Fleiss' kappa and, per pair, Cohen's kappa over the entity layer:
/// each token gets the label of the outermost entity span covering it, or "O" (outside any span) as a category of its own.
/// Tokens are runs of letters and digits, or single other non-space characters.</item>
/// <item>Unitizing alpha per label over each document's characters (code points); per label and overall over all
/// documents as 1 − mean D_o / mean D_e. Overlapping spans of one annotator and label are merged first.</item>
/// <item>Link agreement: two relations match when their types and both ends (document, start, end) match.</item>
/// </list>
/// </summary>
public class AgreementComputer(AppDbContext db)
{
    private const int Batch = 100;

    /// <summary>One document's figures: mean pairwise exact span F1, token alpha, unitizing alpha per label.</summary>
    public record DocumentAgreement(long DocumentId, string Title, List<string> Annotators, double? SpanF1Exact, double? TokenAlpha, Dictionary<string, double?> AlphaU);

    private record Span(string Annotator, AnnotationLayer Layer, string Label, int Start, int End);
    private sealed class Counts { public long Matched, InA, InB; public void Add(SpanScores s) { Matched += s.Matched; InA += s.InA; InB += s.InB; } }
    private sealed class PairStats
    {
        public readonly Counts Exact = new(), ExactIgnoringLabel = new(), Overlap = new(), OverlapIgnoringLabel = new(), Links = new();
        public readonly Dictionary<string, (Counts Exact, Counts Overlap)> PerLabel = [];
        public int Documents;
    }

    public async Task<string> ComputeAsync(AgreementReport report, Func<int, int, Task> progress, CancellationToken cancel)
    {
        var projectId = report.ProjectId;
        var coders = await CodersAsync(projectId, report.Scope, cancel);
        var documentIds = coders.Keys.Order().ToList();
        await progress(0, documentIds.Count);
        var names = await db.Users.AsNoTracking().Select(u => new { u.Id, u.DisplayName }).ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancel);
        var annotators = coders.Values.SelectMany(c => c).Distinct().Order().ToList();

        var pairs = new Dictionary<(string A, string B), PairStats>();
        // Token-level measures are sums over tokens: accumulate them, so memory does not grow with the corpus.
        var tokens = new NominalAccumulator();
        var pairTokens = new Dictionary<(string A, string B), ConfusionAccumulator>();
        var tokenCount = 0L;
        var perDocument = new List<DocumentAgreement>();
        var unitizing = new Dictionary<string, (double Observed, double Expected, int Documents)>();
        var notes = new List<string>();

        var loading = new System.Diagnostics.Stopwatch();
        var computing = new System.Diagnostics.Stopwatch();
        // Batches are read on their own connection while the previous batch is computed.
        var connectionString = db.Database.GetConnectionString()!;
        var batches = documentIds.Chunk(Batch).ToList();
        var next = batches.Count > 0 ? LoadAsync(connectionString, batches[0], cancel) : null;
        for (var index = 0; index < batches.Count; index++)
        {
            var offset = index * Batch;
            var batch = batches[index].ToList();
            loading.Start();
            var (documents, spans, links) = await next!;
            next = index + 1 < batches.Count ? LoadAsync(connectionString, batches[index + 1], cancel) : null;
            loading.Stop();
            computing.Start();
            // Documents are independent: compute them on every core, then merge in document order.
            var results = batch.AsParallel().AsOrdered().WithCancellation(cancel)
                .Select(id => ComputeDocument(id, documents[id].Title, documents[id].Text, documents[id].Length, coders[id],
                    spans.GetValueOrDefault(id) ?? [], links.GetValueOrDefault(id) ?? [], annotators, names))
                .ToList();
            foreach (var result in results)
            {
                foreach (var (a, b, scores, linkCounts) in result.Pairs)
                {
                    var stats = pairs.TryGetValue((a, b), out var found) ? found : pairs[(a, b)] = new PairStats();
                    stats.Documents++;
                    stats.Exact.Add(scores.Exact.WithLabel);
                    stats.ExactIgnoringLabel.Add(scores.Exact.IgnoringLabel);
                    stats.Overlap.Add(scores.Overlap.WithLabel);
                    stats.OverlapIgnoringLabel.Add(scores.Overlap.IgnoringLabel);
                    foreach (var (label, labelScores) in scores.PerLabel)
                    {
                        if (!stats.PerLabel.TryGetValue(label, out var counts)) stats.PerLabel[label] = counts = (new Counts(), new Counts());
                        counts.Exact.Add(labelScores.Exact);
                        counts.Overlap.Add(labelScores.Overlap);
                    }
                    Sum(stats.Links, linkCounts);
                }
                tokens.Add(result.TokenAgreement);
                tokenCount += result.Tokens;
                foreach (var (key, confusion) in result.PairTokens)
                {
                    if (!pairTokens.TryGetValue(key, out var total)) pairTokens[key] = total = new ConfusionAccumulator();
                    total.Add(confusion);
                }
                foreach (var (label, (observed, expected)) in result.Unitizing)
                {
                    var sum = unitizing.GetValueOrDefault(label);
                    unitizing[label] = (sum.Observed + observed, sum.Expected + expected, sum.Documents + 1);
                }
                perDocument.Add(result.Summary);
            }
            computing.Stop();
            await progress(Math.Min(offset + Batch, documentIds.Count), documentIds.Count);
        }
        var pooling = System.Diagnostics.Stopwatch.StartNew();

        double? tokenAlpha = tokenCount > 0 ? Finite(tokens.KrippendorffAlpha()) : null;
        var fleissValue = tokens.FleissKappa();
        double? fleiss = fleissValue is { } f ? Finite(f) : null;
        if (tokenCount > 0 && fleissValue is null) notes.Add("Fleiss' kappa needs the same number of annotators on every document; it is left out.");
        var cohen = pairTokens.ToDictionary(p => p.Key, p => Finite(p.Value.CohenKappa()));

        var pairViews = pairs.Select(p => new
        {
            a = p.Key.A, aName = names.GetValueOrDefault(p.Key.A, p.Key.A),
            b = p.Key.B, bName = names.GetValueOrDefault(p.Key.B, p.Key.B),
            documents = p.Value.Documents,
            spanF1Exact = F1(p.Value.Exact), spanF1Overlap = F1(p.Value.Overlap),
            spanF1ExactIgnoringLabel = F1(p.Value.ExactIgnoringLabel), spanF1OverlapIgnoringLabel = F1(p.Value.OverlapIgnoringLabel),
            tokenCohenKappa = cohen.GetValueOrDefault(p.Key),
            linkF1 = F1(p.Value.Links), links = new { p.Value.Links.Matched, p.Value.Links.InA, p.Value.Links.InB },
        }).ToList();
        pooling.Stop();

        var labels = pairs.Values.SelectMany(p => p.PerLabel.Keys).Concat(unitizing.Keys).Distinct().Order().ToList();
        var perLabel = labels.ToDictionary(label => label, label =>
        {
            var exact = new Counts(); var overlap = new Counts();
            foreach (var p in pairs.Values)
                if (p.PerLabel.TryGetValue(label, out var c)) { Sum(exact, c.Exact); Sum(overlap, c.Overlap); }
            var u = unitizing.GetValueOrDefault(label);
            return new { spanF1Exact = F1(exact), spanF1Overlap = F1(overlap), alphaU = u.Documents > 0 && u.Expected > 0 ? Finite(1 - u.Observed / u.Expected) : null };
        });
        double? overallAlphaU = unitizing.Count > 0 && unitizing.Values.Sum(u => u.Expected) > 0
            ? Finite(1 - unitizing.Values.Average(u => u.Observed / u.Documents) / unitizing.Values.Average(u => u.Expected / u.Documents)) : null;
        var all = new PairStats();
        foreach (var p in pairs.Values) { Sum(all.Exact, p.Exact); Sum(all.Overlap, p.Overlap); Sum(all.ExactIgnoringLabel, p.ExactIgnoringLabel); Sum(all.OverlapIgnoringLabel, p.OverlapIgnoringLabel); Sum(all.Links, p.Links); }
        if (documentIds.Count == 0) notes.Add(report.Scope == AgreementScope.Finished
            ? "No document is finished by two or more annotators yet; compute over all documents to see provisional figures."
            : "No document has two or more annotators yet.");

        return JsonSerializer.Serialize(new
        {
            computedAt = DateTimeOffset.UtcNow,
            scope = report.Scope,
            documents = documentIds.Count,
            annotators = annotators.Select(a => new { id = a, name = names.GetValueOrDefault(a, a) }),
            overall = new
            {
                spanF1Exact = F1(all.Exact), spanF1Overlap = F1(all.Overlap),
                spanF1ExactIgnoringLabel = F1(all.ExactIgnoringLabel), spanF1OverlapIgnoringLabel = F1(all.OverlapIgnoringLabel),
                tokenAlpha, tokenFleissKappa = fleiss, alphaU = overallAlphaU, linkF1 = F1(all.Links), tokens = tokenCount,
            },
            perLabel,
            pairs = pairViews,
            // The documents people agree on least come first: that is where a reviewer looks.
            perDocument = perDocument.OrderBy(d => d.SpanF1Exact ?? 2.0).ThenBy(d => d.TokenAlpha ?? 2.0).ToList(),
            notes,
            timingsMs = new { loading = loading.ElapsedMilliseconds, documents = computing.ElapsedMilliseconds, pooled = pooling.ElapsedMilliseconds },
        }, Infrastructure.JsonOptions.Api);
    }

    private record DocumentResult(List<(string A, string B, SpanAgreementResult Scores, Counts Links)> Pairs,
        NominalAccumulator TokenAgreement, Dictionary<(string A, string B), ConfusionAccumulator> PairTokens, int Tokens, Dictionary<string, (double Observed, double Expected)> Unitizing, DocumentAgreement Summary);

    /// <summary>Everything one document contributes; pure, so documents can be computed in parallel.</summary>
    private static DocumentResult ComputeDocument(long id, string title, string text, int length, List<string> codersOfDocument,
        List<Span> docSpans, List<(string AnnotatorId, string Key)> docLinks, List<string> annotators, Dictionary<string, string> names)
    {
        var docCoders = codersOfDocument.Order().ToList();
        var byCoder = docCoders.ToDictionary(c => c, c => docSpans.Where(s => s.Annotator == c).ToList());

        // Span and link agreement for every pair of this document's coders.
        var pairs = new List<(string, string, SpanAgreementResult, Counts)>();
        var pairF1 = new List<double>();
        for (var i = 0; i < docCoders.Count; i++)
        for (var j = i + 1; j < docCoders.Count; j++)
        {
            var (a, b) = (docCoders[i], docCoders[j]);
            var result = SpanAgreement.Compare(ToLabelled(byCoder[a]), ToLabelled(byCoder[b]));
            if (byCoder[a].Count + byCoder[b].Count > 0) pairF1.Add(result.Exact.WithLabel.F1);
            var linksA = docLinks.Where(l => l.AnnotatorId == a).Select(l => l.Key).ToList();
            var remaining = docLinks.Where(l => l.AnnotatorId == b).GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.Count());
            var matched = 0;
            foreach (var key in linksA)
                if (remaining.TryGetValue(key, out var n) && n > 0) { remaining[key] = n - 1; matched++; }
            pairs.Add((a, b, result, new Counts { Matched = matched, InA = linksA.Count, InB = docLinks.Count(l => l.AnnotatorId == b) }));
        }

        // Token labels of the entity layer.
        var codePoints = text.EnumerateRunes().ToArray();
        var tokens = Tokens(codePoints);
        var tokenLabels = docCoders.ToDictionary(c => c, c => TokenLabels(codePoints.Length, tokens, byCoder[c].Where(s => s.Layer == AnnotationLayer.Entity)));
        // Token units of this document: alpha for the document, and the sums the project's figures are made of.
        var tokenAgreement = new NominalAccumulator();
        var pairTokens = new Dictionary<(string A, string B), ConfusionAccumulator>();
        var rows = docCoders.Select(c => tokenLabels[c]).ToList();
        var unit = new string?[rows.Count];
        for (var t = 0; t < tokens.Count; t++)
        {
            for (var c = 0; c < rows.Count; c++) unit[c] = rows[c][t];
            tokenAgreement.AddUnit(unit);
        }
        for (var i = 0; i < docCoders.Count; i++)
        for (var j = i + 1; j < docCoders.Count; j++)
        {
            var confusion = pairTokens[(docCoders[i], docCoders[j])] = new ConfusionAccumulator();
            for (var t = 0; t < tokens.Count; t++) confusion.Add(rows[i][t], rows[j][t]);
        }
        double? documentAlpha = docCoders.Count >= 2 && tokens.Count > 0 ? Finite(tokenAgreement.KrippendorffAlpha()) : null;

        // Unitizing alpha per label over the document's characters.
        var unitizing = new Dictionary<string, (double, double)>();
        var documentUnitizing = new Dictionary<string, double?>();
        if (docCoders.Count >= 2)
        {
            var raterOf = docCoders.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
            var units = new List<UnitizedSegment>();
            foreach (var group in docSpans.Where(s => raterOf.ContainsKey(s.Annotator)).GroupBy(s => (s.Annotator, s.Label)))
                foreach (var (start, end) in Merge(group.Select(s => (s.Start, s.End))))
                    units.Add(new UnitizedSegment(raterOf[group.Key.Annotator], start, end - start, group.Key.Label));
            if (units.Count > 0)
            {
                var alphaU = UnitizingAlpha.Compute(0, length, docCoders.Count, units);
                foreach (var (label, category) in alphaU.Categories)
                {
                    documentUnitizing[label] = Finite(category.Alpha);
                    unitizing[label] = (category.Observed, category.Expected);
                }
            }
        }
        var summary = new DocumentAgreement(id, title, docCoders.Select(c => names.GetValueOrDefault(c, c)).ToList(),
            pairF1.Count > 0 ? Finite(pairF1.Average()) : null, documentAlpha, documentUnitizing);
        return new DocumentResult(pairs, tokenAgreement, pairTokens, tokens.Count, unitizing, summary);
    }

    private record Loaded(Dictionary<long, (string Title, string Text, int Length)> Documents, Dictionary<long, List<Span>> Spans,
        Dictionary<long, List<(string AnnotatorId, string Key)>> Links);

    /// <summary>One batch of documents with their spans and links, read with plain data readers (a million rows is common).</summary>
    private static async Task<Loaded> LoadAsync(string connectionString, long[] ids, CancellationToken cancel)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancel);
        var documents = new Dictionary<long, (string, string, int)>();
        await using (var command = new Npgsql.NpgsqlCommand("SELECT id, title, text, length FROM documents WHERE id = ANY(@ids)", connection))
        {
            command.Parameters.AddWithValue("ids", ids);
            await using var reader = await command.ExecuteReaderAsync(cancel);
            while (await reader.ReadAsync(cancel)) documents[reader.GetInt64(0)] = (reader.GetString(1), reader.GetString(2), reader.GetInt32(3));
        }
        var spans = new Dictionary<long, List<Span>>();
        var labels = new Dictionary<string, string>(); // one string per label and annotator, not one per row
        string Intern(string value) => labels.TryGetValue(value, out var known) ? known : labels[value] = value;
        await using (var command = new Npgsql.NpgsqlCommand("SELECT document_id, annotator_id, layer, label, start, \"end\" FROM annotations WHERE document_id = ANY(@ids)", connection))
        {
            command.Parameters.AddWithValue("ids", ids);
            await using var reader = await command.ExecuteReaderAsync(cancel);
            while (await reader.ReadAsync(cancel))
            {
                var document = reader.GetInt64(0);
                if (!spans.TryGetValue(document, out var list)) spans[document] = list = [];
                list.Add(new Span(Intern(reader.GetString(1)), reader.GetString(2) == "claim" ? AnnotationLayer.Claim : AnnotationLayer.Entity,
                    Intern(reader.GetString(3)), reader.GetInt32(4), reader.GetInt32(5)));
            }
        }
        var links = new Dictionary<long, List<(string, string)>>();
        await using (var command = new Npgsql.NpgsqlCommand("""
            SELECT r.annotator_id, r.type, f.document_id, f.start, f."end", t.document_id, t.start, t."end"
            FROM relations r JOIN annotations f ON f.id = r.from_id JOIN annotations t ON t.id = r.to_id
            WHERE f.document_id = ANY(@ids)
            """, connection))
        {
            command.Parameters.AddWithValue("ids", ids);
            await using var reader = await command.ExecuteReaderAsync(cancel);
            while (await reader.ReadAsync(cancel))
            {
                var document = reader.GetInt64(2);
                if (!links.TryGetValue(document, out var list)) links[document] = list = [];
                list.Add((reader.GetString(0), $"{reader.GetString(1)}|{document}:{reader.GetInt32(3)}-{reader.GetInt32(4)}|{reader.GetInt64(5)}:{reader.GetInt32(6)}-{reader.GetInt32(7)}"));
            }
        }
        return new Loaded(documents, spans, links);
    }

    /// <summary>Documents in scope and their coders.</summary>
    private async Task<Dictionary<long, List<string>>> CodersAsync(long projectId, AgreementScope scope, CancellationToken cancel)
    {
        if (scope == AgreementScope.Finished)
        {
            var finished = await db.DocumentStates.AsNoTracking()
                .Where(s => s.Document!.ProjectId == projectId && s.Status == DocumentStatus.Finished)
                .Select(s => new { s.DocumentId, s.UserId }).ToListAsync(cancel);
            return finished.GroupBy(s => s.DocumentId).Where(g => g.Count() >= 2).ToDictionary(g => g.Key, g => g.Select(s => s.UserId).ToList());
        }
        var annotated = await db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId)
            .Select(a => new { a.DocumentId, a.AnnotatorId }).Distinct().ToListAsync(cancel);
        return annotated.GroupBy(a => a.DocumentId).Where(g => g.Count() >= 2).ToDictionary(g => g.Key, g => g.Select(a => a.AnnotatorId).ToList());
    }

    private static List<LabelledSpan> ToLabelled(List<Span> spans) => spans.Select(s => new LabelledSpan(s.Start, s.End, s.Label)).ToList();

    /// <summary>Tokens as code-point ranges: runs of letters and digits, or one other non-space character.</summary>
    public static List<(int Start, int End)> Tokens(Rune[] text)
    {
        var tokens = new List<(int, int)>();
        for (var i = 0; i < text.Length;)
        {
            if (Rune.IsWhiteSpace(text[i])) { i++; continue; }
            var start = i;
            if (Rune.IsLetterOrDigit(text[i])) while (i < text.Length && Rune.IsLetterOrDigit(text[i])) i++;
            else i++;
            tokens.Add((start, i));
        }
        return tokens;
    }

    /// <summary>Each token's label: the outermost entity span covering its first character, or "O".</summary>
    private static List<string> TokenLabels(int length, List<(int Start, int End)> tokens, IEnumerable<Span> spans)
    {
        var painted = new string?[length];
        // Shorter spans first, longer ones over them: the outermost wins.
        foreach (var span in spans.OrderBy(s => s.End - s.Start))
            for (var i = Math.Max(0, span.Start); i < Math.Min(length, span.End); i++) painted[i] = span.Label;
        return tokens.Select(t => painted[t.Start] ?? "O").ToList();
    }

    private static IEnumerable<(int Start, int End)> Merge(IEnumerable<(int Start, int End)> spans)
    {
        (int Start, int End)? current = null;
        foreach (var span in spans.OrderBy(s => s.Start))
        {
            if (current is { } c && span.Start <= c.End) current = (c.Start, Math.Max(c.End, span.End));
            else
            {
                if (current is { } done) yield return done;
                current = span;
            }
        }
        if (current is { } last) yield return last;
    }

    private static void Sum(Counts into, Counts from) { into.Matched += from.Matched; into.InA += from.InA; into.InB += from.InB; }

    /// <summary>F1 = 2·matched / (|A| + |B|); null (not a number) when neither side has anything.</summary>
    private static double? F1(Counts c) => c.InA + c.InB == 0 ? null : Math.Round(2.0 * c.Matched / (c.InA + c.InB), 4);

    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 4) : null;
}
