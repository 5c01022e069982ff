using Annotate.Agreement;

namespace Annotate.Tests.Agreement;

public class SpanAgreementTests
{
    private static LabelledSpan S(long start, long end, string label) => new(start, end, label);

    [Fact]
    public void Seqeval_readme_example()
    {
        // seqeval README ("Behold, the power of seqeval"): tokens 0–8, true MISC 3–5 and PER 7–8, predicted MISC 2–5 and
        // PER 7–8: f1 = 0.50; per label MISC 0.00 / 0.00 / 0.00 and PER 1.00 / 1.00 / 1.00 (exact match with label).
        var truth = new[] { S(3, 6, "MISC"), S(7, 9, "PER") };
        var predicted = new[] { S(2, 6, "MISC"), S(7, 9, "PER") };
        var result = SpanAgreement.Compare(truth, predicted);

        Assert.Equal(0.50, result.Exact.WithLabel.F1, 1e-12);
        Assert.Equal(0.50, result.Exact.WithLabel.Precision, 1e-12);
        Assert.Equal(0.50, result.Exact.WithLabel.Recall, 1e-12);
        Assert.Equal((0.0, 0.0, 0.0), (result.PerLabel["MISC"].Exact.Precision, result.PerLabel["MISC"].Exact.Recall, result.PerLabel["MISC"].Exact.F1));
        Assert.Equal((1.0, 1.0, 1.0), (result.PerLabel["PER"].Exact.Precision, result.PerLabel["PER"].Exact.Recall, result.PerLabel["PER"].Exact.F1));
        // Overlap matching forgives MISC's extra token.
        Assert.Equal(1.0, result.Overlap.WithLabel.F1);
        Assert.Equal(1.0, result.PerLabel["MISC"].Overlap.F1);
        Assert.Null(result.Note);
    }

    [Fact]
    public void SemEval_2013_scenarios()
    {
        // The six scenarios of SemEval-2013 Task 9.1 (Segura-Bedmar et al. 2013) as tabulated by Batista (2018),
        // "Named-Entity evaluation metrics based on entity-level", and the nervaluate README: gold and predicted entities
        // with their outcome per schema. Strict (exact boundary and type) has 1 correct of 5 gold / 5 predicted; Exact
        // (boundary only) 2; Type (overlap and type) 2; the Partial schema marks 4 predictions as correct or partial,
        // i.e. 4 overlap regardless of type. Each scenario gets its own stretch of offsets here.
        LabelledSpan[] gold =
        [
            S(0, 7, "BRAND"),          // III tikosyn, missed
            S(23, 31, "DRUG"),         // V   warfarin vs "of warfarin"
            S(40, 51, "DRUG"),         // IV  propranolol, wrong type
            S(60, 69, "DRUG"),         // I   phenytoin, correct
            S(75, 89, "GROUP"),        // VI  contraceptives vs "oral contraceptives" DRUG
        ];
        LabelledSpan[] predicted =
        [
            S(10, 17, "BRAND"),        // II  healthy, spurious
            S(20, 31, "DRUG"),
            S(40, 51, "BRAND"),
            S(60, 69, "DRUG"),
            S(70, 89, "DRUG"),
        ];
        var result = SpanAgreement.Compare(gold, predicted);

        Assert.Equal(new SpanScores(1, 5, 5, 0.2, 0.2, 0.2), result.Exact.WithLabel);      // strict
        Assert.Equal(new SpanScores(2, 5, 5, 0.4, 0.4, 0.4), result.Exact.IgnoringLabel);  // exact
        Assert.Equal(new SpanScores(2, 5, 5, 0.4, 0.4, 0.4), result.Overlap.WithLabel);    // type
        Assert.Equal(new SpanScores(4, 5, 5, 0.8, 0.8, 0.8), result.Overlap.IgnoringLabel);
        Assert.Equal(["BRAND", "DRUG", "GROUP"], result.PerLabel.Keys);
        Assert.Equal(new SpanScores(2, 3, 3, 2 / 3.0, 2 / 3.0, 2 / 3.0), result.PerLabel["DRUG"].Overlap);
        Assert.Equal(new SpanScores(0, 1, 2, 0, 0, 0), result.PerLabel["BRAND"].Overlap);
        Assert.Equal(new SpanScores(0, 1, 0, double.NaN, 0, 0), result.PerLabel["GROUP"].Exact);
    }

