using System.Runtime.InteropServices;

namespace Annotate.Agreement;

/// <summary>A labelled span [Start, End): End is exclusive, so Start &lt; End.</summary>
/// <param name="Start">First offset of the span.</param>
/// <param name="End">Offset just after the span.</param>
/// <param name="Label">The span's label.</param>
public sealed record LabelledSpan(long Start, long End, string Label);

/// <summary>Precision, recall and F1 of annotator B's spans against annotator A's.</summary>
/// <param name="Matched">Pairs of spans matched one to one.</param>
/// <param name="InA">Spans of annotator A taken into account.</param>
/// <param name="InB">Spans of annotator B taken into account.</param>
/// <param name="Precision">Matched / InB; NaN when B has no span.</param>
/// <param name="Recall">Matched / InA; NaN when A has no span.</param>
/// <param name="F1">2·Matched / (InA + InB), symmetric in A and B (positive specific agreement); NaN when neither has a span.</param>
public sealed record SpanScores(int Matched, int InA, int InB, double Precision, double Recall, double F1);

/// <summary>Scores of one matching rule, with the labels compared and with them ignored.</summary>
/// <param name="WithLabel">Spans match only if their labels are equal too.</param>
/// <param name="IgnoringLabel">Labels are not compared.</param>
public sealed record MatchingScores(SpanScores WithLabel, SpanScores IgnoringLabel);

/// <summary>Scores restricted to the spans of one label (both annotators' spans with that label).</summary>
/// <param name="Exact">Exact matching.</param>
/// <param name="Overlap">Overlap matching.</param>
public sealed record LabelScores(SpanScores Exact, SpanScores Overlap);

/// <summary>Pairwise span agreement of two annotators.</summary>
/// <param name="Exact">Exact matching, micro-averaged over all spans.</param>
/// <param name="Overlap">Overlap matching, micro-averaged over all spans.</param>
/// <param name="PerLabel">Scores per label (ordinal order of the labels); their F1 is the label's positive specific agreement.</param>
/// <param name="Note">Why some figures are NaN, when they are; null otherwise.</param>
public sealed record SpanAgreementResult(
    MatchingScores Exact, MatchingScores Overlap, IReadOnlyDictionary<string, LabelScores> PerLabel, string? Note);

/// <summary>
/// Pairwise agreement of two annotators' spans as precision, recall and F1, the usual figures for span annotation
/// (Hripcsak &amp; Rothschild 2005, "Agreement, the F-measure, and reliability in information retrieval", JAMIA 12(3):296–298:
/// F1 between two annotators equals their positive specific agreement and needs no count of negative cases).
/// </summary>
/// <remarks>
/// <para>Annotator A is the reference: precision = matched/|B|, recall = matched/|A|, F1 = 2·matched/(|A| + |B|).
/// Micro-averaged figures pool all spans; per-label figures use only the spans with that label on both sides.</para>
/// <para>Matching is one to one, so no span counts twice:</para>
/// <list type="bullet">
/// <item>Exact: a span of A matches a span of B with the same start and end (and label, when labels count). Duplicates
/// match as many times as both sides have them.</item>
/// <item>Overlap: candidate pairs are spans of A and B that share at least one offset (and have the same label, when labels
/// count). Candidates are taken greedily: the pair sharing the most offsets first; ties go to the pair whose boundaries
/// differ least (|Δstart| + |Δend|), then to the earlier span of A, then of B (in input order). A pair is taken when
/// neither span is matched yet.</item>
/// </list>
/// <para>Degenerate cases: a side without spans makes precision (B empty) or recall (A empty) NaN and F1 0;
/// both sides empty make every figure NaN. The result's note says which.</para>
/// </remarks>
public static class SpanAgreement
{
    /// <summary>Overlap matching refuses data whose spans overlap so much that the candidate pairs exceed this.</summary>
    public const int MaxOverlappingPairs = 5_000_000;

