namespace Annotate.Agreement;

/// <summary>Level of measurement: decides the difference function δ² that Krippendorff's alpha uses.</summary>
public enum MeasurementLevel
{
    /// <summary>Categories without order: δ²(c,k) = 0 if c = k, else 1. Values may be numbers or strings.</summary>
    Nominal,
    /// <summary>Ranks: δ²(c,k) = (Σ_{g=c..k} n_g − (n_c + n_k)/2)², n_g the number of pairable values g. Numbers only; only their order matters.</summary>
    Ordinal,
    /// <summary>Equal intervals: δ²(c,k) = (c − k)². Numbers only.</summary>
    Interval,
    /// <summary>Equal intervals from an absolute zero: δ²(c,k) = ((c − k)/(c + k))². Non-negative numbers only.</summary>
    Ratio,
}

/// <summary>Krippendorff's alpha and the parts it is computed from.</summary>
/// <param name="Alpha">α = 1 − D_o/D_e; 1 is perfect agreement, 0 agreement at chance level, below 0 systematic disagreement. NaN when nothing is pairable.</param>
/// <param name="ObservedDisagreement">D_o, the mean difference between values coded for the same unit.</param>
/// <param name="ExpectedDisagreement">D_e, the mean difference between any two pairable values, whatever their units.</param>
/// <param name="PairableUnits">Units with at least two values; the others cannot show (dis)agreement and are left out.</param>
/// <param name="PairableValues">n, the number of values in the pairable units.</param>
/// <param name="Coders">Number of coders (rows) in the data.</param>
/// <param name="Level">The level of measurement used.</param>
/// <param name="Note">Why the value is NaN or set by convention, when it is; null otherwise.</param>
public sealed record AlphaResult(
    double Alpha, double ObservedDisagreement, double ExpectedDisagreement, int PairableUnits, int PairableValues, int Coders,
    MeasurementLevel Level, string? Note);

/// <summary>
/// Krippendorff's alpha for any number of coders, missing values and four levels of measurement, computed with the
/// coincidence matrix of Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", Departmental Papers (ASC) 43,
/// University of Pennsylvania.
/// </summary>
/// <remarks>
/// <para>For each pairable unit u with m_u ≥ 2 values, every ordered pair of its values (from different coders) adds
/// 1/(m_u − 1) to the coincidence o_ck of their values c and k. With n_c = Σ_k o_ck and n = Σ_c n_c:</para>
/// <para>D_o = (1/n) Σ_c Σ_k o_ck δ²(c,k),  D_e = 1/(n(n − 1)) Σ_c Σ_k n_c n_k δ²(c,k),  α = 1 − D_o/D_e.</para>
/// <para>The double sums are not evaluated over a full value-by-value matrix, which would not fit in memory for interval
/// data with many distinct values: for nominal, ordinal and interval data they have exact closed forms
/// (e.g. Σ_{i≠j}(x_i − x_j)² = 2m Σ_i (x_i − x̄)²; the ordinal δ equals the difference of the values' mid-ranks
/// Σ_{g&lt;c} n_g + n_c/2), and for ratio data they run over the pairs of distinct values actually present.</para>
/// <para>Conventions: no units, or no unit with two values: α = NaN with a <see cref="AlphaResult.Note"/>.
/// Only one distinct pairable value (D_e = 0, hence D_o = 0): α = 1 with a note that the data have no variation.</para>
/// </remarks>
public static class KrippendorffAlpha
{
    /// <summary>Ratio alpha compares pairs of distinct values; past this many comparisons the caller is asked to round.</summary>
    public const long MaxRatioComparisons = 500_000_000;

    /// <summary>Computes alpha for <paramref name="data"/> at <paramref name="level"/>.</summary>
    /// <exception cref="ArgumentException">Strings at a level other than nominal, or negative numbers at the ratio level.</exception>
    public static AlphaResult Compute(ReliabilityData data, MeasurementLevel level)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckValues(data, level);

        var pairable = Enumerable.Range(0, data.Units).Where(u => data.ValuesOf(u).Count >= 2).ToList();
        AlphaResult Undefined(string note) => new(double.NaN, double.NaN, double.NaN, pairable.Count, 0, data.Coders, level, note);
        if (data.Units == 0) return Undefined("There are no units: nothing to compare.");
        if (pairable.Count == 0)
            return Undefined("No unit has values from two or more coders, so no pair of values can agree or disagree.");

        // n_c: how often each value occurs among the pairable values (these are the coincidence matrix's marginals).
        var totals = new Dictionary<object, int>();
        var n = 0;
        foreach (var u in pairable)
        {
            foreach (var value in data.ValuesOf(u))
            {
                totals[value] = totals.GetValueOrDefault(value) + 1;
                n++;
            }
        }

