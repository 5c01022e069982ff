namespace Annotate.Agreement;

/// <summary>One unit a rater marked on the continuum: positions [Start, Start + Length) in category Category.</summary>
/// <param name="Rater">Index of the rater, 0 to raters − 1.</param>
/// <param name="Start">First position of the unit (e.g. a character offset).</param>
/// <param name="Length">Number of positions, at least 1.</param>
/// <param name="Category">The unit's category (label).</param>
public sealed record UnitizedSegment(int Rater, long Start, long Length, string Category);

/// <summary>Alpha-U of one category.</summary>
/// <param name="Alpha">1 − Observed/Expected; 1 with a note when the expected disagreement is 0.</param>
/// <param name="Observed">Observed disagreement D_o of this category.</param>
/// <param name="Expected">Expected disagreement D_e of this category.</param>
public sealed record CategoryAlpha(double Alpha, double Observed, double Expected);

/// <summary>Krippendorff's unitizing alpha overall and per category.</summary>
/// <param name="Alpha">Overall α_U = 1 − mean D_o / mean D_e over the categories (not the mean of the categories' alphas); NaN without units.</param>
/// <param name="ObservedDisagreement">Mean of the categories' D_o.</param>
/// <param name="ExpectedDisagreement">Mean of the categories' D_e.</param>
/// <param name="Categories">Alpha-U for each category that occurs, by name (ordinal order).</param>
/// <param name="Raters">Number of raters R.</param>
/// <param name="Note">Why the value is NaN or set by convention, when it is; null otherwise.</param>
public sealed record UnitizingResult(
    double Alpha, double ObservedDisagreement, double ExpectedDisagreement, IReadOnlyDictionary<string, CategoryAlpha> Categories,
    int Raters, string? Note);

/// <summary>
/// Krippendorff's alpha for unitizing (α_U): how well R raters agree in cutting a continuum [begin, begin + length) into
/// categorised units. Krippendorff (1995), "On the reliability of unitizing continuous data", Sociological Methodology 25:47–76;
/// Krippendorff (2004), "Measuring the reliability of qualitative text analysis data", Quality &amp; Quantity 38:787–800.
/// Krippendorff, Mathet, Bouvry &amp; Widlöcher (2016), "On the reliability of unitizing textual continua: Further developments",
/// Quality &amp; Quantity 50:2347–2364, revisit these coefficients; this class computes the category-wise α_U of the 1995/2004
/// definitions (as DKPro Agreement does), whose published examples the tests reproduce.
/// </summary>
/// <remarks>
/// <para>For each category c and rater i, the continuum is split into sections g: the rater's units of c (w = 1) and the
/// gaps between them (w = 0), with begin b, end e = b + l. Two sections g (rater i) and h (rater j) that intersect differ by
/// δ²(g,h) = (b_g − b_h)² + (e_g − e_h)² when both are units; l_g² when g is a unit inside gap h (and l_h² the other way
/// round); 0 otherwise (two gaps, or a unit that only partly overlaps a gap).</para>
/// <para>D_o(c) = Σ_{i≠j} Σ_g Σ_h δ²(g,h) / (R(R − 1) L²).</para>
/// <para>D_e(c) = (2/L) Σ_{units u} [ (N_c − 1)(2l_u³ − 3l_u² + l_u)/3 + l_u² Σ_{gaps g, l_g ≥ l_u} (l_g − l_u + 1) ]
/// / [ RL(RL − 1) − Σ_u l_u(l_u − 1) ], units and gaps taken over all raters, N_c the number of units of c.</para>
/// <para>α_U(c) = 1 − D_o(c)/D_e(c); overall α_U = 1 − mean_c D_o(c) / mean_c D_e(c).</para>
/// <para>Conventions: no units at all: NaN with a note. D_e = 0 (possible only for a continuum of length 1): 1 with a note.
/// Units of one rater and one category must not overlap (they may touch); units of different categories may.</para>
/// </remarks>
public static class UnitizingAlpha
{
    /// <summary>Computes α_U for <paramref name="raters"/> raters on the continuum [<paramref name="begin"/>, begin + <paramref name="length"/>).</summary>
    /// <exception cref="ArgumentException">Fewer than two raters, a length below 1, a unit outside the continuum or of an
    /// unknown rater, a unit length below 1, a unit without category, or overlapping units of one rater and category.</exception>
    public static UnitizingResult Compute(long begin, long length, int raters, IEnumerable<UnitizedSegment> units)
    {
        var prepared = Prepare(begin, length, raters, units);
        return prepared.Compute(Enumerable.Range(0, raters).ToArray());
    }