    /// <summary>Compares annotator <paramref name="b"/>'s spans with annotator <paramref name="a"/>'s.</summary>
    /// <exception cref="ArgumentException">A span with start ≥ end, a negative start, or no label; or too many overlapping pairs.</exception>
    public static SpanAgreementResult Compare(IReadOnlyList<LabelledSpan> a, IReadOnlyList<LabelledSpan> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Check(a, "a");
        Check(b, "b");

        // Spans of different labels never match when labels count, so matching with labels is the sum of the matchings
        // of each label alone (the greedy order within a label is the same). Both matchings are therefore counted in one
        // pass each, over all labels at once: a report compares every pair of annotators of every document, so this runs
        // millions of times on a large project.
        // Arrays, not the interface, in the loops below: each access would be an interface call otherwise.
        LabelledSpan[] x = a as LabelledSpan[] ?? [.. a], y = b as LabelledSpan[] ?? [.. b];
        var labels = a.Select(s => s.Label).Concat(b.Select(s => s.Label)).Distinct().Order(StringComparer.Ordinal).ToArray();
        var labelIndex = new Dictionary<string, int>(labels.Length, StringComparer.Ordinal);
        for (var l = 0; l < labels.Length; l++) labelIndex[labels[l]] = l;
        var (labelA, countA) = LabelsOf(x, labelIndex, labels.Length);
        var (labelB, countB) = LabelsOf(y, labelIndex, labels.Length);
        var (exactIgnoring, exactPerLabel) = Exact(x, y, labelA, labelB, labels.Length);
        var (overlapIgnoring, overlapPerLabel) = Overlap(x, y, labelA, labelB, labels.Length);
        var perLabel = new Dictionary<string, LabelScores>(labels.Length, StringComparer.Ordinal);
        for (var l = 0; l < labels.Length; l++)
            perLabel[labels[l]] = new LabelScores(Scores(exactPerLabel[l], countA[l], countB[l]), Scores(overlapPerLabel[l], countA[l], countB[l]));
        var exact = new MatchingScores(Scores(exactPerLabel.Sum(), a.Count, b.Count), Scores(exactIgnoring, a.Count, b.Count));
        var overlap = new MatchingScores(Scores(overlapPerLabel.Sum(), a.Count, b.Count), Scores(overlapIgnoring, a.Count, b.Count));

        var note = (a.Count, b.Count) switch
        {
            (0, 0) => "Neither annotator has spans: precision, recall and F1 are undefined (NaN).",
            (0, _) => "Annotator a has no spans: recall is undefined (NaN) and F1 is 0.",
            (_, 0) => "Annotator b has no spans: precision is undefined (NaN) and F1 is 0.",
            _ => null,
        };
        return new SpanAgreementResult(exact, overlap, perLabel, note);
    }

    private static void Check(IReadOnlyList<LabelledSpan> spans, string side)
    {
        for (var i = 0; i < spans.Count; i++)
        {
            var span = spans[i] ?? throw new ArgumentException($"Span {i + 1} of {side} is null.");
            if (span.Start < 0)
                throw new ArgumentException($"Span {i + 1} of {side} starts at {span.Start}; offsets cannot be negative.");
            if (span.Start >= span.End)
                throw new ArgumentException(
                    $"Span {i + 1} of {side} is [{span.Start}, {span.End}): a span needs start < end (end is exclusive).");
            if (span.Label is null) throw new ArgumentException($"Span {i + 1} of {side} has no label.");
        }
    }

    private static SpanScores Scores(int matched, int inA, int inB) => new(
        matched, inA, inB,
        inB == 0 ? double.NaN : (double)matched / inB,
        inA == 0 ? double.NaN : (double)matched / inA,
        inA + inB == 0 ? double.NaN : 2.0 * matched / (inA + inB));

    /// <summary>Each span's label as an index into the sorted labels, and how many spans each label has.</summary>
    private static (int[] Labels, int[] Counts) LabelsOf(LabelledSpan[] spans, Dictionary<string, int> labelIndex, int labelCount)
    {
        var labels = new int[spans.Length];
        var counts = new int[labelCount];
        for (var i = 0; i < spans.Length; i++) counts[labels[i] = labelIndex[spans[i].Label]]++;
        return (labels, counts);
    }