        var (observed, expected) = level switch
        {
            MeasurementLevel.Nominal => Nominal(data, pairable, totals, n),
            MeasurementLevel.Ratio => Ratio(data, pairable, totals, n),
            _ => Squared(data, pairable, Positions(totals, level), totals, n),
        };
        var (alpha, note) = ChanceCorrection.FromDisagreement(observed, expected);
        return new AlphaResult(alpha, observed, expected, pairable.Count, n, data.Coders, level, note);
    }

    private static void CheckValues(ReliabilityData data, MeasurementLevel level)
    {
        if (level == MeasurementLevel.Nominal) return;
        for (var u = 0; u < data.Units; u++)
        {
            foreach (var value in data.ValuesOf(u))
            {
                if (value is string text)
                    throw new ArgumentException(
                        $"Unit {u + 1} has the text \"{text}\", but {level.ToString().ToLowerInvariant()} data must be numbers; " +
                        "strings are only allowed at the nominal level (for ordinal labels, give their ranks 1, 2, 3, ...).");
                if (level == MeasurementLevel.Ratio && (double)value < 0)
                    throw new ArgumentException(
                        $"Unit {u + 1} has the negative value {ReliabilityData.Describe(value)}; ratio data are counts or magnitudes " +
                        "measured from zero. Use the interval level for data that can be negative.");
            }
        }
    }

    private static (double Observed, double Expected) Nominal(
        ReliabilityData data, List<int> pairable, Dictionary<object, int> totals, int n)
    {
        // Σ_{i≠j} [v_i ≠ v_j] within a unit = m² − Σ_c n_uc²; across all values = n² − Σ_c n_c².
        var observed = 0.0;
        var counts = new Dictionary<object, int>();
        foreach (var u in pairable)
        {
            var values = data.ValuesOf(u);
            counts.Clear();
            foreach (var value in values) counts[value] = counts.GetValueOrDefault(value) + 1;
            double m = values.Count, same = 0;
            foreach (var c in counts.Values) same += (double)c * c;
            observed += (m * m - same) / (m - 1);
        }
        var sameTotal = totals.Values.Sum(c => (double)c * c);
        return (observed / n, ((double)n * n - sameTotal) / ((double)n * (n - 1)));
    }

    /// <summary>Where each value sits on the line whose squared distances are δ²: the number itself, or its mid-rank for ordinal data.</summary>
    private static Dictionary<object, double> Positions(Dictionary<object, int> totals, MeasurementLevel level)
    {
        if (level == MeasurementLevel.Interval) return totals.Keys.ToDictionary(v => v, v => (double)v);
        // Krippendorff's ordinal δ(c,k) = Σ_{g=c..k} n_g − (n_c + n_k)/2 = midrank(k) − midrank(c), midrank(c) = Σ_{g<c} n_g + n_c/2.
        var positions = new Dictionary<object, double>();
        double below = 0;
        foreach (var (value, count) in totals.OrderBy(t => (double)t.Key))
        {
            positions[value] = below + count / 2.0;
            below += count;
        }
        return positions;
    }

    private static (double Observed, double Expected) Squared(
        ReliabilityData data, List<int> pairable, Dictionary<object, double> positions, Dictionary<object, int> totals, int n)
    {
        // Σ_{i≠j} (x_i − x_j)² = 2m Σ_i (x_i − x̄)²: centring on the mean keeps large numbers with small differences exact.
        var observed = 0.0;
        foreach (var u in pairable)
        {
            var values = data.ValuesOf(u);
            var mean = values.Average(v => positions[v]);
            var squares = values.Sum(v => Square(positions[v] - mean));
            observed += 2.0 * values.Count * squares / (values.Count - 1);
        }
        var overallMean = totals.Sum(t => t.Value * positions[t.Key]) / n;
        var spread = totals.Sum(t => t.Value * Square(positions[t.Key] - overallMean));
        return (observed / n, 2.0 * n * spread / ((double)n * (n - 1)));
    }

    private static (double Observed, double Expected) Ratio(
        ReliabilityData data, List<int> pairable, Dictionary<object, int> totals, int n)
    {
        // No closed form for ((c − k)/(c + k))²: sum over the pairs of distinct values that occur, overall and per unit.
        var distinct = totals.Select(t => ((double)t.Key, (double)t.Value)).ToArray();
        var perUnit = pairable.Select(u => data.ValuesOf(u).GroupBy(v => (double)v).Select(g => (g.Key, (double)g.Count())).ToArray()).ToList();
        var work = (long)distinct.Length * distinct.Length + perUnit.Sum(values => (long)values.Length * values.Length);
        if (work > MaxRatioComparisons)
            throw new ArgumentException(
                $"Ratio alpha compares every pair of distinct values, and these data have {distinct.Length} distinct values " +
                $"(more than {MaxRatioComparisons} comparisons). Round the values to fewer distinct ones, or use the interval level.");

        var observed = 0.0;
        for (var i = 0; i < perUnit.Count; i++) observed += PairSum(perUnit[i]) / (data.ValuesOf(pairable[i]).Count - 1);
        return (observed / n, PairSum(distinct) / ((double)n * (n - 1)));
    }

    /// <summary>Σ_c Σ_k w_c w_k δ²_ratio(c,k) over the given values and weights (each unordered pair counted twice).</summary>
    private static double PairSum((double Value, double Weight)[] values)
    {
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            for (var j = i + 1; j < values.Length; j++)
            {
                var (c, wc) = values[i];
                var (k, wk) = values[j];
                // c + k is positive here: the values are distinct and non-negative.
                sum += 2 * wc * wk * Square((c - k) / (c + k));
            }
        }
        return sum;
    }

    private static double Square(double x) => x * x;
}
