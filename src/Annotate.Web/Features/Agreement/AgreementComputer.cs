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
        var tokenRows = annotators.ToDictionary(a => a, _ => new List<object?>());
        var perDocument = new List<DocumentAgreement>();
        var unitizing = new Dictionary<string, (double Observed, double Expected, int Documents)>();
        var notes = new List<string>();

        for (var offset = 0; offset < documentIds.Count; offset += Batch)
        {
            var batch = documentIds.Skip(offset).Take(Batch).ToList();
            var documents = await db.Documents.AsNoTracking().Where(d => batch.Contains(d.Id))
                .Select(d => new { d.Id, d.Title, d.Text, d.Length }).ToDictionaryAsync(d => d.Id, cancel);
            var spans = (await db.Annotations.AsNoTracking().Where(a => batch.Contains(a.DocumentId))
                .Select(a => new { a.DocumentId, a.AnnotatorId, a.Layer, a.Label, a.Start, a.End }).ToListAsync(cancel))
                .GroupBy(a => a.DocumentId)
                .ToDictionary(g => g.Key, g => g.Select(a => new Span(a.AnnotatorId, a.Layer, a.Label, a.Start, a.End)).ToList());
            var links = (await db.Relations.AsNoTracking().Where(r => batch.Contains(r.From!.DocumentId))
                .Select(r => new { r.AnnotatorId, r.Type, FromDocument = r.From!.DocumentId, FromStart = r.From.Start, FromEnd = r.From.End, ToDocument = r.To!.DocumentId, ToStart = r.To.Start, ToEnd = r.To.End })
                .ToListAsync(cancel))
                .GroupBy(r => r.FromDocument)
                .ToDictionary(g => g.Key, g => g.Select(r => (r.AnnotatorId, Key: $"{r.Type}|{r.FromDocument}:{r.FromStart}-{r.FromEnd}|{r.ToDocument}:{r.ToStart}-{r.ToEnd}")).ToList());

            foreach (var id in batch)
            {
                cancel.ThrowIfCancellationRequested();
                var document = documents[id];
                var docCoders = coders[id].Order().ToList();
                var docSpans = spans.GetValueOrDefault(id) ?? [];
                var byCoder = docCoders.ToDictionary(c => c, c => docSpans.Where(s => s.Annotator == c).ToList());

                // Span and link agreement for every pair of this document's coders.
                var pairF1 = new List<double>();
                var docLinks = links.GetValueOrDefault(id) ?? [];
                for (var i = 0; i < docCoders.Count; i++)
                for (var j = i + 1; j < docCoders.Count; j++)
                {
                    var (a, b) = (docCoders[i], docCoders[j]);
                    var stats = pairs.TryGetValue((a, b), out var found) ? found : pairs[(a, b)] = new PairStats();
                    var result = SpanAgreement.Compare(ToLabelled(byCoder[a]), ToLabelled(byCoder[b]));
                    stats.Documents++;
                    stats.Exact.Add(result.Exact.WithLabel);
                    stats.ExactIgnoringLabel.Add(result.Exact.IgnoringLabel);
                    stats.Overlap.Add(result.Overlap.WithLabel);
                    stats.OverlapIgnoringLabel.Add(result.Overlap.IgnoringLabel);
                    foreach (var (label, scores) in result.PerLabel)
                    {
                        if (!stats.PerLabel.TryGetValue(label, out var counts)) stats.PerLabel[label] = counts = (new Counts(), new Counts());
                        counts.Exact.Add(scores.Exact);
                        counts.Overlap.Add(scores.Overlap);
                    }
                    if (byCoder[a].Count + byCoder[b].Count > 0) pairF1.Add(result.Exact.WithLabel.F1);
                    var linksA = docLinks.Where(l => l.AnnotatorId == a).Select(l => l.Key).ToList();
                    var linksB = docLinks.Where(l => l.AnnotatorId == b).Select(l => l.Key).ToList();
                    var remaining = linksB.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
                    var matched = linksA.Count(k => remaining.TryGetValue(k, out var n) && n > 0 && (remaining[k] = n - 1) >= 0);
                    stats.Links.Matched += matched; stats.Links.InA += linksA.Count; stats.Links.InB += linksB.Count;
                }

                // Token labels of the entity layer, one row per annotator of the project (null where not a coder).
                var codePoints = document.Text.EnumerateRunes().ToArray();
                var tokens = Tokens(codePoints);
                var docRows = new List<List<object?>>();
                foreach (var annotator in annotators)
                {
                    var row = tokenRows[annotator];
                    if (!byCoder.TryGetValue(annotator, out var own)) { for (var t = 0; t < tokens.Count; t++) row.Add(null); continue; }
                    var tokenLabels = TokenLabels(codePoints.Length, tokens, own.Where(s => s.Layer == AnnotationLayer.Entity));
                    row.AddRange(tokenLabels);
                    docRows.Add(tokenLabels);
                }
                double? documentAlpha = null;
                if (docRows.Count >= 2 && tokens.Count > 0)
                    documentAlpha = Finite(KrippendorffAlpha.Compute(ReliabilityData.FromRows(docRows.Select(r => (IReadOnlyList<object?>)r).ToList()), MeasurementLevel.Nominal).Alpha);

                // Unitizing alpha per label over the document's characters.
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
                        var alphaU = UnitizingAlpha.Compute(0, document.Length, docCoders.Count, units);
                        foreach (var (label, category) in alphaU.Categories)
                        {
                            documentUnitizing[label] = Finite(category.Alpha);
                            var sum = unitizing.GetValueOrDefault(label);
                            unitizing[label] = (sum.Observed + category.Observed, sum.Expected + category.Expected, sum.Documents + 1);
                        }
                    }
                }

                perDocument.Add(new DocumentAgreement(id, document.Title, docCoders.Select(c => names.GetValueOrDefault(c, c)).ToList(),
                    pairF1.Count > 0 ? Finite(pairF1.Average()) : null, documentAlpha, documentUnitizing));
                await progress(offset + batch.IndexOf(id) + 1, documentIds.Count);
            }
        }

        // Pooled token-level measures over all documents.
        double? tokenAlpha = null, fleiss = null;
        var tokenCount = tokenRows.Values.FirstOrDefault()?.Count ?? 0;
        if (annotators.Count >= 2 && tokenCount > 0)
        {
            var data = ReliabilityData.FromRows(annotators.Select(a => (IReadOnlyList<object?>)tokenRows[a]).ToList());
            var alpha = KrippendorffAlpha.Compute(data, MeasurementLevel.Nominal);
            tokenAlpha = Finite(alpha.Alpha);
            if (alpha.Note is not null) notes.Add("Token alpha: " + alpha.Note);
            try { fleiss = Finite(FleissKappa.Compute(data).Kappa); }
            catch (ArgumentException error) { notes.Add("Fleiss' kappa not computed: " + error.Message); }
        }

        var pairViews = pairs.Select(p =>
        {
            double? cohen = null;
            var rowA = tokenRows[p.Key.A];
            var rowB = tokenRows[p.Key.B];
            var both = Enumerable.Range(0, rowA.Count).Where(i => rowA[i] is not null && rowB[i] is not null).ToList();
            if (both.Count > 0)
                cohen = Finite(TwoCoderAgreement.CohenKappa(ReliabilityData.FromRows([both.Select(i => rowA[i]).ToList(), both.Select(i => rowB[i]).ToList()])).Value);
            return new
            {
                a = p.Key.A, aName = names.GetValueOrDefault(p.Key.A, p.Key.A),
                b = p.Key.B, bName = names.GetValueOrDefault(p.Key.B, p.Key.B),
                documents = p.Value.Documents,
                spanF1Exact = F1(p.Value.Exact), spanF1Overlap = F1(p.Value.Overlap),
                spanF1ExactIgnoringLabel = F1(p.Value.ExactIgnoringLabel), spanF1OverlapIgnoringLabel = F1(p.Value.OverlapIgnoringLabel),
                tokenCohenKappa = cohen,
                linkF1 = F1(p.Value.Links), links = new { p.Value.Links.Matched, p.Value.Links.InA, p.Value.Links.InB },
            };
        }).ToList();

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
        }, Infrastructure.JsonOptions.Api);
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
    private static List<object?> TokenLabels(int length, List<(int Start, int End)> tokens, IEnumerable<Span> spans)
    {
        var painted = new string?[length];
        // Shorter spans first, longer ones over them: the outermost wins.
        foreach (var span in spans.OrderBy(s => s.End - s.Start))
            for (var i = Math.Max(0, span.Start); i < Math.Min(length, span.End); i++) painted[i] = span.Label;
        return tokens.Select(t => (object?)(painted[t.Start] ?? "O")).ToList();
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
