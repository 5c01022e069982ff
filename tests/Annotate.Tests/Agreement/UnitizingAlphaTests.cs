using Annotate.Agreement;

namespace Annotate.Tests.Agreement;

public class UnitizingAlphaTests
{
    private static UnitizedSegment U(int rater, long start, long length, string category) => new(rater, start, length, category);

    /// <summary>
    /// Krippendorff (2004), "Measuring the reliability of qualitative text analysis data", Quality &amp; Quantity 38,
    /// figure 2 and appendix (also Content Analysis 2nd ed. p. 254): continuum [150, 450), observers i and j,
    /// categories c and k.
    /// </summary>
    private static readonly UnitizedSegment[] Krippendorff2004 =
    [
        U(0, 225, 70, "c"), U(0, 370, 30, "c"),
        U(1, 220, 80, "c"), U(1, 355, 20, "c"), U(1, 400, 20, "c"),
        U(0, 180, 60, "k"), U(0, 300, 50, "k"),
        U(1, 180, 60, "k"), U(1, 300, 50, "k"),
    ];

    [Fact]
    public void Krippendorff_2004_text_example_per_category()
    {
        // Values asserted by DKPro Agreement's unitizing Krippendorff2004Test (to 4 decimals) and reported by the
        // text-alpha implementation's README for the same figure-2 data (c .729, k 1.0):
        // c: D_o = .0144, D_e = .0532, α = .7286; k: D_o = 0, D_e = .0490, α = 1.
        var result = UnitizingAlpha.Compute(150, 300, 2, Krippendorff2004);
        var c = result.Categories["c"];
        Assert.Equal(0.0144, c.Observed, 0.00005);
        Assert.Equal(0.0532, c.Expected, 0.00005);
        Assert.Equal(0.7286, c.Alpha, 0.00005);
        var k = result.Categories["k"];
        Assert.Equal(0.0, k.Observed);
        Assert.Equal(0.0490, k.Expected, 0.00005);
        Assert.Equal(1.0, k.Alpha);
        Assert.Null(result.Note);
    }

    [Fact]
    public void Overall_alpha_pools_disagreements_instead_of_averaging_alphas()
    {
        // text-alpha's README: "micro-average α 0.859" against "macro-average α 0.864" (the mean of the category alphas).
        // DKPro Agreement's Krippendorff2004Test asserts .8591 ± .0005: 1 − .0144/(.0532 + .0490) from the rounded
        // disagreements; unrounded (.014444, .053222, .048979) it is .85867.
        var result = UnitizingAlpha.Compute(150, 300, 2, Krippendorff2004);
        Assert.Equal(0.859, result.Alpha, 0.0005);
        Assert.Equal(0.864, result.Categories.Values.Average(c => c.Alpha), 0.0005);
        Assert.Equal(result.Categories.Values.Average(c => c.Observed), result.ObservedDisagreement, 1e-12);
        Assert.Equal(result.Categories.Values.Average(c => c.Expected), result.ExpectedDisagreement, 1e-12);
    }

    [Fact]
    public void Unit_input_order_does_not_matter()
    {
        var inOrder = UnitizingAlpha.Compute(150, 300, 2, Krippendorff2004);
        var reversed = UnitizingAlpha.Compute(150, 300, 2, Krippendorff2004.Reverse());
        Assert.Equal(inOrder.Alpha, reversed.Alpha, 1e-12);
        Assert.Equal(0.7286, reversed.Categories["c"].Alpha, 0.00005);
    }

    /// <summary>
    /// Krippendorff (1995), "On the reliability of unitizing continuous data", Sociological Methodology 25, p. 57:
    /// four pairs of observers (A Bertha/Bill, B John/Jill, C Gerret/Gill, D Heather/Hill) on a continuum of 24,
    /// as transcribed in DKPro Agreement's unitizing Krippendorff1995Test.
    /// </summary>
    private static readonly UnitizedSegment[] Krippendorff1995 =
    [
        U(0, 2, 8, "A"), U(0, 14, 6, "A"), U(1, 4, 4, "A"), U(1, 15, 2, "A"),
        U(0, 0, 18, "B"), U(1, 0, 2, "B"), U(1, 2, 1, "B"), U(1, 3, 1, "B"), U(1, 4, 1, "B"), U(1, 5, 1, "B"), U(1, 6, 3, "B"), U(1, 9, 1, "B"),
        U(0, 2, 6, "C"), U(0, 10, 2, "C"), U(0, 14, 4, "C"), U(0, 20, 2, "C"),
        U(1, 0, 2, "C"), U(1, 4, 4, "C"), U(1, 10, 4, "C"), U(1, 16, 2, "C"), U(1, 20, 2, "C"),
        U(0, 0, 2, "D"), U(0, 2, 8, "D"), U(0, 10, 4, "D"), U(0, 14, 6, "D"), U(0, 20, 4, "D"),
        U(1, 0, 4, "D"), U(1, 4, 4, "D"), U(1, 8, 7, "D"), U(1, 15, 2, "D"), U(1, 17, 7, "D"),
    ];

