using Annotate.Agreement;
using static Annotate.Tests.Agreement.PublishedData;

namespace Annotate.Tests.Agreement;

public class KrippendorffAlphaTests
{
    // Published values are given to 3 (or 4) decimals: the computed value must round to them.
    private const double ThirdDecimal = 0.0005;

    [Theory]
    // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C (4 observers, 12 units, missing values):
    // nominal .743, ordinal .815, interval .849, ratio .797. The same values are asserted by the `krippendorff` Python
    // package's tests (ordinal, ratio) and DKPro Agreement's Krippendorff2004Test (nominal, interval).
    [InlineData(MeasurementLevel.Nominal, 0.743)]
    [InlineData(MeasurementLevel.Ordinal, 0.815)]
    [InlineData(MeasurementLevel.Interval, 0.849)]
    [InlineData(MeasurementLevel.Ratio, 0.797)]
    public void Krippendorff_2011_reliability_data_at_each_level(MeasurementLevel level, double expected)
    {
        var result = KrippendorffAlpha.Compute(Data(Krippendorff2011), level);

        Assert.Equal(expected, result.Alpha, ThirdDecimal);
        Assert.Equal(11, result.PairableUnits); // the 12th unit has a single value
        Assert.Equal(40, result.PairableValues);
        Assert.Equal(4, result.Coders);
        Assert.Null(result.Note);
    }

    [Fact]
    public void Krippendorff_2011_data_disagreements()
    {
        // DKPro Agreement, Krippendorff2004Test (same data, Krippendorff 2004 p. 230): nominal D_o = .200, D_e = .779;
        // interval D_o = .433, D_e = 2.872.
        var nominal = KrippendorffAlpha.Compute(Data(Krippendorff2011), MeasurementLevel.Nominal);
        Assert.Equal(0.200, nominal.ObservedDisagreement, ThirdDecimal);
        Assert.Equal(0.779, nominal.ExpectedDisagreement, ThirdDecimal);
        var interval = KrippendorffAlpha.Compute(Data(Krippendorff2011), MeasurementLevel.Interval);
        Assert.Equal(0.433, interval.ObservedDisagreement, ThirdDecimal);
        Assert.Equal(2.872, interval.ExpectedDisagreement, ThirdDecimal);
    }

    [Fact]
    public void Strings_are_nominal_categories()
    {
        // Krippendorff (2004), Content Analysis 2nd ed., p. 230, with the symbols as letters
        // (B book, L letter, P phone, C computer, F folder), as in DKPro Agreement's Krippendorff2004Test: α = .743.
        object?[][] symbols =
        [
            ["B", "L", "P", "P", "L", "B", "C", "B", "L", null, null, null],
            ["B", "L", "P", "P", "L", "L", "C", "B", "L", "F", null, null],
            [null, "P", "P", "P", "L", "P", "C", "L", "L", "F", "B", "P"],
            ["B", "L", "P", "P", "L", "C", "C", "B", "L", "F", "B", null],
        ];
        Assert.Equal(0.743, KrippendorffAlpha.Compute(Data(symbols), MeasurementLevel.Nominal).Alpha, ThirdDecimal);
    }

    [Fact]
    public void Wikipedia_example_with_three_coders()
    {
        // Wikipedia "Krippendorff's alpha", computational example; values from the `krippendorff` package's tests
        // (test_nominal_metric_reliability_data: 0.691358, test_interval_metric: 0.810845).
        Assert.Equal(0.691358, KrippendorffAlpha.Compute(Data(WikipediaAlpha), MeasurementLevel.Nominal).Alpha, 0.0000005);
        Assert.Equal(0.810845, KrippendorffAlpha.Compute(Data(WikipediaAlpha), MeasurementLevel.Interval).Alpha, 0.0000005);
    }

