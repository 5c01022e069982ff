namespace Annotate.Agreement;

/// <summary>The one rule every chance-corrected coefficient here follows when chance leaves no room to disagree.</summary>
internal static class ChanceCorrection
{
    public const string NoVariation =
        "Every value is the same, so chance alone predicts perfect agreement (expected disagreement 0) and the coefficient's " +
        "formula divides 0 by 0. It is reported as 1 because nobody disagreed, but the data cannot show reliability: code units that differ.";

    /// <summary>1 - observed/expected disagreement; 1 with <see cref="NoVariation"/> when the expected disagreement is 0.</summary>
    public static (double Value, string? Note) FromDisagreement(double observed, double expected) =>
        expected > 0 ? (1 - observed / expected, null) : (1, NoVariation);

    /// <summary>(observed - expected)/(1 - expected) agreement; 1 with <see cref="NoVariation"/> when expected agreement is 1.</summary>
    public static (double Value, string? Note) FromAgreement(double observed, double expected) =>
        expected < 1 ? ((observed - expected) / (1 - expected), null) : (1, NoVariation);
}
