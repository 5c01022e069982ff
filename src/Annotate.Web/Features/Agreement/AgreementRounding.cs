namespace Annotate.Web.Features.Agreement;

/// <summary>How the report turns sums into figures: rounded to four places, undefined (null) rather than NaN.</summary>
public static class AgreementRounding
{
    /// <summary>The unweighted mean of the defined values (NaN ones are left out); null when none is defined.</summary>
    public static double? Mean(IEnumerable<double> values)
    {
        var defined = values.Where(double.IsFinite).ToList();
        return defined.Count > 0 ? Finite(defined.Average()) : null;
    }

    /// <summary>F1 = 2·matched / (|A| + |B|); null (not a number) when neither side has anything.</summary>
    public static double? F1(MatchTally c) => c.InA + c.InB == 0 ? null : Math.Round(2.0 * c.Matched / (c.InA + c.InB), 4);

    public static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 4) : null;
}

/// <summary>Items of A and of B (spans or links) and how many of them matched, summed as documents are pooled.</summary>
public sealed class MatchTally
{
    public long Matched, InA, InB;

    public void Add(MatchTally other) { Matched += other.Matched; InA += other.InA; InB += other.InB; }

    public void Add(Annotate.Agreement.SpanScores scores) { Matched += scores.Matched; InA += scores.InA; InB += scores.InB; }

    public static MatchTally Total(IEnumerable<MatchTally> tallies)
    {
        var total = new MatchTally();
        foreach (var t in tallies) total.Add(t);
        return total;
    }

    public MatchCounts ToCounts() => new(Matched, InA, InB);
}
