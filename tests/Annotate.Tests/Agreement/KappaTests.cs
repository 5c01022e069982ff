using Annotate.Agreement;
using static Annotate.Tests.Agreement.PublishedData;

namespace Annotate.Tests.Agreement;

/// <summary>Cohen's kappa, Scott's pi, Fleiss' kappa and percent agreement.</summary>
public class KappaTests
{
    private const double ThirdDecimal = 0.0005;

    [Fact]
    public void Cohen_1960_example()
    {
        // Cohen (1960), "A coefficient of agreement for nominal scales", p. 45 (3 categories, 200 units):
        // p_o = .70, p_c = .41, κ = .492 (also DKPro Agreement's Cohen1960Test).
        var data = Table([1, 2, 3], [[88, 14, 18], [10, 40, 10], [2, 6, 12]]);
        var kappa = TwoCoderAgreement.CohenKappa(data);
        Assert.Equal(0.492, kappa.Value, ThirdDecimal);
        Assert.Equal(0.70, kappa.ObservedAgreement, 0.005);
        Assert.Equal(0.41, kappa.ExpectedAgreement, 0.005);
        Assert.Equal(200, kappa.Units);
    }

    [Fact]
    public void Cohen_kappa_matches_the_SAS_example()
    {
        // The SAS "Simple Kappa Coefficient" printout reproduced in statsmodels' test_inter_rater.py (table10): κ = .4842.
        var data = Table([0, 1, 2], [[0, 4, 1], [0, 8, 0], [0, 1, 5]]);
        Assert.Equal(0.4842, TwoCoderAgreement.CohenKappa(data).Value, 0.00005);
    }

    [Fact]
    public void Artstein_and_Poesio_2008_two_category_example()
    {
        // Artstein & Poesio (2008), p. 558 (STAT/IReq, 100 utterances): A_o = .7; π: A_e = .545, π = .341;
        // κ: A_e = .54, κ = .348 (DKPro Agreement's ArtsteinPoesio2008Test asserts the same).
        var data = Table(["STAT", "IReq"], [[20, 10], [20, 50]]);
        var pi = TwoCoderAgreement.ScottPi(data);
        var kappa = TwoCoderAgreement.CohenKappa(data);
        Assert.Equal(0.7, pi.ObservedAgreement, ThirdDecimal);
        Assert.Equal(0.545, pi.ExpectedAgreement, ThirdDecimal);
        Assert.Equal(0.341, pi.Value, ThirdDecimal);
        Assert.Equal(0.54, kappa.ExpectedAgreement, ThirdDecimal);
        Assert.Equal(0.348, kappa.Value, ThirdDecimal);
        Assert.Equal(0.7, PercentAgreement.Compute(data).Value, ThirdDecimal);
    }

    [Fact]
    public void Artstein_and_Poesio_2008_three_category_example()
    {
        // Artstein & Poesio (2008), p. 568 (STAT/IReq/Chck): A_o = .88; π = .7995 (A_e = .4014); κ = .8013 (A_e = .396).
        var data = Table(["STAT", "IReq", "Chck"], [[46, 0, 0], [6, 32, 6], [0, 0, 10]]);
        var pi = TwoCoderAgreement.ScottPi(data);
        var kappa = TwoCoderAgreement.CohenKappa(data);
        Assert.Equal(0.88, pi.ObservedAgreement, ThirdDecimal);
        Assert.Equal(0.4014, pi.ExpectedAgreement, 0.00005);
        Assert.Equal(0.7995, pi.Value, 0.00005);
        Assert.Equal(0.396, kappa.ExpectedAgreement, ThirdDecimal);
        Assert.Equal(0.8013, kappa.Value, 0.00005);
    }

    [Fact]
    public void Krippendorff_2004_shows_kappa_and_pi_apart()
    {
        // Krippendorff (2004), Content Analysis 2nd ed., p. 246 (DKPro Agreement's Krippendorff2004Test):
        // with equal marginals π = κ = .186; moving disagreements off the diagonal to one side raises κ to .258, π stays .186.
        var symmetric = Table(["a", "b", "c"], [[12, 9, 9], [9, 14, 9], [9, 9, 20]]);
        Assert.Equal(0.460, PercentAgreement.Compute(symmetric).Value, ThirdDecimal);
        Assert.Equal(0.186, TwoCoderAgreement.ScottPi(symmetric).Value, ThirdDecimal);
        Assert.Equal(0.186, TwoCoderAgreement.CohenKappa(symmetric).Value, ThirdDecimal);
        var skewed = Table(["a", "b", "c"], [[12, 18, 18], [0, 14, 18], [0, 0, 20]]);
        Assert.Equal(0.460, PercentAgreement.Compute(skewed).Value, ThirdDecimal);
        Assert.Equal(0.186, TwoCoderAgreement.ScottPi(skewed).Value, ThirdDecimal);
        Assert.Equal(0.258, TwoCoderAgreement.CohenKappa(skewed).Value, ThirdDecimal);
    }

    [Fact]
    public void Two_coder_measures_leave_out_units_with_a_missing_value()
    {
        var data = Data([["a", "b", null, "a"], ["a", "b", "b", null]]);
        var kappa = TwoCoderAgreement.CohenKappa(data);
        Assert.Equal(2, kappa.Units);
        Assert.Equal(1.0, kappa.Value);
    }

