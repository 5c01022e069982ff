using Annotate.Agreement;

namespace Annotate.Tests.Agreement;

/// <summary>The streaming accumulators must give exactly what the table-based measures give on the same data.</summary>
public class NominalAccumulatorTests
{
    private static readonly string[] Categories = ["O", "PERSON", "LOCATION", "ORGANIZATION"];

    private static string?[][] RandomData(int seed, int coders, int units, double missing)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, coders).Select(_ => Enumerable.Range(0, units)
            .Select(_ => random.NextDouble() < missing ? null : Categories[random.Next(random.NextDouble() < 0.6 ? 1 : Categories.Length)])
            .ToArray()).ToArray();
    }

    [Theory]
    [InlineData(1, 2, 300, 0.0)]
    [InlineData(2, 4, 500, 0.2)]
    [InlineData(3, 5, 50, 0.5)]
    public void Alpha_equals_the_table_computation(int seed, int coders, int units, double missing)
    {
        var data = RandomData(seed, coders, units, missing);
        var accumulator = new NominalAccumulator();
        for (var u = 0; u < units; u++) accumulator.AddUnit(data.Select(row => row[u]));
        var expected = KrippendorffAlpha.Compute(ReliabilityData.FromRows(data.Select(r => (IReadOnlyList<object?>)r.Cast<object?>().ToList()).ToList()), MeasurementLevel.Nominal).Alpha;
        Assert.Equal(expected, accumulator.KrippendorffAlpha(), 10);
    }

    [Fact]
    public void Fleiss_and_cohen_equal_the_table_computations()
    {
        var data = RandomData(7, 3, 400, 0.0);
        var accumulator = new NominalAccumulator();
        var pair = new ConfusionAccumulator();
        for (var u = 0; u < 400; u++)
        {
            accumulator.AddUnit(data.Select(row => row[u]));
            pair.Add(data[0][u]!, data[1][u]!);
        }
        var rows = data.Select(r => (IReadOnlyList<object?>)r.Cast<object?>().ToList()).ToList();
        Assert.Equal(FleissKappa.Compute(ReliabilityData.FromRows(rows)).Kappa, accumulator.FleissKappa()!.Value, 10);
        Assert.Equal(TwoCoderAgreement.CohenKappa(ReliabilityData.FromRows([rows[0], rows[1]])).Value, pair.CohenKappa(), 10);
    }

    [Fact]
    public void Accumulators_added_together_equal_one_that_saw_everything()
    {
        var data = RandomData(11, 3, 600, 0.1);
        var whole = new NominalAccumulator();
        var parts = new[] { new NominalAccumulator(), new NominalAccumulator(), new NominalAccumulator() };
        var wholePair = new ConfusionAccumulator();
        var pairParts = new[] { new ConfusionAccumulator(), new ConfusionAccumulator(), new ConfusionAccumulator() };
        for (var u = 0; u < 600; u++)
        {
            whole.AddUnit(data.Select(row => row[u]));
            parts[u % 3].AddUnit(data.Select(row => row[u]));
            if (data[0][u] is { } a && data[1][u] is { } b) { wholePair.Add(a, b); pairParts[u % 3].Add(a, b); }
        }
        var merged = new NominalAccumulator();
        var mergedPair = new ConfusionAccumulator();
        for (var i = 0; i < 3; i++) { merged.Add(parts[i]); mergedPair.Add(pairParts[i]); }
        Assert.Equal(whole.KrippendorffAlpha(), merged.KrippendorffAlpha(), 12);
        Assert.Equal(whole.FleissKappa(), merged.FleissKappa());
        Assert.Equal(wholePair.CohenKappa(), mergedPair.CohenKappa(), 12);
    }

    [Fact]
    public void A_unit_added_with_a_count_equals_adding_it_that_many_times()
    {
        // The report adds binary label-or-not tokens by pattern (how many coders marked the label) with a count.
        var data = RandomData(13, 3, 200, 0.1);
        var once = new NominalAccumulator();
        var counted = new NominalAccumulator();
        var pairOnce = new ConfusionAccumulator();
        var pairCounted = new ConfusionAccumulator();
        for (var u = 0; u < 200; u++)
        {
            var repeat = u % 4; // 0 adds nothing, by either route
            for (var r = 0; r < repeat; r++) once.AddUnit(data.Select(row => row[u]));
            counted.AddUnit(data.Select(row => row[u]), repeat);
            if (data[0][u] is { } a && data[1][u] is { } b)
            {
                for (var r = 0; r < repeat; r++) pairOnce.Add(a, b);
                pairCounted.Add(a, b, repeat);
            }
        }
        Assert.Equal(once.KrippendorffAlpha(), counted.KrippendorffAlpha(), 12);
        Assert.Null(once.FleissKappa()); // missing values make Fleiss undefined either way
        Assert.Null(counted.FleissKappa());
        Assert.Equal(pairOnce.CohenKappa(), pairCounted.CohenKappa(), 12);

        var full = new NominalAccumulator();
        var fullCounted = new NominalAccumulator();
        foreach (var (values, repeat) in new (string[], int)[] { (["in", "in", "out"], 3), (["out", "out", "out"], 40), (["in", "in", "in"], 5) })
        {
            for (var r = 0; r < repeat; r++) full.AddUnit(values);
            fullCounted.AddUnit(values, repeat);
        }
        Assert.Equal(full.FleissKappa()!.Value, fullCounted.FleissKappa()!.Value, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => fullCounted.AddUnit(["in", "out"], -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => pairCounted.Add("in", "out", -1));
    }

    [Fact]
    public void Degenerate_data_follows_the_library_conventions()
    {
        var empty = new NominalAccumulator();
        Assert.True(double.IsNaN(empty.KrippendorffAlpha()));
        var one = new NominalAccumulator();
        one.AddUnit(["O", "O"]);
        one.AddUnit(["O", "O"]);
        Assert.Equal(1, one.KrippendorffAlpha());
        Assert.Equal(1, one.FleissKappa());
        var uneven = new NominalAccumulator();
        uneven.AddUnit(["O", "O", "PERSON"]);
        uneven.AddUnit(["O", null, "PERSON"]);
        Assert.Null(uneven.FleissKappa());
        Assert.True(double.IsNaN(new ConfusionAccumulator().CohenKappa()));
    }
}