    [Fact]
    public void Overlap_matching_is_one_to_one_largest_overlap_first()
    {
        // A's long span overlaps both of B's; it takes the one it shares more offsets with, the other stays unmatched.
        var result = SpanAgreement.Compare([S(0, 10, "X")], [S(0, 3, "X"), S(4, 10, "X")]);
        Assert.Equal(new SpanScores(1, 1, 2, 0.5, 1.0, 2 / 3.0), result.Overlap.WithLabel);
        // Largest overlap first: A's [10, 20) and B's [12, 20) share 8 offsets, so they pair up before B's [5, 15), which
        // shares 5 with each of A's spans, is considered; it then goes to A's [0, 10) and every span is matched.
        var tie = SpanAgreement.Compare([S(0, 10, "X"), S(10, 20, "X")], [S(5, 15, "X"), S(12, 20, "X")]);
        Assert.Equal(2, tie.Overlap.WithLabel.Matched);
    }

    [Fact]
    public void Duplicate_spans_match_once_each()
    {
        var result = SpanAgreement.Compare([S(0, 5, "X"), S(0, 5, "X")], [S(0, 5, "X")]);
        Assert.Equal(1, result.Exact.WithLabel.Matched);
        Assert.Equal(1, result.Overlap.WithLabel.Matched);
    }

    [Fact]
    public void Empty_sides_give_documented_values_and_a_reason()
    {
        var neither = SpanAgreement.Compare([], []);
        Assert.True(double.IsNaN(neither.Exact.WithLabel.F1));
        Assert.True(double.IsNaN(neither.Overlap.IgnoringLabel.Precision));
        Assert.Empty(neither.PerLabel);
        Assert.Contains("Neither annotator", neither.Note);

        var onlyA = SpanAgreement.Compare([S(0, 5, "X")], []);
        Assert.Equal(new SpanScores(0, 1, 0, double.NaN, 0, 0), onlyA.Exact.WithLabel);
        Assert.Contains("b has no spans", onlyA.Note);
        var onlyB = SpanAgreement.Compare([], [S(0, 5, "X")]);
        Assert.Equal(new SpanScores(0, 0, 1, 0, double.NaN, 0), onlyB.Overlap.IgnoringLabel);
        Assert.Contains("a has no spans", onlyB.Note);
    }

    [Fact]
    public void Invalid_spans_are_refused_with_a_reason()
    {
        Assert.Contains("Span 2 of b is [7, 7)",
            Assert.Throws<ArgumentException>(() => SpanAgreement.Compare([S(0, 5, "X")], [S(0, 5, "X"), S(7, 7, "X")])).Message);
        Assert.Contains("start < end", Assert.Throws<ArgumentException>(() => SpanAgreement.Compare([S(9, 5, "X")], [])).Message);
        Assert.Contains("cannot be negative", Assert.Throws<ArgumentException>(() => SpanAgreement.Compare([S(-1, 5, "X")], [])).Message);
        Assert.Contains("no label", Assert.Throws<ArgumentException>(() => SpanAgreement.Compare([new LabelledSpan(0, 5, null!)], [])).Message);
    }

