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
/// two or more) or everyone who annotated it (scope "all"). Every figure comes overall, and where it makes sense per
/// label, per document and per pair of annotators (README, Agreement, lists which):
/// <list type="bullet">
/// <item>Span F1, exact and overlap matching, with and without the label, micro-averaged over pairs of annotators.</item>
/// <item>Token-level Krippendorff's alpha (nominal), Fleiss' kappa and Cohen's kappa over the entity layer: each token gets
/// the label of the outermost entity span covering it, or "O" (outside any span) as a category of its own. Tokens are
/// runs of letters and digits, or single other non-space characters. Cohen's kappa is per pair; overall, per label and
/// per document it is the unweighted mean over the pairs of annotators.</item>
/// <item>Per label, the same three token measures on binary data: a token is "in" for an annotator when one of their
/// spans with that label (either layer) covers its first character, "out" otherwise.</item>
/// <item>Unitizing alpha per label over each document's characters (code points); per label and overall over all
/// documents as 1 − mean D_o / mean D_e, for all annotators of a document and for each pair alone (R = 2). Overlapping
/// spans of one annotator and label are merged first.</item>
/// <item>Link agreement for CONTRADICTS and SUPPORTS, each and both together: two links match when their types and both
/// ends (document, start, end) match; a contradiction's ends are an unordered pair, a support goes from one to the other.</item>
/// </list>
/// </summary>
public class AgreementComputer(AppDbContext db)
{
    private const int Batch = 100;

    /// <summary>The relation types link agreement covers; other relation types a project defines are left out.</summary>
    public const string Contradicts = "CONTRADICTS", Supports = "SUPPORTS";
    private static readonly string[] LinkTypes = [Contradicts, Supports];

    // The two values of the per-label token units: the label, or anything else.
    private const string In = "in", Out = "out";

    /// <summary>One document's figures: means over its pairs of annotators (span F1, Cohen's kappa), token alpha and
    /// Fleiss' kappa over its tokens, unitizing alpha per label.</summary>
    public record DocumentAgreement(long DocumentId, string Title, List<string> Annotators, double? SpanF1Exact, double? SpanF1Overlap,
        double? TokenAlpha, double? TokenFleissKappa, double? TokenCohenKappa, Dictionary<string, double?> AlphaU);

    private record Span(string Annotator, AnnotationLayer Layer, string Label, int Start, int End);
    /// <summary>A link of one annotator; Key names its type and ends, so two links match when their keys are equal.</summary>
    private record Link(string Annotator, string Type, string Key);
    private sealed class Counts { public long Matched, InA, InB; public void Add(SpanScores s) { Matched += s.Matched; InA += s.InA; InB += s.InB; } }
    /// <summary>A pair's label-or-not token counts: both marked the label, only A, only B, neither.</summary>
    private readonly record struct BinaryTable(long Both, long OnlyA, long OnlyB, long Neither)
    {
        public bool Marked => Both + OnlyA + OnlyB > 0;
    }
    private sealed class LabelConfusion { public readonly ConfusionAccumulator Table = new(); public long Tokens; public bool Marked; }
    private sealed class LabelUnits { public readonly NominalAccumulator Units = new(); public readonly Dictionary<int, long> TokensByCoders = []; }
    private sealed class PairStats
    {
        public readonly Counts Exact = new(), ExactIgnoringLabel = new(), Overlap = new(), OverlapIgnoringLabel = new();
        public readonly Dictionary<string, Counts> Links = LinkTypes.ToDictionary(t => t, _ => new Counts());
        public readonly Dictionary<string, (Counts Exact, Counts Overlap)> PerLabel = [];
        public readonly ConfusionAccumulator Tokens = new();
        public readonly Dictionary<string, LabelConfusion> LabelTokens = [];
        public readonly UnitizingSums Unitizing = new();
        public int Documents;
        public long SharedTokens;
    }