    /// <summary>
    /// Exact matches ignoring labels, and with labels per label. Both sides sorted by (start, end, label): spans with the
    /// same boundaries then lie together, and within them those with the same label, so a merge counts min(|A|, |B|) of
    /// each group (duplicates match as many times as both sides have them).
    /// </summary>
    private static (int Ignoring, int[] PerLabel) Exact(LabelledSpan[] a, LabelledSpan[] b, int[] labelA, int[] labelB, int labelCount)
    {
        var x = Keys(a, labelA);
        var y = Keys(b, labelB);
        var perLabel = new int[labelCount];
        var ignoring = 0;
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (x[i].Start != y[j].Start ? x[i].Start < y[j].Start : x[i].End < y[j].End) { i++; continue; }
            if (x[i].Start != y[j].Start || x[i].End != y[j].End) { j++; continue; }
            // One group of equal boundaries on each side: [i, iEnd) and [j, jEnd).
            int iEnd = i, jEnd = j;
            while (iEnd < x.Length && x[iEnd].Start == x[i].Start && x[iEnd].End == x[i].End) iEnd++;
            while (jEnd < y.Length && y[jEnd].Start == y[j].Start && y[jEnd].End == y[j].End) jEnd++;
            ignoring += Math.Min(iEnd - i, jEnd - j);
            while (i < iEnd && j < jEnd)
            {
                if (x[i].Label < y[j].Label) i++;
                else if (x[i].Label > y[j].Label) j++;
                else { perLabel[x[i].Label]++; i++; j++; }
            }
            (i, j) = (iEnd, jEnd);
        }
        return (ignoring, perLabel);
    }

    private static (long Start, long End, int Label)[] Keys(LabelledSpan[] spans, int[] labels)
    {
        var keys = new (long Start, long End, int Label)[spans.Length];
        for (var i = 0; i < keys.Length; i++) keys[i] = (spans[i].Start, spans[i].End, labels[i]);
        Array.Sort(keys);
        return keys;
    }

    /// <summary>Overlap matches ignoring labels, and with labels per label, from one sweep over the overlapping pairs.</summary>
    private static (int Ignoring, int[] PerLabel) Overlap(LabelledSpan[] a, LabelledSpan[] b, int[] labelA, int[] labelB, int labelCount)
    {
        // Sweep over all starts: a span overlaps exactly the other side's spans that started no later and end after
        // its start. Each overlapping pair is found once, and the cost is the number of pairs plus a sort.
        // Ties on the start keep A's spans before B's, each in input order.
        var events = new (long Start, int Side, int Index)[a.Length + b.Length];
        for (var i = 0; i < a.Length; i++) events[i] = (a[i].Start, 0, i);
        for (var j = 0; j < b.Length; j++) events[a.Length + j] = (b[j].Start, 1, j);
        Array.Sort(events);
        var active = new[] { new List<int>(), new List<int>() };
        // Candidates sorted as they are, ascending, give the greedy order: the most shared offsets first (so it is kept
        // negated), then the least shift of the boundaries, then A's and B's input order.
        var candidates = new List<(long NegatedShared, long Shift, int A, int B)>(a.Length + b.Length);
        var overlapping = 0;
        foreach (var (start, side, index) in events)
        {
            var others = side == 0 ? b : a;
            var open = active[1 - side];
            // Drop the other side's spans that ended by this start, keeping the rest in order.
            var kept = 0;
            for (var k = 0; k < open.Count; k++)
                if (others[open[k]].End > start) open[kept++] = open[k];
            open.RemoveRange(kept, open.Count - kept);
            var span = side == 0 ? a[index] : b[index];
            foreach (var k in open)
            {
                // Counted before the label test: the work is in visiting the pair, whether it becomes a candidate or not.
                if (++overlapping > MaxOverlappingPairs)
                    throw new ArgumentException(
                        $"The spans overlap each other in more than {MaxOverlappingPairs} pairs; compare smaller parts (e.g. one document at a time).");
                var (x, y, i, j) = side == 0 ? (span, b[k], index, k) : (a[k], span, k, index);
                var shared = Math.Min(x.End, y.End) - Math.Max(x.Start, y.Start);
                candidates.Add((-shared, Math.Abs(x.Start - y.Start) + Math.Abs(x.End - y.End), i, j));
            }
            active[side].Add(index);
        }
        // A pair's place in the greedy order is the same whether labels count or not, and when they count, pairs of
        // different labels are skipped and never take a span from a pair of one label.
        CollectionsMarshal.AsSpan(candidates).Sort();
        var perLabel = new int[labelCount];
        var ignoring = Greedy(candidates, a.Length, b.Length, null, null, null);
        Greedy(candidates, a.Length, b.Length, labelA, labelB, perLabel);
        return (ignoring, perLabel);
    }

    /// <summary>Takes the candidates in order, each when neither span is matched yet (and, with labels, when the labels are equal).</summary>
    private static int Greedy(List<(long NegatedShared, long Shift, int A, int B)> candidates, int countA, int countB, int[]? labelA, int[]? labelB, int[]? perLabel)
    {
        var usedA = new bool[countA];
        var usedB = new bool[countB];
        var matched = 0;
        foreach (var (_, _, i, j) in candidates)
        {
            if (usedA[i] || usedB[j]) continue;
            if (labelA is not null && labelA[i] != labelB![j]) continue;
            usedA[i] = usedB[j] = true;
            matched++;
            if (perLabel is not null) perLabel[labelA![i]]++;
        }
        return matched;
    }
}