    [Fact]
    public void Many_spans_are_matched_quickly()
    {
        // 50,000 spans a side, each overlapping its counterpart only: the sweep must not compare every pair.
        var a = Enumerable.Range(0, 50_000).Select(i => S(i * 10L, i * 10L + 5, i % 2 == 0 ? "X" : "Y")).ToList();
        var b = Enumerable.Range(0, 50_000).Select(i => S(i * 10L + 1, i * 10L + 6, i % 2 == 0 ? "X" : "Y")).ToList();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = SpanAgreement.Compare(a, b);
        Assert.Equal(50_000, result.Overlap.WithLabel.Matched);
        Assert.Equal(0, result.Exact.IgnoringLabel.Matched);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void One_pass_over_all_labels_gives_what_matching_each_label_alone_gives()
    {
        // The matcher counts exact and overlap matches with and without labels in one pass over all labels. A plain
        // reference (a quadratic search, one label at a time, the greedy order of the class remarks) must agree with it on
        // random data full of duplicates, nesting, shared boundaries and label clashes.
        var random = new Random(20261203);
        for (var round = 0; round < 300; round++)
        {
            var a = RandomSpans(random);
            var b = RandomSpans(random);
            var result = SpanAgreement.Compare(a, b);
            Assert.Equal(NaiveExact(a, b, null), result.Exact.IgnoringLabel.Matched);
            Assert.Equal(NaiveOverlap(a, b, null), result.Overlap.IgnoringLabel.Matched);
            var labels = a.Concat(b).Select(s => s.Label).Distinct().ToList();
            Assert.Equal(labels.Sum(l => NaiveExact(a, b, l)), result.Exact.WithLabel.Matched);
            Assert.Equal(labels.Sum(l => NaiveOverlap(a, b, l)), result.Overlap.WithLabel.Matched);
            Assert.Equal(labels.Order(StringComparer.Ordinal), result.PerLabel.Keys);
            foreach (var label in labels)
            {
                Assert.Equal(NaiveExact(a, b, label), result.PerLabel[label].Exact.Matched);
                Assert.Equal(NaiveOverlap(a, b, label), result.PerLabel[label].Overlap.Matched);
                Assert.Equal(a.Count(s => s.Label == label), result.PerLabel[label].Exact.InA);
            }
        }
    }

    private static LabelledSpan[] RandomSpans(Random random)
    {
        var labels = new[] { "PER", "ORG", "LOC" };
        return Enumerable.Range(0, random.Next(0, 25)).Select(_ =>
        {
            var start = random.Next(0, 40);
            return S(start, start + random.Next(1, 8), labels[random.Next(labels.Length)]);
        }).ToArray();
    }

    /// <summary>Exact matches of one label (or of all, ignoring labels when null), duplicates one to one.</summary>
    private static int NaiveExact(LabelledSpan[] a, LabelledSpan[] b, string? label)
    {
        var used = new bool[b.Length];
        var matched = 0;
        foreach (var x in a.Where(s => label is null || s.Label == label))
        {
            int j;
            for (j = 0; j < b.Length; j++)
                if (!used[j] && (label is null || b[j].Label == label) && b[j].Start == x.Start && b[j].End == x.End) break;
            if (j < b.Length) { used[j] = true; matched++; }
        }
        return matched;
    }

    /// <summary>Overlap matches by the greedy order, found by trying every pair.</summary>
    private static int NaiveOverlap(LabelledSpan[] a, LabelledSpan[] b, string? label)
    {
        var x = a.Where(s => label is null || s.Label == label).ToArray();
        var y = b.Where(s => label is null || s.Label == label).ToArray();
        var pairs = new List<(long Shared, long Shift, int A, int B)>();
        for (var i = 0; i < x.Length; i++)
        for (var j = 0; j < y.Length; j++)
        {
            var shared = Math.Min(x[i].End, y[j].End) - Math.Max(x[i].Start, y[j].Start);
            if (shared > 0) pairs.Add((shared, Math.Abs(x[i].Start - y[j].Start) + Math.Abs(x[i].End - y[j].End), i, j));
        }
        var (usedA, usedB, matched) = (new bool[x.Length], new bool[y.Length], 0);
        foreach (var (_, _, i, j) in pairs.OrderByDescending(p => p.Shared).ThenBy(p => p.Shift).ThenBy(p => p.A).ThenBy(p => p.B))
        {
            if (usedA[i] || usedB[j]) continue;
            usedA[i] = usedB[j] = true;
            matched++;
        }
        return matched;
    }
}