    /// <summary>Unitizing disagreements of documents, summed per label.</summary>
    private sealed class UnitizingSums
    {
        private readonly Dictionary<string, (double Observed, double Expected, int Documents)> sums = [];
        public IEnumerable<string> Labels => sums.Keys;

        public void Add(string label, CategoryAlpha category)
        {
            var sum = sums.GetValueOrDefault(label);
            sums[label] = (sum.Observed + category.Observed, sum.Expected + category.Expected, sum.Documents + 1);
        }

        /// <summary>1 − ΣD_o/ΣD_e over the documents where the label occurs (the same as 1 − mean D_o / mean D_e).</summary>
        public double? Alpha(string label) => sums.TryGetValue(label, out var s) && s.Expected > 0 ? Finite(1 - s.Observed / s.Expected) : null;

        /// <summary>1 − (mean over labels of their mean D_o) / (mean over labels of their mean D_e), as the library pools categories.</summary>
        public double? Overall() => sums.Count > 0 && sums.Values.Sum(s => s.Expected) > 0
            ? Finite(1 - sums.Values.Average(s => s.Observed / s.Documents) / sums.Values.Average(s => s.Expected / s.Documents)) : null;
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
        var tokenCount = 0L;
        var labelUnits = new Dictionary<string, LabelUnits>();
        var tokensByCoders = new Dictionary<int, long>();
        var perDocument = new List<DocumentAgreement>();
        var unitizing = new UnitizingSums();
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
                    spans.GetValueOrDefault(id) ?? [], links.GetValueOrDefault(id) ?? [], names))
                .ToList();
            foreach (var result in results)
            {
                foreach (var pair in result.Pairs)
                {
                    var stats = pairs.TryGetValue((pair.A, pair.B), out var found) ? found : pairs[(pair.A, pair.B)] = new PairStats();
                    stats.Documents++;
                    stats.Exact.Add(pair.Scores.Exact.WithLabel);
                    stats.ExactIgnoringLabel.Add(pair.Scores.Exact.IgnoringLabel);
                    stats.Overlap.Add(pair.Scores.Overlap.WithLabel);
                    stats.OverlapIgnoringLabel.Add(pair.Scores.Overlap.IgnoringLabel);
                    foreach (var (label, labelScores) in pair.Scores.PerLabel)
                    {
                        if (!stats.PerLabel.TryGetValue(label, out var counts)) stats.PerLabel[label] = counts = (new Counts(), new Counts());
                        counts.Exact.Add(labelScores.Exact);
                        counts.Overlap.Add(labelScores.Overlap);
                    }
                    foreach (var type in LinkTypes) Sum(stats.Links[type], pair.Links[type]);
                    stats.Tokens.Add(pair.Tokens);
                    stats.SharedTokens += result.Tokens;
                    foreach (var (label, table) in pair.LabelTokens)
                    {
                        if (!stats.LabelTokens.TryGetValue(label, out var confusion)) stats.LabelTokens[label] = confusion = new LabelConfusion();
                        confusion.Table.Add(In, In, table.Both);
                        confusion.Table.Add(In, Out, table.OnlyA);
                        confusion.Table.Add(Out, In, table.OnlyB);
                        confusion.Table.Add(Out, Out, table.Neither);
                        confusion.Tokens += result.Tokens;
                        confusion.Marked |= table.Marked;
                    }
                    foreach (var (label, category) in pair.Unitizing) stats.Unitizing.Add(label, category);
                }
                tokens.Add(result.TokenAgreement);
                tokenCount += result.Tokens;
                tokensByCoders[result.Coders] = tokensByCoders.GetValueOrDefault(result.Coders) + result.Tokens;
                foreach (var (label, units) in result.LabelUnits)
                {
                    if (!labelUnits.TryGetValue(label, out var total)) labelUnits[label] = total = new LabelUnits();
                    total.Units.Add(units);
                    total.TokensByCoders[result.Coders] = total.TokensByCoders.GetValueOrDefault(result.Coders) + result.Tokens;
                }
                foreach (var (label, category) in result.Unitizing) unitizing.Add(label, category);
                perDocument.Add(result.Summary);
            }
            computing.Stop();
            await progress(Math.Min(offset + Batch, documentIds.Count), documentIds.Count);
        }
        var pooling = System.Diagnostics.Stopwatch.StartNew();

        // A document only sends the labels used on it; on every other document each token is "out" for everyone.
        // Those units are added here in bulk, so per-label figures count every token of the corpus.
        foreach (var total in labelUnits.Values)
            foreach (var (codersOfDocument, count) in tokensByCoders)
                total.Units.AddUnit(Enumerable.Repeat<string?>(Out, codersOfDocument), count - total.TokensByCoders.GetValueOrDefault(codersOfDocument));
        foreach (var stats in pairs.Values)
            foreach (var confusion in stats.LabelTokens.Values) confusion.Table.Add(Out, Out, stats.SharedTokens - confusion.Tokens);

        double? tokenAlpha = tokenCount > 0 ? Finite(tokens.KrippendorffAlpha()) : null;
        var fleissValue = tokens.FleissKappa();
        double? fleiss = fleissValue is { } f ? Finite(f) : null;
        if (tokenCount > 0 && fleissValue is null)
            notes.Add("Fleiss' kappa needs the same number of annotators on every document; it is left out, overall and per label.");
        var cohen = pairs.ToDictionary(p => p.Key, p => p.Value.Tokens.CohenKappa());

        var pairViews = pairs.Select(p => new
        {
            a = p.Key.A, aName = names.GetValueOrDefault(p.Key.A, p.Key.A),
            b = p.Key.B, bName = names.GetValueOrDefault(p.Key.B, p.Key.B),
            documents = p.Value.Documents,
            spanF1Exact = F1(p.Value.Exact), spanF1Overlap = F1(p.Value.Overlap),
            spanF1ExactIgnoringLabel = F1(p.Value.ExactIgnoringLabel), spanF1OverlapIgnoringLabel = F1(p.Value.OverlapIgnoringLabel),
            tokenCohenKappa = Finite(cohen[p.Key]),
            alphaU = p.Value.Unitizing.Overall(),
            linkF1 = F1(Total(p.Value.Links.Values)),
            linkF1Contradicts = F1(p.Value.Links[Contradicts]), linkF1Supports = F1(p.Value.Links[Supports]),
            links = CountsView(Total(p.Value.Links.Values)),
            linksByType = p.Value.Links.ToDictionary(l => l.Key, l => CountsView(l.Value)),
        }).ToList();

        var labels = pairs.Values.SelectMany(p => p.PerLabel.Keys).Concat(unitizing.Labels).Concat(labelUnits.Keys).Distinct().Order().ToList();
        var perLabel = labels.ToDictionary(label => label, label =>
        {
            var exact = new Counts(); var overlap = new Counts();
            foreach (var p in pairs.Values)
                if (p.PerLabel.TryGetValue(label, out var c)) { Sum(exact, c.Exact); Sum(overlap, c.Overlap); }
            var units = labelUnits.GetValueOrDefault(label)?.Units;
            // Pairs who never marked the label on the documents they share are left out: they have nothing to agree
            // on, and the convention for no variation (kappa 1) would lift the mean.
            var pairKappas = pairs.Values.Select(p => p.LabelTokens.GetValueOrDefault(label)).OfType<LabelConfusion>()
                .Where(c => c.Marked).Select(c => c.Table.CohenKappa());
            return new
            {
                spanF1Exact = F1(exact), spanF1Overlap = F1(overlap),
                tokenAlpha = units is null ? null : Finite(units.KrippendorffAlpha()),
                tokenFleissKappa = units?.FleissKappa() is { } labelFleiss ? Finite(labelFleiss) : null,
                tokenCohenKappa = Mean(pairKappas),
                alphaU = unitizing.Alpha(label),
            };
        });
        var all = new PairStats();
        foreach (var p in pairs.Values)
        {
            Sum(all.Exact, p.Exact); Sum(all.Overlap, p.Overlap); Sum(all.ExactIgnoringLabel, p.ExactIgnoringLabel); Sum(all.OverlapIgnoringLabel, p.OverlapIgnoringLabel);
            foreach (var type in LinkTypes) Sum(all.Links[type], p.Links[type]);
        }
        pooling.Stop();
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
                tokenAlpha, tokenFleissKappa = fleiss, tokenCohenKappa = Mean(cohen.Values),
                alphaU = unitizing.Overall(),
                linkF1 = F1(Total(all.Links.Values)), linkF1Contradicts = F1(all.Links[Contradicts]), linkF1Supports = F1(all.Links[Supports]),
                tokens = tokenCount,
            },
            perLabel,
            pairs = pairViews,
            // The documents people agree on least come first: that is where a reviewer looks.
            perDocument = perDocument.OrderBy(d => d.SpanF1Exact ?? 2.0).ThenBy(d => d.TokenAlpha ?? 2.0).ToList(),
            notes,
            timingsMs = new { loading = loading.ElapsedMilliseconds, documents = computing.ElapsedMilliseconds, pooled = pooling.ElapsedMilliseconds },
        }, Infrastructure.JsonOptions.Api);
    }

    private record PairResult(string A, string B, SpanAgreementResult Scores, Dictionary<string, Counts> Links, ConfusionAccumulator Tokens,
        Dictionary<string, BinaryTable> LabelTokens, IReadOnlyDictionary<string, CategoryAlpha> Unitizing);

    private record DocumentResult(List<PairResult> Pairs, NominalAccumulator TokenAgreement, int Tokens, int Coders,
        Dictionary<string, NominalAccumulator> LabelUnits, IReadOnlyDictionary<string, CategoryAlpha> Unitizing, DocumentAgreement Summary);

    /// <summary>Everything one document contributes; pure, so documents can be computed in parallel.</summary>
    private static DocumentResult ComputeDocument(long id, string title, string text, int length, List<string> codersOfDocument,
        List<Span> docSpans, List<Link> docLinks, Dictionary<string, string> names)
    {
        var docCoders = codersOfDocument.Order().ToList();
        var byCoder = docCoders.ToDictionary(c => c, c => docSpans.Where(s => s.Annotator == c).ToList());

        // Token labels of the entity layer, one row per coder.
        var codePoints = text.EnumerateRunes().ToArray();
        var tokens = Tokens(codePoints);
        var rows = docCoders.Select(c => TokenLabels(codePoints.Length, tokens, byCoder[c].Where(s => s.Layer == AnnotationLayer.Entity))).ToList();
        // Token units of this document: alpha and Fleiss' kappa for the document, and the sums the project's figures are made of.
        var tokenAgreement = new NominalAccumulator();
        var unit = new string?[rows.Count];
        for (var t = 0; t < tokens.Count; t++)
        {
            for (var c = 0; c < rows.Count; c++) unit[c] = rows[c][t];
            tokenAgreement.AddUnit(unit);
        }

        // Per label, whether each coder marked each token (either layer).
        var marks = byCoder.Values.SelectMany(s => s).Select(s => s.Label).Distinct().Order(StringComparer.Ordinal).ToDictionary(
            label => label, label => docCoders.Select(c => Marks(codePoints.Length, tokens, byCoder[c].Where(s => s.Label == label))).ToArray());
        var labelUnits = new Dictionary<string, NominalAccumulator>();
        foreach (var (label, marked) in marks)
        {
            // A binary unit is known by how many coders marked it: one weighted unit per count, not one per token.
            var byCount = new long[docCoders.Count + 1];
            for (var t = 0; t < tokens.Count; t++)
            {
                var count = 0;
                foreach (var row in marked) if (row[t]) count++;
                byCount[count]++;
            }
            var units = labelUnits[label] = new NominalAccumulator();
            for (var count = 0; count <= docCoders.Count; count++)
                units.AddUnit(Enumerable.Repeat<string?>(In, count).Concat(Enumerable.Repeat<string?>(Out, docCoders.Count - count)), byCount[count]);
        }

        // Each coder's spans per label, overlaps merged, for unitizing alpha.
        var segments = docCoders.ToDictionary(c => c, c => byCoder[c].GroupBy(s => s.Label)
            .Select(g => (Label: g.Key, Segments: Merge(g.Select(s => (s.Start, s.End))).ToList())).ToList());

        // Span, token, unitizing and link agreement for every pair of this document's coders.
        var pairs = new List<PairResult>();
        var pairF1Exact = new List<double>();
        var pairF1Overlap = new List<double>();
        var pairKappas = new List<double>();
        for (var i = 0; i < docCoders.Count; i++)
        for (var j = i + 1; j < docCoders.Count; j++)
        {
            var (a, b) = (docCoders[i], docCoders[j]);
            var scores = SpanAgreement.Compare(ToLabelled(byCoder[a]), ToLabelled(byCoder[b]));
            if (byCoder[a].Count + byCoder[b].Count > 0)
            {
                pairF1Exact.Add(scores.Exact.WithLabel.F1);
                pairF1Overlap.Add(scores.Overlap.WithLabel.F1);
            }
            var confusion = new ConfusionAccumulator();
            for (var t = 0; t < tokens.Count; t++) confusion.Add(rows[i][t], rows[j][t]);
            pairKappas.Add(confusion.CohenKappa());
            var labelTables = marks.ToDictionary(m => m.Key, m => Table(m.Value[i], m.Value[j]));
            var links = LinkTypes.ToDictionary(type => type, type => MatchLinks(docLinks, a, b, type));
            pairs.Add(new PairResult(a, b, scores, links, confusion, labelTables, Unitizing(length, [a, b], segments)));
        }
        double? documentAlpha = docCoders.Count >= 2 && tokens.Count > 0 ? Finite(tokenAgreement.KrippendorffAlpha()) : null;
        double? documentFleiss = docCoders.Count >= 2 && tokens.Count > 0 && tokenAgreement.FleissKappa() is { } fleiss ? Finite(fleiss) : null;

        // Unitizing alpha per label over the document's characters, all coders together.
        var unitizing = docCoders.Count >= 2 ? Unitizing(length, docCoders, segments) : new Dictionary<string, CategoryAlpha>();
        var summary = new DocumentAgreement(id, title, docCoders.Select(c => names.GetValueOrDefault(c, c)).ToList(),
            Mean(pairF1Exact), Mean(pairF1Overlap), documentAlpha, documentFleiss, Mean(pairKappas),
            unitizing.ToDictionary(u => u.Key, u => Finite(u.Value.Alpha)));
        return new DocumentResult(pairs, tokenAgreement, tokens.Count, docCoders.Count, labelUnits, unitizing, summary);
    }

    /// <summary>Unitizing alpha per label of these raters over [0, length); labels nobody marked are absent.</summary>
    private static IReadOnlyDictionary<string, CategoryAlpha> Unitizing(int length, IReadOnlyList<string> raters,
        Dictionary<string, List<(string Label, List<(int Start, int End)> Segments)>> segments)
    {
        var units = new List<UnitizedSegment>();
        for (var r = 0; r < raters.Count; r++)
            foreach (var (label, spans) in segments[raters[r]])
                foreach (var (start, end) in spans) units.Add(new UnitizedSegment(r, start, end - start, label));
        if (units.Count == 0 || length < 1) return new Dictionary<string, CategoryAlpha>();
        return UnitizingAlpha.Compute(0, length, raters.Count, units).Categories;
    }

    /// <summary>Links of <paramref name="type"/> that A and B both made (each link matched once), and how many each made.</summary>
    private static Counts MatchLinks(List<Link> links, string a, string b, string type)
    {
        var ofA = links.Where(l => l.Annotator == a && l.Type == type).ToList();
        var remaining = links.Where(l => l.Annotator == b && l.Type == type).GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.Count());
        var counts = new Counts { InA = ofA.Count, InB = remaining.Values.Sum() };
        foreach (var link in ofA)
            if (remaining.TryGetValue(link.Key, out var n) && n > 0) { remaining[link.Key] = n - 1; counts.Matched++; }
        return counts;
    }

    private static BinaryTable Table(bool[] a, bool[] b)
    {
        long both = 0, onlyA = 0, onlyB = 0, neither = 0;
        for (var t = 0; t < a.Length; t++)
        {
            if (a[t] && b[t]) both++;
            else if (a[t]) onlyA++;
            else if (b[t]) onlyB++;
            else neither++;
        }
        return new BinaryTable(both, onlyA, onlyB, neither);
    }

    private record Loaded(Dictionary<long, (string Title, string Text, int Length)> Documents, Dictionary<long, List<Span>> Spans,
        Dictionary<long, List<Link>> Links);

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
        await using (var command = new Npgsql.NpgsqlCommand("SELECT document_id, annotator_id, layer, label, start, \"end\" FROM annotations WHERE document_id = ANY(@ids) AND origin <> 'curated'", connection))
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
        var links = new Dictionary<long, List<Link>>();
        var batch = ids.ToHashSet();
        // Links with either end in the batch (a link may join two documents); each is kept with one document below.
        await using (var command = new Npgsql.NpgsqlCommand("""
            SELECT r.id, r.annotator_id, r.type, f.document_id, f.start, f."end", t.document_id, t.start, t."end"
            FROM relations r JOIN annotations f ON f.id = r.from_id JOIN annotations t ON t.id = r.to_id
            WHERE r.type = ANY(@types) AND f.document_id = ANY(@ids) AND f.origin <> 'curated' AND t.origin <> 'curated'
            UNION
            SELECT r.id, r.annotator_id, r.type, f.document_id, f.start, f."end", t.document_id, t.start, t."end"
            FROM relations r JOIN annotations f ON f.id = r.from_id JOIN annotations t ON t.id = r.to_id
            WHERE r.type = ANY(@types) AND t.document_id = ANY(@ids) AND f.origin <> 'curated' AND t.origin <> 'curated'
            """, connection))
        {
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
                list.Add(new Link(Intern(reader.GetString(1)), type == Contradicts ? Contradicts : Supports,
                    $"{type}|{from.Document}:{from.Start}-{from.End}|{to.Document}:{to.Start}-{to.End}"));
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
        var annotated = await db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId && a.Origin != AnnotationOrigin.Curated)
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

    /// <summary>Each token: whether one of these spans covers its first character.</summary>
    private static bool[] Marks(int length, List<(int Start, int End)> tokens, IEnumerable<Span> spans)
    {
        var covered = new bool[length];
        foreach (var span in spans)
            for (var i = Math.Max(0, span.Start); i < Math.Min(length, span.End); i++) covered[i] = true;
        return tokens.Select(t => covered[t.Start]).ToArray();
    }

    private static void Sum(Counts into, Counts from) { into.Matched += from.Matched; into.InA += from.InA; into.InB += from.InB; }

    private static Counts Total(IEnumerable<Counts> counts)
    {
        var total = new Counts();
        foreach (var c in counts) Sum(total, c);
        return total;
    }

    private static object CountsView(Counts c) => new { c.Matched, c.InA, c.InB };

    /// <summary>The unweighted mean of the defined values (NaN ones are left out); null when none is defined.</summary>
    private static double? Mean(IEnumerable<double> values)
    {
        var defined = values.Where(double.IsFinite).ToList();
        return defined.Count > 0 ? Finite(defined.Average()) : null;
    }

    /// <summary>F1 = 2·matched / (|A| + |B|); null (not a number) when neither side has anything.</summary>
    private static double? F1(Counts c) => c.InA + c.InB == 0 ? null : Math.Round(2.0 * c.Matched / (c.InA + c.InB), 4);

    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 4) : null;
}
