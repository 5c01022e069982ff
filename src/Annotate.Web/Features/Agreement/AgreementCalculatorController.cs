using System.Text.Json;
using System.Text.Json.Serialization;
using Annotate.Agreement;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Agreement;

/// <summary>Reliability data: one array per coder, one cell per unit; a cell is a number, a string or null (missing).</summary>
public record AlphaRequest(string? Level, JsonElement Data);

/// <summary>
/// Krippendorff's alpha and companions. Figures that are undefined for the data (NaN in the library) are null;
/// cohenKappa/scottPi appear for two coders without missing values, fleissKappa when every unit has the same number
/// (at least two) of values.
/// </summary>
public record AlphaResponse(
    double? Alpha, double? ObservedDisagreement, double? ExpectedDisagreement, int PairableUnits, int Coders, double? PercentAgreement,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? CohenKappa,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? ScottPi,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? FleissKappa,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Note);

/// <summary>A continuum [begin, begin + length) cut into units by raters numbered 0 to raters − 1.</summary>
public record UnitizingRequest(long? Begin, long? Length, int? Raters, List<UnitInput?>? Units);
public record UnitInput(int? Rater, long? Start, long? Length, string? Category);
public record UnitizingCategory(double? Alpha, double Observed, double Expected);
/// <summary>Overall alpha pools the categories' disagreements: 1 − mean observed / mean expected.</summary>
public record UnitizingResponse(
    double? Alpha, double? ObservedDisagreement, double? ExpectedDisagreement, int Raters, IReadOnlyDictionary<string, UnitizingCategory> Categories,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Note);

/// <summary>Two annotators' spans [start, end) with labels; a is the reference for precision and recall.</summary>
public record SpansRequest(List<SpanInput?>? A, List<SpanInput?>? B);
public record SpanInput(long? Start, long? End, string? Label);
public record SpanFigures(int Matched, int InA, int InB, double? Precision, double? Recall, double? F1);
public record SpanMatching(SpanFigures WithLabel, SpanFigures IgnoringLabel);
public record SpanLabelFigures(SpanFigures Exact, SpanFigures Overlap);
public record SpansResponse(
    SpanMatching Exact, SpanMatching Overlap, IReadOnlyDictionary<string, SpanLabelFigures> PerLabel,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Note);

/// <summary>
/// Stateless agreement calculator: send data, get the measures back. Nothing is stored. The formulas and their
/// references are documented on the Annotate.Agreement types.
/// </summary>
[Route("api/agreement")]
// The one JSON route beside imports that takes large bodies: a million cells are megabytes of JSON.
[RequestSizeLimit(MaxBodyBytes)]
public class AgreementCalculatorController : ApiController
{
    // The measures are linear or near-linear in these sizes; the caps keep one request from occupying a core for long.
    public const int MaxCells = 1_000_000;
    public const int MaxUnits = 100_000;
    public const int MaxRaters = 1_000;
    public const int MaxSpans = 100_000;
    public const int MaxBodyBytes = 32 * 1024 * 1024;

    /// <summary>Krippendorff's alpha at a level of measurement, with percent agreement and, where they apply, Cohen's kappa, Scott's pi and Fleiss' kappa.</summary>
    [HttpPost]
    public AlphaResponse Alpha(AlphaRequest request)
    {
        var level = ParseLevel(request.Level);
        var data = Calculate(() => ReliabilityData.FromRows(ReadRows(request.Data)));
        var alpha = Calculate(() => KrippendorffAlpha.Compute(data, level));
        var percent = PercentAgreement.Compute(data);

        KappaResult? cohen = null, scott = null;
        if (data.Coders == 2 && data.IsComplete)
        {
            cohen = TwoCoderAgreement.CohenKappa(data);
            scott = TwoCoderAgreement.ScottPi(data);
        }
        var perUnit = data.Units > 0 ? data.ValuesOf(0).Count : 0;
        var fleiss = perUnit >= 2 && Enumerable.Range(0, data.Units).All(u => data.ValuesOf(u).Count == perUnit)
            ? FleissKappa.Compute(data)
            : null;

        return new AlphaResponse(
            Finite(alpha.Alpha), Finite(alpha.ObservedDisagreement), Finite(alpha.ExpectedDisagreement), alpha.PairableUnits, alpha.Coders,
            Finite(percent.Value), Finite(cohen?.Value), Finite(scott?.Value), Finite(fleiss?.Kappa), alpha.Note ?? percent.Note);
    }

    /// <summary>Krippendorff's unitizing alpha, overall and per category.</summary>
    [HttpPost("unitizing")]
    public UnitizingResponse Unitizing(UnitizingRequest request)
    {
        if (request.Length is not { } length)
            throw ProblemException.BadRequest("Give length: the number of positions of the continuum (e.g. the text's length).");
        if (request.Raters is not { } raters)
            throw ProblemException.BadRequest("Give raters: how many raters cut the continuum (at least 2); units name them 0, 1, ...");
        if (raters > MaxRaters)
            throw ProblemException.BadRequest($"The calculator accepts at most {MaxRaters:N0} raters; got {raters:N0}.");
        var inputs = request.Units ?? [];
        if (inputs.Count > MaxUnits)
            throw ProblemException.BadRequest($"The calculator accepts at most {MaxUnits:N0} units; got {inputs.Count:N0}. Compare one document at a time.");

        var units = inputs.Select((unit, i) =>
        {
            string Missing(string field) => $"Unit {i + 1} has no {field}; every unit needs rater, start, length and category.";
            if (unit is null) throw ProblemException.BadRequest($"Unit {i + 1} is null.");
            return new UnitizedSegment(
                unit.Rater ?? throw ProblemException.BadRequest(Missing("rater")),
                unit.Start ?? throw ProblemException.BadRequest(Missing("start")),
                unit.Length ?? throw ProblemException.BadRequest(Missing("length")),
                unit.Category ?? throw ProblemException.BadRequest(Missing("category")));
        }).ToList();

        var result = Calculate(() => UnitizingAlpha.Compute(request.Begin ?? 0, length, raters, units));
        return new UnitizingResponse(
            Finite(result.Alpha), Finite(result.ObservedDisagreement), Finite(result.ExpectedDisagreement), result.Raters,
            result.Categories.ToDictionary(c => c.Key, c => new UnitizingCategory(Finite(c.Value.Alpha), c.Value.Observed, c.Value.Expected)),
            result.Note);
    }