    [Fact]
    public void Krippendorff_1995_observed_disagreements()
    {
        // DKPro Agreement's Krippendorff1995Test, testAgreement: D_o(A) = .03125, D_o(B) = 2.26736, D_o(C) = .02777,
        // D_o(D) = .38715 (to 5 decimals). Touching units (B, D) are allowed: they do not overlap.
        var result = UnitizingAlpha.Compute(0, 24, 2, Krippendorff1995);
        Assert.Equal(0.03125, result.Categories["A"].Observed, 0.000005);
        Assert.Equal(2.26736, result.Categories["B"].Observed, 0.000005);
        Assert.Equal(0.02777, result.Categories["C"].Observed, 0.00001);
        Assert.Equal(0.38715, result.Categories["D"].Observed, 0.000005);
    }

    [Fact]
    public void Krippendorff_1995_category_C_at_half_scale()
    {
        // DKPro Agreement's Krippendorff1995Test, testVaryingLengths with stretch 12/24 (every position halved, L = 12):
        // D_o(C) = .02777, D_e(C) = .05494 (both to 5 decimals), α(C) = .494.
        var halved = Krippendorff1995.Where(u => u.Category == "C").Select(u => u with { Start = u.Start / 2, Length = u.Length / 2 });
        var c = UnitizingAlpha.Compute(0, 12, 2, halved).Categories["C"];
        Assert.Equal(0.02777, c.Observed, 0.00001);
        Assert.Equal(0.05494, c.Expected, 0.00001);
        Assert.Equal(0.494, c.Alpha, 0.001);
    }

    [Fact]
    public void One_long_unit_against_three_short_ones()
    {
        // DKPro Agreement's UnitizingAgreementTest.testAgreement: continuum [0, 10), rater 0 marks [1, 9),
        // rater 1 marks [2, 3), [4, 5), [6, 7): D_o = .9100, D_e = .5351, α = −.7003, each asserted to ± .0001
        // (D_e is 289/540 = .535185..., so the published figures are cut, not rounded, at the 4th decimal).
        var result = UnitizingAlpha.Compute(0, 10, 2, [U(0, 1, 8, "A"), U(1, 2, 1, "A"), U(1, 4, 1, "A"), U(1, 6, 1, "A")]);
        var a = result.Categories["A"];
        Assert.Equal(0.9100, a.Observed, 0.0001);
        Assert.Equal(0.5351, a.Expected, 0.0001);
        Assert.Equal(-0.7003, a.Alpha, 0.0001);
        Assert.Equal(a.Alpha, result.Alpha, 1e-12);
    }

    [Fact]
    public void A_single_unit_of_one_rater_is_chance_level()
    {
        // DKPro Agreement's UnitizingAgreementTest.testSingleAnnotationUnit: 3 raters, continuum of 20, one unit: α = 0.
        var result = UnitizingAlpha.Compute(0, 20, 3, [U(0, 0, 1, "X")]);
        Assert.Equal(0.0, result.Alpha, 1e-12);
    }

    [Fact]
    public void No_units_gives_NaN_with_a_reason()
    {
        // DKPro Agreement's UnitizingAgreementTest.testEmptyAnnotationSet: NaN.
        var result = UnitizingAlpha.Compute(0, 20, 3, []);
        Assert.True(double.IsNaN(result.Alpha));
        Assert.Empty(result.Categories);
        Assert.Contains("No rater marked any unit", result.Note);
    }

    [Fact]
    public void Everyone_marking_the_whole_continuum_of_length_one_is_one_with_a_reason()
    {
        var result = UnitizingAlpha.Compute(0, 1, 2, [U(0, 0, 1, "X"), U(1, 0, 1, "X")]);
        Assert.Equal(1.0, result.Alpha);
        Assert.Equal(0.0, result.ExpectedDisagreement);
        Assert.NotNull(result.Note);
    }

