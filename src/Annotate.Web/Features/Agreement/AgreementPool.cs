using Annotate.Agreement;
using static Annotate.Web.Features.Agreement.AgreementRounding;
using static Annotate.Web.Features.Agreement.DocumentComputation;

namespace Annotate.Web.Features.Agreement;

/// <summary>
/// The project's figures pooled from its documents' results (<see cref="DocumentComputation"/>), pure: sums over tokens
/// and pairs are accumulated as documents come, so memory does not grow with the corpus, and <see cref="Result"/> turns
/// them into the report. Adding a document is cheap next to computing it, so one pool takes the documents in order while
/// they are computed in parallel.
/// </summary>
public sealed class AgreementPool
{
    private sealed class LabelConfusion { public readonly ConfusionAccumulator Table = new(); public long Tokens; public bool Marked; }
    private sealed class LabelUnits { public readonly NominalAccumulator Units = new(); public readonly Dictionary<int, long> TokensByCoders = []; }

    private sealed class PairStats
    {
        public readonly MatchTally Exact = new(), ExactIgnoringLabel = new(), Overlap = new(), OverlapIgnoringLabel = new();
        public readonly Dictionary<string, MatchTally> Links = LinkTypes.ToDictionary(t => t, _ => new MatchTally());
        public readonly Dictionary<string, (MatchTally Exact, MatchTally Overlap)> PerLabel = [];
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

    private readonly Dictionary<(string A, string B), PairStats> pairs = [];
    private readonly NominalAccumulator tokens = new();
    private long tokenCount;
    private readonly Dictionary<string, LabelUnits> labelUnits = [];
    private readonly Dictionary<int, long> tokensByCoders = [];
    private readonly List<DocumentAgreement> perDocument = [];
    private readonly UnitizingSums unitizing = new();