    /// <summary>Pairwise span agreement: precision, recall and F1 with exact and overlap matching, with and without labels, micro and per label.</summary>
    [HttpPost("spans")]
    public SpansResponse Spans(SpansRequest request)
    {
        var a = ReadSpans(request.A, "a");
        var b = ReadSpans(request.B, "b");
        var result = Calculate(() => SpanAgreement.Compare(a, b));
        return new SpansResponse(
            View(result.Exact), View(result.Overlap),
            result.PerLabel.ToDictionary(l => l.Key, l => new SpanLabelFigures(View(l.Value.Exact), View(l.Value.Overlap))),
            result.Note);
    }

    private static MeasurementLevel ParseLevel(string? level)
    {
        const string levels = "nominal, ordinal, interval or ratio";
        if (string.IsNullOrWhiteSpace(level))
            throw ProblemException.BadRequest($"Give level, the level of measurement of the values: {levels}.");
        // Enum.TryParse would also take "1" or "Nominal, Ordinal": only the four words are accepted.
        return level.Trim().ToLowerInvariant() switch
        {
            "nominal" => MeasurementLevel.Nominal,
            "ordinal" => MeasurementLevel.Ordinal,
            "interval" => MeasurementLevel.Interval,
            "ratio" => MeasurementLevel.Ratio,
            _ => throw ProblemException.BadRequest($"Unknown level '{level}'; use {levels}."),
        };
    }

    /// <summary>JSON cells to library values, checking the size before anything is copied.</summary>
    private static List<IReadOnlyList<object?>> ReadRows(JsonElement data)
    {
        const string shape = "data must be an array with one array per coder, holding one cell per unit (a number, a string, or null when missing).";
        if (data.ValueKind != JsonValueKind.Array) throw ProblemException.BadRequest($"Give data: {shape}");
        long cells = 0;
        var r = 0;
        foreach (var row in data.EnumerateArray())
        {
            r++;
            if (row.ValueKind != JsonValueKind.Array) throw ProblemException.BadRequest($"Row {r} of data is not an array: {shape}");
            cells += row.GetArrayLength();
        }
        if (cells > MaxCells)
            throw ProblemException.BadRequest($"The data have {cells:N0} cells; the calculator accepts at most {MaxCells:N0} (coders × units).");

        return data.EnumerateArray().Select((row, rowIndex) => (IReadOnlyList<object?>)row.EnumerateArray().Select((cell, column) => cell.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => cell.GetString(),
            JsonValueKind.Number when cell.TryGetDouble(out var number) && double.IsFinite(number) => (object)number,
            JsonValueKind.Number => throw ProblemException.BadRequest($"The number in row {rowIndex + 1}, column {column + 1} is too large."),
            var kind => throw ProblemException.BadRequest(
                $"The cell in row {rowIndex + 1}, column {column + 1} is {kind.ToString().ToLowerInvariant()}; use a number, a string or null."),
        }).ToList()).ToList();
    }

    private static List<LabelledSpan> ReadSpans(List<SpanInput?>? spans, string side)
    {
        if (spans is null) throw ProblemException.BadRequest($"Give {side}: an array of spans {{start, end, label}} (it may be empty).");
        if (spans.Count > MaxSpans)
            throw ProblemException.BadRequest($"The calculator accepts at most {MaxSpans:N0} spans per annotator; {side} has {spans.Count:N0}.");
        return spans.Select((span, i) =>
        {
            string Missing(string field) => $"Span {i + 1} of {side} has no {field}; every span needs start, end and label.";
            if (span is null) throw ProblemException.BadRequest($"Span {i + 1} of {side} is null.");
            return new LabelledSpan(
                span.Start ?? throw ProblemException.BadRequest(Missing("start")),
                span.End ?? throw ProblemException.BadRequest(Missing("end")),
                span.Label ?? throw ProblemException.BadRequest(Missing("label")));
        }).ToList();
    }

    /// <summary>The library refuses input with ArgumentException and a message meant for the caller: that is a 400.</summary>
    private static T Calculate<T>(Func<T> calculation)
    {
        try
        {
            return calculation();
        }
        catch (ArgumentException error)
        {
            throw ProblemException.BadRequest(error.Message);
        }
    }

    // JSON has no NaN: an undefined figure is null (the note says why).
    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    private static SpanMatching View(MatchingScores scores) => new(View(scores.WithLabel), View(scores.IgnoringLabel));

    private static SpanFigures View(SpanScores s) => new(s.Matched, s.InA, s.InB, Finite(s.Precision), Finite(s.Recall), Finite(s.F1));
}