    /// <summary>
    /// Checks the units and cuts each rater's continuum into sections once, so that α_U of all the raters and of each pair
    /// of them (as an agreement report gives it) does not check and cut the same units again for every subset.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Compute(long, long, int, IEnumerable{UnitizedSegment})"/>.</exception>
    public static PreparedUnits Prepare(long begin, long length, int raters, IEnumerable<UnitizedSegment> units)
    {
        ArgumentNullException.ThrowIfNull(units);
        if (raters < 2) throw new ArgumentException($"Unitizing alpha needs at least two raters; got {raters}.");
        if (length < 1) throw new ArgumentException($"The continuum's length must be at least 1; got {length}.");
        if (begin > long.MaxValue - length) throw new ArgumentException("The continuum's end (begin + length) is too large.");
        var end = begin + length;

        // category -> rater -> units; a rater without units of the category has no list (see Observed and Expected).
        var byCategory = new SortedDictionary<string, List<UnitizedSegment>?[]>(StringComparer.Ordinal);
        var index = 0;
        foreach (var unit in units)
        {
            index++;
            if (unit is null) throw new ArgumentException($"Unit {index} is null.");
            if (unit.Rater < 0 || unit.Rater >= raters)
                throw new ArgumentException($"Unit {index} names rater {unit.Rater}; raters are numbered 0 to {raters - 1}.");
            if (unit.Length < 1) throw new ArgumentException($"Unit {index} has length {unit.Length}; a unit covers at least 1 position.");
            if (unit.Start < begin || unit.Start > end - unit.Length)
                throw new ArgumentException(
                    $"Unit {index} [{unit.Start}, {unit.Start + unit.Length}) lies outside the continuum [{begin}, {end}).");
            if (string.IsNullOrEmpty(unit.Category)) throw new ArgumentException($"Unit {index} has no category.");
            if (!byCategory.TryGetValue(unit.Category, out var perRater)) byCategory[unit.Category] = perRater = new List<UnitizedSegment>?[raters];
            (perRater[unit.Rater] ??= []).Add(unit);
        }
        var categories = new List<(string Category, Section[]?[] Sections)>(byCategory.Count);
        foreach (var (category, perRater) in byCategory)
            categories.Add((category, perRater.Select((own, rater) => own is null ? null : Sections(own, begin, end, rater, category)).ToArray()));
        return new PreparedUnits(length, raters, categories);
    }

    /// <summary>Units checked and cut into sections by <see cref="Prepare"/>: α_U of any two or more of their raters.</summary>
    public sealed class PreparedUnits
    {
        private readonly long length;
        private readonly int raters;
        private readonly List<(string Category, Section[]?[] Sections)> categories;

        internal PreparedUnits(long length, int raters, List<(string Category, Section[]?[] Sections)> categories) =>
            (this.length, this.raters, this.categories) = (length, raters, categories);

        /// <summary>
        /// α_U of these raters alone (R is their number), as if the units of the others were never given. A category none
        /// of them marked is left out, as it is when no rater marked it.
        /// </summary>
        /// <exception cref="ArgumentException">Fewer than two raters, one named twice, or one not among the prepared raters.</exception>
        public UnitizingResult Compute(IReadOnlyList<int> subset)
        {
            ArgumentNullException.ThrowIfNull(subset);
            if (subset.Count < 2) throw new ArgumentException($"Unitizing alpha needs at least two raters; got {subset.Count}.");
            if (subset.Any(r => r < 0 || r >= raters)) throw new ArgumentException($"Raters are numbered 0 to {raters - 1}.");
            if (subset.Distinct().Count() != subset.Count) throw new ArgumentException("A rater is named twice.");
            // Raters in ascending order, the order the sums have always been taken in.
            var ordered = subset.Order().ToArray();
            var results = new Dictionary<string, CategoryAlpha>(StringComparer.Ordinal);
            string? note = null;
            var marking = new List<Section[]>(ordered.Length);
            foreach (var (category, perRater) in categories)
            {
                marking.Clear();
                foreach (var rater in ordered)
                    if (perRater[rater] is { } own) marking.Add(own);
                if (marking.Count == 0) continue;
                var observed = Observed(marking, ordered.Length, length);
                var expected = Expected(marking, ordered.Length, length);
                var (alpha, categoryNote) = ChanceCorrection.FromDisagreement(observed, expected);
                note ??= categoryNote;
                results[category] = new CategoryAlpha(alpha, observed, expected);
            }
            if (results.Count == 0)
                return new UnitizingResult(double.NaN, double.NaN, double.NaN, results, ordered.Length,
                    "No rater marked any unit: there is nothing to agree on.");
            var meanObserved = results.Values.Average(c => c.Observed);
            var meanExpected = results.Values.Average(c => c.Expected);
            var (overall, overallNote) = ChanceCorrection.FromDisagreement(meanObserved, meanExpected);
            return new UnitizingResult(overall, meanObserved, meanExpected, results, ordered.Length, overallNote ?? note);
        }
    }