    public void Add(DocumentResult result)
    {
        foreach (var pair in result.Pairs)
        {
            var stats = Stats(pair.A, pair.B);
            stats.Documents++;
            stats.Exact.Add(pair.Scores.Exact.WithLabel);
            stats.ExactIgnoringLabel.Add(pair.Scores.Exact.IgnoringLabel);
            stats.Overlap.Add(pair.Scores.Overlap.WithLabel);
            stats.OverlapIgnoringLabel.Add(pair.Scores.Overlap.IgnoringLabel);
            foreach (var (label, labelScores) in pair.Scores.PerLabel)
            {
                var counts = PerLabel(stats, label);
                counts.Exact.Add(labelScores.Exact);
                counts.Overlap.Add(labelScores.Overlap);
            }
            foreach (var type in LinkTypes) stats.Links[type].Add(pair.Links[type]);
            stats.Tokens.Add(pair.Tokens);
            stats.SharedTokens += result.Tokens;
            foreach (var (label, table) in pair.LabelTokens)
            {
                var confusion = LabelTokens(stats, label);
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
            var total = Units(label);
            total.Units.Add(units);
            total.TokensByCoders[result.Coders] = total.TokensByCoders.GetValueOrDefault(result.Coders) + result.Tokens;
        }
        foreach (var (label, category) in result.Unitizing) unitizing.Add(label, category);
        perDocument.Add(result.Summary);
    }

    /// <summary>The report's figures. Call once, after every document was added: it completes the per-label sums.</summary>
    public AgreementResult Result(AgreementScope scope, IReadOnlyList<string> annotators, IReadOnlyDictionary<string, string> names,
        AgreementTimings? timings)
    {
        var notes = new List<string>();
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

        var pairViews = pairs.Select(p => new PairAgreement(
            p.Key.A, names.GetValueOrDefault(p.Key.A, p.Key.A), p.Key.B, names.GetValueOrDefault(p.Key.B, p.Key.B),
            p.Value.Documents,
            F1(p.Value.Exact), F1(p.Value.Overlap), F1(p.Value.ExactIgnoringLabel), F1(p.Value.OverlapIgnoringLabel),
            Finite(cohen[p.Key]), p.Value.Unitizing.Overall(),
            F1(MatchTally.Total(p.Value.Links.Values)), F1(p.Value.Links[Contradicts]), F1(p.Value.Links[Supports]),
            MatchTally.Total(p.Value.Links.Values).ToCounts(),
            p.Value.Links.ToDictionary(l => l.Key, l => l.Value.ToCounts()))).ToList();

        var labels = pairs.Values.SelectMany(p => p.PerLabel.Keys).Concat(unitizing.Labels).Concat(labelUnits.Keys).Distinct().Order().ToList();
        var perLabel = labels.ToDictionary(label => label, label =>
        {
            var exact = new MatchTally(); var overlap = new MatchTally();
            foreach (var p in pairs.Values)
                if (p.PerLabel.TryGetValue(label, out var c)) { exact.Add(c.Exact); overlap.Add(c.Overlap); }
            var units = labelUnits.GetValueOrDefault(label)?.Units;
            // Pairs who never marked the label on the documents they share are left out: they have nothing to agree
            // on, and the convention for no variation (kappa 1) would lift the mean.
            var pairKappas = pairs.Values.Select(p => p.LabelTokens.GetValueOrDefault(label)).OfType<LabelConfusion>()
                .Where(c => c.Marked).Select(c => c.Table.CohenKappa());
            return new LabelAgreement(F1(exact), F1(overlap),
                units is null ? null : Finite(units.KrippendorffAlpha()),
                units?.FleissKappa() is { } labelFleiss ? Finite(labelFleiss) : null,
                Mean(pairKappas), unitizing.Alpha(label));
        });
        var all = new PairStats();
        foreach (var p in pairs.Values)
        {
            all.Exact.Add(p.Exact); all.Overlap.Add(p.Overlap); all.ExactIgnoringLabel.Add(p.ExactIgnoringLabel); all.OverlapIgnoringLabel.Add(p.OverlapIgnoringLabel);
            foreach (var type in LinkTypes) all.Links[type].Add(p.Links[type]);
        }
        if (perDocument.Count == 0) notes.Add(scope == AgreementScope.Finished
            ? "No document is finished by two or more annotators yet; compute over all documents to see provisional figures."
            : "No document has two or more annotators yet.");

        var overall = new OverallAgreement(F1(all.Exact), F1(all.Overlap), F1(all.ExactIgnoringLabel), F1(all.OverlapIgnoringLabel),
            tokenAlpha, fleiss, Mean(cohen.Values), unitizing.Overall(),
            F1(MatchTally.Total(all.Links.Values)), F1(all.Links[Contradicts]), F1(all.Links[Supports]), tokenCount);
        return new AgreementResult(DateTimeOffset.UtcNow, scope, perDocument.Count,
            annotators.Select(a => new AgreementAnnotator(a, names.GetValueOrDefault(a, a))).ToList(),
            overall, perLabel, pairViews,
            // The documents people agree on least come first: that is where a reviewer looks.
            perDocument.OrderBy(d => d.SpanF1Exact ?? 2.0).ThenBy(d => d.TokenAlpha ?? 2.0).ToList(),
            notes, timings);
    }

    private PairStats Stats(string a, string b) => pairs.TryGetValue((a, b), out var found) ? found : pairs[(a, b)] = new PairStats();

    private static (MatchTally Exact, MatchTally Overlap) PerLabel(PairStats stats, string label) =>
        stats.PerLabel.TryGetValue(label, out var counts) ? counts : stats.PerLabel[label] = (new MatchTally(), new MatchTally());

    private static LabelConfusion LabelTokens(PairStats stats, string label) =>
        stats.LabelTokens.TryGetValue(label, out var confusion) ? confusion : stats.LabelTokens[label] = new LabelConfusion();

    private LabelUnits Units(string label) => labelUnits.TryGetValue(label, out var total) ? total : labelUnits[label] = new LabelUnits();
}
