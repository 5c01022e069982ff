namespace Annotate.Agreement;

/// <summary>Fleiss' kappa of one category against all others.</summary>
/// <param name="Category">The category: a <see cref="double"/> or a <see cref="string"/>, as in the data.</param>
/// <param name="Proportion">p_j, the share of all assignments that went to this category.</param>
/// <param name="Kappa">κ_j; 1 with a note when this is the only category used.</param>
public sealed record CategoryKappa(object Category, double Proportion, double Kappa);

/// <summary>Fleiss' kappa overall and per category.</summary>
/// <param name="Kappa">κ = (P̄ − P̄_e)/(1 − P̄_e); NaN when no unit has values.</param>
/// <param name="ObservedAgreement">P̄, the mean over units of the share of agreeing rater pairs.</param>
/// <param name="ExpectedAgreement">P̄_e = Σ_j p_j², the chance agreement.</param>
/// <param name="Units">N, units with values (units nobody rated are left out).</param>
/// <param name="RatersPerUnit">m, the fixed number of ratings per unit.</param>
/// <param name="Categories">κ_j for each category, in order of first appearance.</param>
/// <param name="Note">Why the value is NaN or set by convention, when it is; null otherwise.</param>
public sealed record FleissResult(
    double Kappa, double ObservedAgreement, double ExpectedAgreement, int Units, int RatersPerUnit,
    IReadOnlyList<CategoryKappa> Categories, string? Note);

/// <summary>
/// Fleiss' kappa for a fixed number m ≥ 2 of ratings per unit, nominal categories; the raters of one unit need not be
/// those of another. Fleiss (1971), "Measuring nominal scale agreement among many raters", Psychological Bulletin 76(5):378–382.
/// </summary>
/// <remarks>
/// <para>With x_ij the number of ratings of unit i in category j, N units:
/// P_i = Σ_j x_ij(x_ij − 1) / (m(m − 1)),  P̄ = (1/N) Σ_i P_i,  p_j = Σ_i x_ij / (N m),  P̄_e = Σ_j p_j²,
/// κ = (P̄ − P̄_e)/(1 − P̄_e).</para>
/// <para>Per category (Fleiss 1971, eq. 20): κ_j = 1 − Σ_i x_ij(m − x_ij) / (N m (m − 1) p_j (1 − p_j)).</para>
/// <para>Units without any rating are left out. No rated unit: NaN with a note. One category only (P̄_e = 1): 1 with a note.</para>
/// </remarks>
public static class FleissKappa
{
    /// <summary>Computes Fleiss' kappa of <paramref name="data"/>; cells are categories, null where a coder did not rate a unit.</summary>
    /// <exception cref="ArgumentException">The rated units do not all have the same number (at least two) of ratings.</exception>
    public static FleissResult Compute(ReliabilityData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int m = 0, firstUnit = -1;
        for (var u = 0; u < data.Units; u++)
        {
            var count = data.ValuesOf(u).Count;
            if (count == 0) continue;
            if (firstUnit < 0) (m, firstUnit) = (count, u);
            else if (count != m)
                throw new ArgumentException(
                    $"Fleiss' kappa needs the same number of ratings for every unit: unit {firstUnit + 1} has {m} and unit {u + 1} has {count}. " +
                    "Use Krippendorff's alpha for data with missing ratings.");
        }
        if (firstUnit < 0)
            return new FleissResult(double.NaN, double.NaN, double.NaN, 0, 0, [], "No unit has a rating: nothing to compare.");
        if (m < 2)
            throw new ArgumentException("Fleiss' kappa needs at least two ratings per unit; every rated unit here has one.");

        // Per category: total assignments, and Σ_i x_ij(m − x_ij) for κ_j; kept in order of first appearance.
        var totals = new Dictionary<object, (double Assigned, double Split)>();
        var order = new List<object>();
        var counts = new Dictionary<object, int>();
        double agreementSum = 0;
        var units = 0;
        for (var u = 0; u < data.Units; u++)
        {
            var values = data.ValuesOf(u);
            if (values.Count == 0) continue;
            units++;
            counts.Clear();
            foreach (var value in values) counts[value] = counts.GetValueOrDefault(value) + 1;
            foreach (var (category, x) in counts)
            {
                if (!totals.TryGetValue(category, out var total)) order.Add(category);
                totals[category] = (total.Assigned + x, total.Split + (double)x * (m - x));
                agreementSum += (double)x * (x - 1);
            }
        }

        double n = units, ratings = n * m;
        var observed = agreementSum / (n * m * (m - 1));
        var expected = order.Sum(c => Square(totals[c].Assigned / ratings));
        var (kappa, note) = ChanceCorrection.FromAgreement(observed, expected);
        var categories = order.Select(c =>
        {
            var p = totals[c].Assigned / ratings;
            var chance = n * m * (m - 1) * p * (1 - p);
            return new CategoryKappa(c, p, chance > 0 ? 1 - totals[c].Split / chance : 1);
        }).ToList();
        return new FleissResult(kappa, observed, expected, units, m, categories, note);
    }

    private static double Square(double x) => x * x;
}