    internal readonly record struct Section(long Begin, long End, bool IsUnit)
    {
        public long Length => End - Begin;
    }

    /// <summary>The rater's units of one category and the gaps around them, covering the continuum in order.</summary>
    private static Section[] Sections(List<UnitizedSegment> units, long begin, long end, int rater, string category)
    {
        units.Sort((a, b) => a.Start.CompareTo(b.Start));
        var sections = new List<Section>(2 * units.Count + 1);
        var position = begin;
        UnitizedSegment? previous = null;
        foreach (var unit in units)
        {
            if (unit.Start < position)
                throw new ArgumentException(
                    $"Rater {rater} has overlapping '{category}' units [{previous!.Start}, {previous.Start + previous.Length}) and " +
                    $"[{unit.Start}, {unit.Start + unit.Length}); units of one rater and one category must not overlap (merge or split them).");
            if (unit.Start > position) sections.Add(new Section(position, unit.Start, false));
            sections.Add(new Section(unit.Start, unit.Start + unit.Length, true));
            position = unit.Start + unit.Length;
            previous = unit;
        }
        if (position < end) sections.Add(new Section(position, end, false));
        return sections.ToArray();
    }

    // sections: those of the raters that marked the category; every other rater's only section is one gap over the continuum.
    private static double Observed(List<Section[]> sections, int raters, long length)
    {
        // A rater without units of the category differs from every unit u of another rater by l_u² (u lies inside
        // the rater's single gap), and from a rater like them by 0: no need to walk those pairs.
        var silent = raters - sections.Count;
        var unitSquares = 0.0;
        foreach (var own in sections)
            foreach (var section in own)
                if (section.IsUnit) unitSquares += Square(section.Length);
        double sum = silent * unitSquares;
        // Two raters' lists tile the same continuum, so one merge pass visits every intersecting pair once.
        for (var i = 0; i < sections.Count; i++)
        {
            for (var j = i + 1; j < sections.Count; j++)
            {
                Section[] a = sections[i], b = sections[j];
                int x = 0, y = 0;
                while (x < a.Length && y < b.Length)
                {
                    sum += Distance(a[x], b[y]);
                    if (a[x].End < b[y].End) x++;
                    else if (b[y].End < a[x].End) y++;
                    else { x++; y++; }
                }
            }
        }
        // Σ_{i≠j} counts each unordered pair of raters twice.
        return 2 * sum / ((double)raters * (raters - 1) * ((double)length * length));
    }

    private static double Distance(Section g, Section h)
    {
        if (g.IsUnit && h.IsUnit) return Square(g.Begin - h.Begin) + Square(g.End - h.End);
        if (g.IsUnit && !h.IsUnit) return h.Begin <= g.Begin && g.End <= h.End ? Square(g.Length) : 0;
        if (!g.IsUnit && h.IsUnit) return g.Begin <= h.Begin && h.End <= g.End ? Square(h.Length) : 0;
        return 0;
    }

    private static double Expected(List<Section[]> sections, int raters, long length)
    {
        // Raters without units of the category each have one gap of length L, long enough for every unit.
        var silent = raters - sections.Count;
        var unitCount = 0;
        var gapCount = 0;
        foreach (var own in sections)
            foreach (var section in own)
                if (section.IsUnit) unitCount++; else gapCount++;
        var gaps = new double[gapCount];
        gapCount = 0;
        foreach (var own in sections)
            foreach (var section in own)
                if (!section.IsUnit) gaps[gapCount++] = section.Length;
        Array.Sort(gaps);
        // suffix[k] = Σ gaps[k..]: Σ_{l_g ≥ l} (l_g − l + 1) = suffix − (l − 1)·count for the gaps from the first with l_g ≥ l.
        var suffix = new double[gaps.Length + 1];
        for (var k = gaps.Length - 1; k >= 0; k--) suffix[k] = suffix[k + 1] + gaps[k];

        double n = unitCount, numerator = 0, selfPairs = 0;
        foreach (var own in sections)
            foreach (var section in own)
            {
                if (!section.IsUnit) continue;
                double l = section.Length;
                var first = LowerBound(gaps, l);
                var gapPlacements = suffix[first] - (l - 1) * (gaps.Length - first) + silent * (length - l + 1);
                numerator += (n - 1) * (2 * l * l * l - 3 * l * l + l) / 3 + l * l * gapPlacements;
                selfPairs += l * (l - 1);
            }
        double rl = (double)raters * length;
        return 2 / (double)length * numerator / (rl * (rl - 1) - selfPairs);
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (sorted[mid] < value) low = mid + 1;
            else high = mid;
        }
        return low;
    }

    private static double Square(double x) => x * x;
}
