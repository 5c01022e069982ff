namespace Annotate.Agreement;

/// <summary>
/// Nominal agreement measures accumulated unit by unit, for data too large to hold as a table: a project's millions
/// of tokens. Every figure here is a sum over units, so only per-category counts are kept. The results equal
/// <see cref="KrippendorffAlpha"/> (nominal), <see cref="FleissKappa"/> and <see cref="TwoCoderAgreement.CohenKappa"/>
/// on the same data (the tests check that), with the same conventions for degenerate data.
/// </summary>
/// <remarks>
/// <para>Krippendorff (2011): a unit with m_u ≥ 2 values and n_uc values of category c adds n_uc·n_uk/(m_u − 1) to the
/// coincidence o_ck (c ≠ k) and n_uc(n_uc − 1)/(m_u − 1) to o_cc; α = 1 − D_o/D_e with D_o = Σ_{c≠k} o_ck / n and
/// D_e = Σ_{c≠k} n_c n_k / (n(n − 1)).</para>
/// <para>Fleiss (1971): with m ratings on every rated unit, P_i = Σ_j x_ij(x_ij − 1)/(m(m − 1)), κ = (P̄ − P̄_e)/(1 − P̄_e),
/// P̄_e = Σ_j p_j². Units rated by a different number of raters make Fleiss' kappa undefined (null).</para>
/// </remarks>
public sealed class NominalAccumulator
{
    private readonly Dictionary<(string, string), double> coincidences = [];
    private readonly Dictionary<string, long> fleissTotals = [];
    private readonly Dictionary<string, int> unitCounts = [];
    private double fleissAgreementSum;
    private long fleissUnits;
    private int fleissRaters;
    private bool fleissDefined = true;

    /// <summary>Adds one unit: the values its coders gave (null for a coder who did not code it).</summary>
    public void AddUnit(IEnumerable<string?> values) => AddUnit(values, 1);

    /// <summary>
    /// Adds <paramref name="count"/> units that all have these values: the same as calling <see cref="AddUnit(IEnumerable{string?})"/>
    /// that many times. Every figure is a sum over units, so a corpus whose units fall into few patterns (a binary
    /// label-or-not per token) costs one call per pattern instead of one per unit.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public void AddUnit(IEnumerable<string?> values, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0) return;
        unitCounts.Clear();
        var m = 0;
        foreach (var value in values)
        {
            if (value is null) continue;
            unitCounts[value] = unitCounts.GetValueOrDefault(value) + 1;
            m++;
        }
        if (m == 0) return;
        if (fleissRaters == 0) fleissRaters = m;
        else if (m != fleissRaters) fleissDefined = false;
        if (m >= 2)
        {
            foreach (var (c, nc) in unitCounts)
            foreach (var (k, nk) in unitCounts)
                coincidences[(c, k)] = coincidences.GetValueOrDefault((c, k)) + count * (c == k ? nc * (nc - 1.0) : (double)nc * nk) / (m - 1);
            var agreeing = 0.0;
            foreach (var (c, nc) in unitCounts)
            {
                agreeing += nc * (nc - 1.0);
                fleissTotals[c] = fleissTotals.GetValueOrDefault(c) + count * nc;
            }
            fleissAgreementSum += count * agreeing / (m * (m - 1.0));
            fleissUnits += count;
        }
    }

    /// <summary>Adds everything another accumulator has seen (units accumulated apart, e.g. one document each, in parallel).</summary>
    public void Add(NominalAccumulator other)
    {
        foreach (var (key, value) in other.coincidences) coincidences[key] = coincidences.GetValueOrDefault(key) + value;
        foreach (var (key, value) in other.fleissTotals) fleissTotals[key] = fleissTotals.GetValueOrDefault(key) + value;
        fleissAgreementSum += other.fleissAgreementSum;
        fleissUnits += other.fleissUnits;
        if (!other.fleissDefined) fleissDefined = false;
        if (other.fleissRaters != 0)
        {
            if (fleissRaters == 0) fleissRaters = other.fleissRaters;
            else if (fleissRaters != other.fleissRaters) fleissDefined = false;
        }
    }

    /// <summary>Krippendorff's alpha, nominal; NaN when no unit has two values, 1 when only one category occurs.</summary>
    public double KrippendorffAlpha()
    {
        var totals = new Dictionary<string, double>();
        foreach (var ((c, _), o) in coincidences) totals[c] = totals.GetValueOrDefault(c) + o;
        var n = totals.Values.Sum();
        if (n == 0) return double.NaN;
        if (totals.Count(t => t.Value > 0) == 1) return 1;
        var observed = coincidences.Where(x => x.Key.Item1 != x.Key.Item2).Sum(x => x.Value) / n;
        var expectedPairs = 0.0;
        foreach (var (c, nc) in totals)
        foreach (var (k, nk) in totals)
            if (c != k) expectedPairs += nc * nk;
        var expected = expectedPairs / (n * (n - 1));
        return 1 - observed / expected;
    }

    /// <summary>Fleiss' kappa; null when units had different numbers of raters, NaN without units, 1 for one category only.</summary>
    public double? FleissKappa()
    {
        if (!fleissDefined) return null;
        if (fleissUnits == 0) return double.NaN;
        var all = (double)fleissUnits * fleissRaters;
        var expected = fleissTotals.Values.Sum(x => (x / all) * (x / all));
        if (expected >= 1) return 1;
        var observed = fleissAgreementSum / fleissUnits;
        return (observed - expected) / (1 - expected);
    }
}

/// <summary>Cohen's kappa from a confusion table accumulated unit by unit (units both coders coded).</summary>
public sealed class ConfusionAccumulator
{
    private readonly Dictionary<(string, string), long> table = [];
    private long units;

    /// <summary>Adds one unit: the values coder A and coder B gave it.</summary>
    public void Add(string a, string b) => Add(a, b, 1);

    /// <summary>Adds <paramref name="count"/> units to which coder A gave <paramref name="a"/> and coder B <paramref name="b"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public void Add(string a, string b, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0) return;
        table[(a, b)] = table.GetValueOrDefault((a, b)) + count;
        units += count;
    }

    /// <summary>Adds another accumulator's units.</summary>
    public void Add(ConfusionAccumulator other)
    {
        foreach (var (key, count) in other.table) table[key] = table.GetValueOrDefault(key) + count;
        units += other.units;
    }

    /// <summary>κ = (p_o − p_e)/(1 − p_e), p_e = Σ_k (row_k/N)(column_k/N) (Cohen 1960); NaN without units, 1 when p_e = 1.</summary>
    public double CohenKappa()
    {
        if (units == 0) return double.NaN;
        var agree = table.Where(x => x.Key.Item1 == x.Key.Item2).Sum(x => x.Value) / (double)units;
        var rows = new Dictionary<string, long>();
        var columns = new Dictionary<string, long>();
        foreach (var ((a, b), count) in table)
        {
            rows[a] = rows.GetValueOrDefault(a) + count;
            columns[b] = columns.GetValueOrDefault(b) + count;
        }
        var chance = rows.Sum(r => r.Value / (double)units * (columns.GetValueOrDefault(r.Key) / (double)units));
        return chance >= 1 ? 1 : (agree - chance) / (1 - chance);
    }
}
