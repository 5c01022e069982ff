namespace Annotate.Agreement;

/// <summary>A chance-corrected agreement coefficient of the form (A_o − A_e)/(1 − A_e).</summary>
/// <param name="Value">The coefficient: 1 perfect agreement, 0 chance level, below 0 worse than chance; NaN when there is no unit to compare.</param>
/// <param name="ObservedAgreement">A_o, the share of units both coders gave the same value.</param>
/// <param name="ExpectedAgreement">A_e, the agreement expected by chance under the coefficient's model.</param>
/// <param name="Units">Units both coders coded (units with a missing value are left out).</param>
/// <param name="Note">Why the value is NaN or set by convention, when it is; null otherwise.</param>
public sealed record KappaResult(double Value, double ObservedAgreement, double ExpectedAgreement, int Units, string? Note);

/// <summary>Cohen's kappa and Scott's pi: chance-corrected agreement of exactly two coders on nominal data.</summary>
/// <remarks>
/// <para>Both use the units that both coders coded (N units; the rest are left out) and A_o = (units with equal values)/N.
/// They differ in the chance model:</para>
/// <list type="bullet">
/// <item>Cohen's kappa: each coder has their own category distribution, A_e = Σ_c p_1c p_2c
/// (Cohen 1960, "A coefficient of agreement for nominal scales", Educational and Psychological Measurement 20(1):37–46).</item>
/// <item>Scott's pi: both coders share one distribution, A_e = Σ_c ((n_1c + n_2c)/2N)²
/// (Scott 1955, "Reliability of content analysis: the case of nominal scale coding", Public Opinion Quarterly 19(3):321–325).</item>
/// </list>
/// <para>κ or π = (A_o − A_e)/(1 − A_e). No unit coded by both: NaN with a note. One category only (A_e = 1): 1 with a note.</para>
/// </remarks>
public static class TwoCoderAgreement
{
    /// <summary>Cohen's kappa of the two coders in <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The data do not have exactly two coders.</exception>
    public static KappaResult CohenKappa(ReliabilityData data) => Compute(data, "Cohen's kappa", pooled: false);

    /// <summary>Scott's pi of the two coders in <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The data do not have exactly two coders.</exception>
    public static KappaResult ScottPi(ReliabilityData data) => Compute(data, "Scott's pi", pooled: true);

    private static KappaResult Compute(ReliabilityData data, string name, bool pooled)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Coders != 2)
            throw new ArgumentException($"{name} compares exactly two coders; these data have {data.Coders}. Use Fleiss' kappa or Krippendorff's alpha for more.");

        var first = new Dictionary<object, int>();
        var second = new Dictionary<object, int>();
        int units = 0, equal = 0;
        // ValuesOf keeps coder order, so a unit with two values has the first coder's value first.
        for (var u = 0; u < data.Units; u++)
        {
            var values = data.ValuesOf(u);
            if (values.Count != 2) continue;
            units++;
            if (values[0].Equals(values[1])) equal++;
            first[values[0]] = first.GetValueOrDefault(values[0]) + 1;
            second[values[1]] = second.GetValueOrDefault(values[1]) + 1;
        }
        if (units == 0)
            return new KappaResult(double.NaN, double.NaN, double.NaN, 0, "No unit was coded by both coders: nothing to compare.");

        double n = units;
        var expected = pooled
            ? first.Keys.Union(second.Keys).Sum(c => Square((first.GetValueOrDefault(c) + second.GetValueOrDefault(c)) / (2 * n)))
            : first.Sum(c => c.Value / n * (second.GetValueOrDefault(c.Key) / n));
        var observed = equal / n;
        var (value, note) = ChanceCorrection.FromAgreement(observed, expected);
        return new KappaResult(value, observed, expected, units, note);
    }

    private static double Square(double x) => x * x;
}