    [Fact]
    public void Two_coder_measures_refuse_other_numbers_of_coders()
    {
        var error = Assert.Throws<ArgumentException>(() => TwoCoderAgreement.CohenKappa(Data(Krippendorff2011)));
        Assert.Contains("exactly two coders; these data have 4", error.Message);
        Assert.Throws<ArgumentException>(() => TwoCoderAgreement.ScottPi(Data(Krippendorff2011)));
    }

    [Fact]
    public void Two_coder_degenerate_cases_are_defined()
    {
        var nothing = TwoCoderAgreement.CohenKappa(Data([["a", null], [null, "b"]]));
        Assert.True(double.IsNaN(nothing.Value));
        Assert.Contains("No unit was coded by both", nothing.Note);
        var oneCategory = TwoCoderAgreement.ScottPi(Data([["a", "a"], ["a", "a"]]));
        Assert.Equal(1.0, oneCategory.Value);
        Assert.NotNull(oneCategory.Note);
    }

    [Fact]
    public void Fleiss_1971_psychiatric_diagnoses()
    {
        // Fleiss (1971), table 1: κ = .430; R irr::kappam.fleiss gives 0.4302445 (statsmodels' test_fleiss_kappa_irr).
        // P̄ = .5556 and P̄_e = .2201 ± .001 (DKPro Agreement's Fleiss1971Test); .2201 is Σ p_j² of the p_j rounded to
        // 3 decimals, the exact value is .21994, so P̄_e is checked to the third decimal. Per category (irr detail = TRUE,
        // asserted by pyirr's tests): .245, .245, .520, .471, .566.
        var result = FleissKappa.Compute(Units(FleissDiagnoses));
        Assert.Equal(0.4302445, result.Kappa, 0.0000001);
        Assert.Equal(0.5556, result.ObservedAgreement, 0.00005);
        Assert.Equal(0.220, result.ExpectedAgreement, ThirdDecimal);
        Assert.Equal(30, result.Units);
        Assert.Equal(6, result.RatersPerUnit);
        var perCategory = result.Categories.OrderBy(c => (double)c.Category).Select(c => c.Kappa).ToArray();
        double[] published = [0.245, 0.245, 0.520, 0.471, 0.566];
        for (var j = 0; j < published.Length; j++) Assert.Equal(published[j], perCategory[j], ThirdDecimal);
        // P̄ is the percent agreement when every unit has the same number of values.
        Assert.Equal(result.ObservedAgreement, PercentAgreement.Compute(Units(FleissDiagnoses)).Value, 1e-12);
    }

    [Fact]
    public void Fleiss_kappa_Wikipedia_example()
    {
        // Wikipedia "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories: P̄ = .378, P̄_e = .213, κ = .210
        // (statsmodels' test_fleiss_kappa asserts κ = .210 on this table and lists the P_i, which average to .378).
        int[][] counts =
        [
            [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
        ];
        var result = FleissKappa.Compute(Counts(counts));
        Assert.Equal(0.210, result.Kappa, ThirdDecimal);
        Assert.Equal(0.378, result.ObservedAgreement, ThirdDecimal);
        Assert.Equal(0.213, result.ExpectedAgreement, ThirdDecimal);
    }

    [Fact]
    public void Fleiss_kappa_refuses_varying_numbers_of_ratings()
    {
        var error = Assert.Throws<ArgumentException>(() => FleissKappa.Compute(Data(Krippendorff2011)));
        Assert.Contains("same number of ratings for every unit", error.Message);
        Assert.Contains("Krippendorff's alpha", error.Message);
    }

    [Fact]
    public void Fleiss_kappa_degenerate_cases_are_defined()
    {
        var nothing = FleissKappa.Compute(Data([[null, null], [null, null]]));
        Assert.True(double.IsNaN(nothing.Kappa));
        Assert.NotNull(nothing.Note);
        var oneCategory = FleissKappa.Compute(Data([["x", "x"], ["x", "x"], ["x", "x"]]));
        Assert.Equal(1.0, oneCategory.Kappa);
        Assert.Equal(1.0, Assert.Single(oneCategory.Categories).Kappa);
        Assert.NotNull(oneCategory.Note);
    }

    [Fact]
    public void Percent_agreement_with_missing_values()
    {
        // Krippendorff (2004) p. 230 data = Krippendorff (2011) section C: A_o = 1 − D_o = .800
        // (DKPro Agreement's Krippendorff2004Test, PercentageAgreement).
        var result = PercentAgreement.Compute(Data(Krippendorff2011));
        Assert.Equal(0.800, result.Value, ThirdDecimal);
        Assert.Equal(11, result.PairableUnits);
    }

    [Fact]
    public void Percent_agreement_of_two_coders()
    {
        // Krippendorff (2004) pp. 224 and 227 (DKPro Agreement): .600 and .833.
        Assert.Equal(0.600, PercentAgreement.Compute(Data([
            [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
            [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
        ])).Value, ThirdDecimal);
        Assert.Equal(0.833, PercentAgreement.Compute(Data([
            ["a", "a", "b", "b", "b", "b", "b", "c", "c", "c", "c", "c"],
            ["a", "b", "b", "b", "b", "b", "c", "c", "c", "c", "c", "c"],
        ])).Value, ThirdDecimal);
    }

    [Fact]
    public void Percent_agreement_without_pairable_units_is_NaN_with_a_reason()
    {
        var result = PercentAgreement.Compute(Data([[1, null], [null, 2]]));
        Assert.True(double.IsNaN(result.Value));
        Assert.NotNull(result.Note);
    }
}