    [Fact]
    public void Many_raters_and_categories_stay_fast()
    {
        // 1,000 raters and 20,000 categories: raters that never used a category must not be walked pair by pair.
        var units = Enumerable.Range(0, 100_000).Select(i => U(i % 1000, i % 9000 * 10L, 5, $"c{i % 20_000}")).ToList();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = UnitizingAlpha.Compute(0, 100_000, 1000, units);
        Assert.Equal(20_000, result.Categories.Count);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Overlapping_units_of_one_rater_and_category_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            UnitizingAlpha.Compute(0, 100, 2, [U(0, 10, 10, "X"), U(0, 15, 10, "X"), U(1, 10, 10, "X")]));
        Assert.Contains("Rater 0 has overlapping 'X' units [10, 20) and [15, 25)", error.Message);
        // The same positions in different categories are fine.
        UnitizingAlpha.Compute(0, 100, 2, [U(0, 10, 10, "X"), U(0, 15, 10, "Y"), U(1, 10, 10, "X")]);
    }

    [Fact]
    public void Invalid_continua_and_units_are_refused_with_a_reason()
    {
        Assert.Contains("at least two raters", Assert.Throws<ArgumentException>(() => UnitizingAlpha.Compute(0, 10, 1, [])).Message);
        Assert.Contains("length must be at least 1", Assert.Throws<ArgumentException>(() => UnitizingAlpha.Compute(0, -5, 2, [])).Message);
        Assert.Contains("length -3", Assert.Throws<ArgumentException>(() => UnitizingAlpha.Compute(0, 10, 2, [U(0, 5, -3, "X")])).Message);
        Assert.Contains("outside the continuum [0, 10)",
            Assert.Throws<ArgumentException>(() => UnitizingAlpha.Compute(0, 10, 2, [U(0, 8, 5, "X")])).Message);
        Assert.Contains("raters are numbered 0 to 1",
            Assert.Throws<ArgumentException>(() => UnitizingAlpha.Compute(0, 10, 2, [U(2, 0, 5, "X")])).Message);
        Assert.Contains("no category", Assert.Throws<ArgumentException>(() => UnitizingAlpha.Compute(0, 10, 2, [U(0, 0, 5, "")])).Message);
    }

    [Fact]
    public void Prepared_units_give_each_subset_of_raters_what_its_own_units_give()
    {
        // An agreement report prepares a document's units once and asks for all coders and for every pair: each answer must
        // be the one computed from that subset's units alone, raters renumbered, to the last bit.
        var random = new Random(7);
        for (var round = 0; round < 100; round++)
        {
            const int raters = 4, length = 60;
            var units = new List<UnitizedSegment>();
            for (var rater = 0; rater < raters; rater++)
            foreach (var category in new[] { "A", "B" })
            {
                var position = random.Next(0, 6);
                while (position < length - 1 && random.Next(4) > 0)
                {
                    var unitLength = random.Next(1, Math.Min(8, length - position) + 1);
                    units.Add(new UnitizedSegment(rater, position, unitLength, category));
                    position += unitLength + random.Next(0, 6);
                }
            }
            var prepared = UnitizingAlpha.Prepare(0, length, raters, units);
            Assert.Equal(UnitizingAlpha.Compute(0, length, raters, units), prepared.Compute([0, 1, 2, 3]), ResultComparer.Instance);
            foreach (var subset in new[] { new[] { 0, 1 }, [2, 3], [3, 1], [0, 2, 3] })
            {
                var ordered = subset.Order().ToList();
                var own = units.Where(u => subset.Contains(u.Rater)).Select(u => u with { Rater = ordered.IndexOf(u.Rater) }).ToList();
                var expected = own.Count == 0 ? null : UnitizingAlpha.Compute(0, length, subset.Length, own);
                var actual = prepared.Compute(subset);
                if (expected is null) Assert.Empty(actual.Categories);
                else Assert.Equal(expected, actual, ResultComparer.Instance);
            }
        }
        Assert.Throws<ArgumentException>(() => UnitizingAlpha.Prepare(0, 10, 3, []).Compute([0]));
        Assert.Throws<ArgumentException>(() => UnitizingAlpha.Prepare(0, 10, 3, []).Compute([0, 3]));
        Assert.Throws<ArgumentException>(() => UnitizingAlpha.Prepare(0, 10, 3, []).Compute([1, 1]));
    }

    /// <summary>Equal when every figure is equal bit for bit (NaN equal to NaN) and the notes and categories match.</summary>
    private sealed class ResultComparer : IEqualityComparer<UnitizingResult>
    {
        public static readonly ResultComparer Instance = new();

        public bool Equals(UnitizingResult? x, UnitizingResult? y) =>
            x is not null && y is not null && x.Alpha.Equals(y.Alpha) && x.ObservedDisagreement.Equals(y.ObservedDisagreement)
            && x.ExpectedDisagreement.Equals(y.ExpectedDisagreement) && x.Raters == y.Raters && x.Note == y.Note
            && x.Categories.Keys.SequenceEqual(y.Categories.Keys) && x.Categories.All(c => c.Value.Equals(y.Categories[c.Key]));

        public int GetHashCode(UnitizingResult obj) => obj.Raters;
    }
}
