using System.Globalization;
using System.Text;

namespace Annotate.Benchmarks;

/// <summary>One measured figure, the baseline it is compared with, and the target it should meet.</summary>
/// <param name="Comparable">False when the baseline gives context only (memory beside the process's size): no ratio.</param>
public record Figure(string Name, double Value, string Unit, string Baseline, double BaselineValue, string Target, bool? Met, bool Comparable = true)
{
    public double Ratio => Comparable && BaselineValue > 0 ? Value / BaselineValue : double.NaN;

    public static string Table(IEnumerable<Figure> figures)
    {
        var text = new StringBuilder();
        text.AppendLine("| figure | value | baseline (same run) | baseline value | ratio | target | met |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var f in figures)
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {f.Name} | {f.Value:0.##} {f.Unit} | {f.Baseline} | {f.BaselineValue:0.##} {f.Unit} | {(double.IsNaN(f.Ratio) ? "-" : f.Ratio.ToString("0.##", CultureInfo.InvariantCulture) + "x")} | {f.Target} | {(f.Met is null ? "-" : f.Met.Value ? "yes" : "NO")} |"));
        return text.ToString();
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}
