using System.Globalization;

namespace Annotate.Agreement;

/// <summary>
/// Krippendorff's "reliability data": one row per coder, one column per unit, each cell a value or missing.
/// Values are numbers or strings; <c>null</c> (and <see cref="double.NaN"/>) mean the coder gave no value for that unit.
/// </summary>
/// <remarks>
/// Built once and shared by every measure, so a calculator request is validated and normalised a single time.
/// Numbers of any CLR numeric type become <see cref="double"/>, so 3, 3L and 3.0 are the same value;
/// a number and a string are never equal (3 is not "3").
/// </remarks>
public sealed class ReliabilityData
{
    // [unit][i]: the values of the unit, missing ones left out. Every measure works unit by unit.
    private readonly object[][] units;

    private ReliabilityData(int coders, object[][] units, bool complete)
    {
        Coders = coders;
        this.units = units;
        IsComplete = complete;
    }

    /// <summary>Number of coders (rows).</summary>
    public int Coders { get; }

    /// <summary>Number of units (columns), including units nobody coded.</summary>
    public int Units => units.Length;

    /// <summary>True when every coder gave a value for every unit.</summary>
    public bool IsComplete { get; }

    /// <summary>The values given to unit <paramref name="unit"/> (a <see cref="double"/> or a <see cref="string"/> each), missing ones left out.</summary>
    public IReadOnlyList<object> ValuesOf(int unit) => units[unit];

    /// <summary>
    /// The number of values every unit has, when all units that have any value have the same number; null otherwise
    /// (or when no unit has a value). Fleiss' kappa needs this fixed number of raters per unit.
    /// </summary>
    public int? CommonValueCount
    {
        get
        {
            int? common = null;
            foreach (var values in units)
            {
                if (values.Length == 0) continue;
                if (common is null) common = values.Length;
                else if (common != values.Length) return null;
            }
            return common;
        }
    }

    /// <summary>
    /// Reads reliability data from rows (one per coder) of cells (one per unit). A cell is null (missing),
    /// a string, or a number (<see cref="int"/>, <see cref="long"/>, <see cref="double"/>, <see cref="decimal"/>, ...).
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two coders, rows of different lengths, infinite numbers or cells of another type.</exception>
    public static ReliabilityData FromRows(IReadOnlyList<IReadOnlyList<object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count < 2)
            throw new ArgumentException($"Agreement needs at least two coders (rows of data); got {rows.Count}.");
        var unitCount = rows[0]?.Count ?? throw new ArgumentException("Row 1 is null; give each coder an array of values.");
        for (var r = 1; r < rows.Count; r++)
        {
            var row = rows[r] ?? throw new ArgumentException($"Row {r + 1} is null; give each coder an array of values.");
            if (row.Count != unitCount)
                throw new ArgumentException(
                    $"Row {r + 1} has {row.Count} values but row 1 has {unitCount}: every coder needs one cell per unit (use null for a missing value).");
        }

        var result = new object[unitCount][];
        var complete = true;
        var buffer = new List<object>(rows.Count);
        for (var u = 0; u < unitCount; u++)
        {
            buffer.Clear();
            for (var r = 0; r < rows.Count; r++)
            {
                var value = Normalise(rows[r][u], r, u);
                if (value is null) complete = false;
                else buffer.Add(value);
            }
            result[u] = buffer.ToArray();
        }
        return new ReliabilityData(rows.Count, result, complete);
    }

    private static object? Normalise(object? cell, int row, int unit)
    {
        double number;
        switch (cell)
        {
            case null: return null;
            case string text: return text;
            case double d: number = d; break;
            case float f: number = f; break;
            case decimal m: number = (double)m; break;
            case int or long or short or sbyte or byte or ushort or uint or ulong:
                number = Convert.ToDouble(cell, CultureInfo.InvariantCulture);
                break;
            default:
                throw new ArgumentException(
                    $"The value in row {row + 1}, column {unit + 1} is a {cell.GetType().Name}; use a number, a string or null.");
        }
        if (double.IsNaN(number)) return null;
        if (double.IsInfinity(number))
            throw new ArgumentException($"The value in row {row + 1}, column {unit + 1} is infinite; use a finite number or null.");
        // -0.0 and 0.0 are one value: normalise so dictionaries see one key.
        return number == 0 ? 0.0 : number;
    }

    /// <summary>Shows a value the way an error message or a category list should: numbers in invariant culture.</summary>
    internal static string Describe(object value) =>
        value is double d ? d.ToString("R", CultureInfo.InvariantCulture) : $"\"{value}\"";
}
