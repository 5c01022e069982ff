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
        // of each label alone (the greedy order within a label is the same): count it once, per label.
        var perLabel = new Dictionary<string, LabelScores>(StringComparer.Ordinal);
        int exactWithLabel = 0, overlapWithLabel = 0;
        foreach (var label in a.Select(s => s.Label).Concat(b.Select(s => s.Label)).Distinct().Order(StringComparer.Ordinal))
        {
            var inA = a.Where(s => s.Label == label).ToList();
            var inB = b.Where(s => s.Label == label).ToList();
            var (exactMatches, overlapMatches) = (Exact(inA, inB, true), Overlap(inA, inB, true));
            exactWithLabel += exactMatches;
            overlapWithLabel += overlapMatches;
            perLabel[label] = new LabelScores(Scores(exactMatches, inA.Count, inB.Count), Scores(overlapMatches, inA.Count, inB.Count));
        }
        var exact = new MatchingScores(Scores(exactWithLabel, a.Count, b.Count), Scores(Exact(a, b, false), a.Count, b.Count));
        var overlap = new MatchingScores(Scores(overlapWithLabel, a.Count, b.Count), Scores(Overlap(a, b, false), a.Count, b.Count));

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

    private static int Exact(IReadOnlyList<LabelledSpan> a, IReadOnlyList<LabelledSpan> b, bool withLabel)
    {
        var available = new Dictionary<(long, long, string), int>();
        foreach (var span in b)
        {
            var key = (span.Start, span.End, withLabel ? span.Label : "");
            available[key] = available.GetValueOrDefault(key) + 1;
        }
        var matched = 0;
        foreach (var span in a)
        {
            var key = (span.Start, span.End, withLabel ? span.Label : "");
            if (available.GetValueOrDefault(key) > 0)
            {
                available[key]--;
                matched++;
            }
        }
        return matched;
    }

    private static int Overlap(IReadOnlyList<LabelledSpan> a, IReadOnlyList<LabelledSpan> b, bool withLabel)
    {
        // Sweep over all starts: a span overlaps exactly the other side's spans that started no later and end after
        // its start. Each overlapping pair is found once, and the cost is the number of pairs plus a sort.
        // Ties on the start keep A's spans before B's, each in input order.
        var events = new (long Start, int Side, int Index)[a.Count + b.Count];
        for (var i = 0; i < a.Count; i++) events[i] = (a[i].Start, 0, i);
        for (var j = 0; j < b.Count; j++) events[a.Count + j] = (b[j].Start, 1, j);
        Array.Sort(events);
        var active = new[] { new List<int>(), new List<int>() };
        var candidates = new List<(long Shared, long Shift, int A, int B)>();
        var overlapping = 0;
        foreach (var (start, side, index) in events)
        {
            var others = side == 0 ? b : a;
            var open = active[1 - side];
            open.RemoveAll(k => others[k].End <= start);
            var span = side == 0 ? a[index] : b[index];
            foreach (var k in open)
            {
                // Counted before the label test: the work is in visiting the pair, whether it becomes a candidate or not.
                if (++overlapping > MaxOverlappingPairs)
                    throw new ArgumentException(
                        $"The spans overlap each other in more than {MaxOverlappingPairs} pairs; compare smaller parts (e.g. one document at a time).");
                var (x, y, i, j) = side == 0 ? (span, b[k], index, k) : (a[k], span, k, index);
                if (withLabel && x.Label != y.Label) continue;
                var shared = Math.Min(x.End, y.End) - Math.Max(x.Start, y.Start);
                candidates.Add((shared, Math.Abs(x.Start - y.Start) + Math.Abs(x.End - y.End), i, j));
            }
            active[side].Add(index);
        }
        candidates.Sort((p, q) =>
            p.Shared != q.Shared ? q.Shared.CompareTo(p.Shared)
            : p.Shift != q.Shift ? p.Shift.CompareTo(q.Shift)
            : p.A != q.A ? p.A.CompareTo(q.A)
            : p.B.CompareTo(q.B));

        var usedA = new bool[a.Count];
        var usedB = new bool[b.Count];
        var matched = 0;
        foreach (var (_, _, i, j) in candidates)
        {
            if (usedA[i] || usedB[j]) continue;
            usedA[i] = usedB[j] = true;
            matched++;
        }
        return matched;
    }
}
