using Annotate.Agreement;

namespace Annotate.Tests.Agreement;

/// <summary>Reliability data from published worked examples, shared by the tests of several measures.</summary>
public static class PublishedData
{
    /// <summary>
    /// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers × 12 units, values 1–5,
    /// missing values. Published: nominal α = 0.743, ordinal 0.815, interval 0.849, ratio 0.797.
    /// </summary>
    public static readonly object?[][] Krippendorff2011 =
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
        [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
    ];

    /// <summary>
    /// Wikipedia, "Krippendorff's alpha", computational example: 3 coders × 15 units with missing values.
    /// Expected values as asserted by the `krippendorff` Python package's tests: nominal 0.691358, interval 0.810845.
    /// </summary>
    public static readonly object?[][] WikipediaAlpha =
    [
        [null, null, null, null, null, 3, 4, 1, 2, 1, 1, 3, 3, null, 3],
        [1, null, 2, 1, 3, 3, 4, 3, null, null, null, null, null, null, null],
        [null, null, 2, 1, 3, 4, 4, null, 2, 1, 1, 3, 3, null, 4],
    ];

    /// <summary>
    /// Fleiss (1971), "Measuring nominal scale agreement among many raters", table 1: 30 patients, 6 psychiatrists each,
    /// diagnoses 1 depression, 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other. One row per patient here;
    /// <see cref="Units"/> turns it into one row per rater.
    /// </summary>
    public static readonly int[][] FleissDiagnoses =
    [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
        [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
        [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
        [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
        [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ];

    public static ReliabilityData Data(object?[][] rows) => ReliabilityData.FromRows(rows);

    /// <summary>Units given as one array of values per unit (the transpose of reliability data).</summary>
    public static ReliabilityData Units(int[][] units) =>
        ReliabilityData.FromRows(Enumerable.Range(0, units[0].Length)
            .Select(r => units.Select(u => (object?)u[r]).ToArray()).ToArray());

    /// <summary>Units given as category counts (x_ij), as in Fleiss' tables: every unit must have the same total.</summary>
    public static ReliabilityData Counts(int[][] counts) =>
        Units(counts.Select(row => row.SelectMany((count, category) => Enumerable.Repeat(category + 1, count)).ToArray()).ToArray());

    /// <summary>Two coders given as a contingency table: cell [i][j] counts units coded categories[i] by the first and categories[j] by the second.</summary>
    public static ReliabilityData Table(object[] categories, int[][] table)
    {
        var first = new List<object?>();
        var second = new List<object?>();
        for (var i = 0; i < table.Length; i++)
        {
            for (var j = 0; j < table[i].Length; j++)
            {
                first.AddRange(Enumerable.Repeat(categories[i], table[i][j]));
                second.AddRange(Enumerable.Repeat(categories[j], table[i][j]));
            }
        }
        return ReliabilityData.FromRows([first, second]);
    }
}
