namespace Annotate.Agreement;

/// <summary>Raw agreement, not corrected for chance.</summary>
/// <param name="Value">Share of agreeing pairs, 0 to 1; NaN when no unit is pairable.</param>
/// <param name="PairableUnits">Units with at least two values; the others are left out.</param>
/// <param name="Note">Why the value is NaN, when it is; null otherwise.</param>
public sealed record PercentAgreementResult(double Value, int PairableUnits, string? Note);

/// <summary>
/// Percent agreement: the share of pairs of values, coded by different coders for the same unit, that are equal.
/// </summary>
/// <remarks>
/// <para>A_o = (1/n) Σ_u Σ_c n_uc (n_uc − 1) / (m_u − 1) over the pairable units u (m_u ≥ 2 values, n in total), n_uc the
/// number of values c in unit u. This is the observed agreement 1 − D_o of nominal Krippendorff's alpha
/// (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"): each value counts once, so a unit with more
/// coders weighs more. It equals the plain share of agreeing units for two coders, and Fleiss' (1971) P̄ when every
/// unit has the same number of values.</para>
/// <para>No pairable unit: NaN with a <see cref="PercentAgreementResult.Note"/>.</para>
/// </remarks>
public static class PercentAgreement
{
    /// <summary>Computes the percent agreement of <paramref name="data"/> (values compared for equality).</summary>
    public static PercentAgreementResult Compute(ReliabilityData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        double agreeing = 0, n = 0;
        var pairable = 0;
        var counts = new Dictionary<object, int>();
        for (var u = 0; u < data.Units; u++)
        {
            var values = data.ValuesOf(u);
            if (values.Count < 2) continue;
            pairable++;
            n += values.Count;
            counts.Clear();
            foreach (var value in values) counts[value] = counts.GetValueOrDefault(value) + 1;
            agreeing += counts.Values.Sum(c => (double)c * (c - 1)) / (values.Count - 1);
        }
        return pairable == 0
            ? new PercentAgreementResult(double.NaN, 0, "No unit has values from two or more coders, so no pair of values can be compared.")
            : new PercentAgreementResult(agreeing / n, pairable, null);
    }
}