    [Fact]
    public void Two_coders_binary_data()
    {
        // Krippendorff (2011) section A and Krippendorff (2004) p. 224: two observers, 10 units, binary values:
        // α = .095 (D_o = .400, D_e = .442 as in DKPro Agreement's Krippendorff2004Test).
        var data = Data([
            [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
            [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
        ]);
        var result = KrippendorffAlpha.Compute(data, MeasurementLevel.Nominal);
        Assert.Equal(0.095, result.Alpha, ThirdDecimal);
        Assert.Equal(0.400, result.ObservedDisagreement, ThirdDecimal);
        Assert.Equal(0.442, result.ExpectedDisagreement, ThirdDecimal);
    }

    [Fact]
    public void Two_coders_three_categories()
    {
        // Krippendorff (2004) p. 227: 12 units, categories a/b/c: α = .734 (D_o = .1667, D_e = .6268; DKPro Agreement).
        var data = Data([
            ["a", "a", "b", "b", "b", "b", "b", "c", "c", "c", "c", "c"],
            ["a", "b", "b", "b", "b", "b", "c", "c", "c", "c", "c", "c"],
        ]);
        var result = KrippendorffAlpha.Compute(data, MeasurementLevel.Nominal);
        Assert.Equal(0.734, result.Alpha, ThirdDecimal);
        Assert.Equal(0.1667, result.ObservedDisagreement, 0.00005);
        Assert.Equal(0.6268, result.ExpectedDisagreement, 0.00005);
    }

    [Fact]
    public void Artstein_and_Poesio_2008_example()
    {
        // Artstein & Poesio (2008), "Inter-coder agreement for computational linguistics", p. 568 (STAT/IReq/Chck):
        // nominal α = .800 with D_o = .120, D_e = .601, each asserted ± .001 by DKPro Agreement's ArtsteinPoesio2008Test.
        // Those figures are cut rather than rounded: D_e = 23944/39800 = .60161 and α = .80053, so ± .001 it is.
        var data = Table(["STAT", "IReq", "Chck"], [[46, 0, 0], [6, 32, 6], [0, 0, 10]]);
        var result = KrippendorffAlpha.Compute(data, MeasurementLevel.Nominal);
        Assert.Equal(0.800, result.Alpha, 0.001);
        Assert.Equal(0.120, result.ObservedDisagreement, ThirdDecimal);
        Assert.Equal(0.601, result.ExpectedDisagreement, 0.001);
    }

    [Fact]
    public void Ratio_alpha_with_zeros_agreeing_is_one()
    {
        // `krippendorff` package, test_ratio_metric_with_zeros: [[0, 1, 2], [0, 1, 2]] at the ratio level gives 1.
        Assert.Equal(1.0, KrippendorffAlpha.Compute(Data([[0, 1, 2], [0, 1, 2]]), MeasurementLevel.Ratio).Alpha);
    }

    [Fact]
    public void Numbers_of_any_type_are_the_same_value()
    {
        var ints = KrippendorffAlpha.Compute(Data(Krippendorff2011), MeasurementLevel.Interval);
        var doubles = KrippendorffAlpha.Compute(
            Data(Krippendorff2011.Select(row => row.Select(v => v is int i ? (object?)(double)i : null).ToArray()).ToArray()),
            MeasurementLevel.Interval);
        Assert.Equal(ints.Alpha, doubles.Alpha, 1e-12);
    }

    [Fact]
    public void Interval_alpha_is_exact_for_large_numbers_with_small_differences()
    {
        // Shifting every value by a constant must not change interval alpha; naive Σx² − (Σx)² would lose the differences.
        var shifted = Krippendorff2011.Select(row => row.Select(v => v is int i ? (object?)(i + 1e9) : null).ToArray()).ToArray();
        Assert.Equal(0.849, KrippendorffAlpha.Compute(Data(shifted), MeasurementLevel.Interval).Alpha, ThirdDecimal);
    }

    [Fact]
    public void No_units_gives_NaN_with_a_reason()
    {
        var result = KrippendorffAlpha.Compute(Data([[], []]), MeasurementLevel.Nominal);
        Assert.True(double.IsNaN(result.Alpha));
        Assert.Contains("no units", result.Note);
    }

    [Fact]
    public void No_pairable_unit_gives_NaN_with_a_reason()
    {
        // Each unit has one value only; cf. the `krippendorff` package's test_error_insufficient_coders_per_unit.
        var result = KrippendorffAlpha.Compute(Data([[1, null], [null, 2]]), MeasurementLevel.Interval);
        Assert.True(double.IsNaN(result.Alpha));
        Assert.Equal(0, result.PairableUnits);
        Assert.Contains("two or more coders", result.Note);
    }

    [Theory]
    [InlineData(MeasurementLevel.Nominal)]
    [InlineData(MeasurementLevel.Ordinal)]
    [InlineData(MeasurementLevel.Interval)]
    [InlineData(MeasurementLevel.Ratio)]
    public void One_value_only_gives_one_with_a_reason(MeasurementLevel level)
    {
        var result = KrippendorffAlpha.Compute(Data([[3, 3, 3], [3, 3, null]]), level);
        Assert.Equal(1.0, result.Alpha);
        Assert.Equal(0.0, result.ExpectedDisagreement);
        Assert.Contains("expected disagreement 0", result.Note);
    }

    [Theory]
    [InlineData(MeasurementLevel.Ordinal)]
    [InlineData(MeasurementLevel.Interval)]
    [InlineData(MeasurementLevel.Ratio)]
    public void Strings_are_refused_above_the_nominal_level(MeasurementLevel level)
    {
        var error = Assert.Throws<ArgumentException>(() => KrippendorffAlpha.Compute(Data([[1, "high"], [1, 2]]), level));
        Assert.Contains("\"high\"", error.Message);
        Assert.Contains("must be numbers", error.Message);
    }

    [Fact]
    public void Ratio_alpha_refuses_more_distinct_values_than_it_can_compare()
    {
        // 30,000 distinct values need 9·10⁸ comparisons for D_e: the caller is told to round or use the interval level.
        var row = Enumerable.Range(1, 30_000).Select(i => (object?)(double)i).ToArray();
        var error = Assert.Throws<ArgumentException>(() => KrippendorffAlpha.Compute(Data([row, row]), MeasurementLevel.Ratio));
        Assert.Contains("30000 distinct values", error.Message);
        Assert.Contains("Round the values", error.Message);
        Assert.Equal(1.0, KrippendorffAlpha.Compute(Data([row, row]), MeasurementLevel.Interval).Alpha);
    }

    [Fact]
    public void Negative_numbers_are_refused_at_the_ratio_level()
    {
        var error = Assert.Throws<ArgumentException>(() => KrippendorffAlpha.Compute(Data([[1, -2], [1, 2]]), MeasurementLevel.Ratio));
        Assert.Contains("interval level", error.Message);
    }
}
