using System.Text.Json;
using System.Text.Json.Serialization;

namespace Annotate.Web.Features.Agreement;

/// <summary>
/// A project's agreement report as stored (agreement_reports.result, jsonb) and served by the API. Figures are rounded
/// to four places; null means undefined (nothing to compare). Reports stored before a figure existed read it as null.
/// </summary>
/// <param name="PerDocument">The documents people agree on least come first: that is where a reviewer looks.</param>
/// <param name="TimingsMs">Where the computation's time went (absent from reports made before it was measured).</param>
public record AgreementResult(
    DateTimeOffset ComputedAt,
    AgreementScope Scope,
    int Documents,
    List<AgreementAnnotator> Annotators,
    OverallAgreement Overall,
    Dictionary<string, LabelAgreement> PerLabel,
    List<PairAgreement> Pairs,
    List<DocumentAgreement> PerDocument,
    List<string> Notes,
    AgreementTimings? TimingsMs)
{
    public string ToJson() => JsonSerializer.Serialize(this, Infrastructure.JsonOptions.Api);

    public static AgreementResult FromJson(string json) => JsonSerializer.Deserialize<AgreementResult>(json, Infrastructure.JsonOptions.Api)
        ?? throw new JsonException("An agreement report's result is null.");
}

public record AgreementAnnotator(string Id, string Name);

/// <summary>A figure's name (as in the JSON and the CSV) and its value.</summary>
public readonly record struct NamedFigure(string Name, double? Value)
{
    /// <summary>The figure's name from the property it is read from (nameof), as the JSON writes it.</summary>
    public static NamedFigure Of(string propertyName, double? value) => new(JsonNamingPolicy.CamelCase.ConvertName(propertyName), value);

    /// <summary>The span and token figures a label's and a document's agreement both have, under the same names.</summary>
    public static IEnumerable<NamedFigure> SpansAndTokens(double? spanF1Exact, double? spanF1Overlap, double? tokenAlpha,
        double? tokenFleissKappa, double? tokenCohenKappa) =>
    [
        Of("SpanF1Exact", spanF1Exact), Of("SpanF1Overlap", spanF1Overlap),
        Of("TokenAlpha", tokenAlpha), Of("TokenFleissKappa", tokenFleissKappa), Of("TokenCohenKappa", tokenCohenKappa),
    ];
}

/// <summary>A record of figures: each can be looked up by its JSON name (the page shows them by name, the CSV lists them).</summary>
public interface IHasFigures
{
    IEnumerable<NamedFigure> Figures();
}

public static class FigureLookup
{
    /// <summary>The figure of this name, or null when it is undefined or the record has none of that name.</summary>
    public static double? Figure(this IHasFigures figures, string name) => figures.Figures().FirstOrDefault(f => f.Name == name).Value;
}

/// <summary>The project's figures over every document in scope; <c>Tokens</c> is how many tokens were compared.</summary>
public record OverallAgreement(
    double? SpanF1Exact, double? SpanF1Overlap, double? SpanF1ExactIgnoringLabel, double? SpanF1OverlapIgnoringLabel,
    double? TokenAlpha, double? TokenFleissKappa, double? TokenCohenKappa,
    double? AlphaU,
    double? LinkF1, double? LinkF1Contradicts, double? LinkF1Supports,
    long Tokens) : IHasFigures
{
    public IEnumerable<NamedFigure> Figures() =>
    [
        NamedFigure.Of(nameof(SpanF1Exact), SpanF1Exact), NamedFigure.Of(nameof(SpanF1Overlap), SpanF1Overlap),
        NamedFigure.Of(nameof(SpanF1ExactIgnoringLabel), SpanF1ExactIgnoringLabel), NamedFigure.Of(nameof(SpanF1OverlapIgnoringLabel), SpanF1OverlapIgnoringLabel),
        NamedFigure.Of(nameof(TokenAlpha), TokenAlpha), NamedFigure.Of(nameof(TokenFleissKappa), TokenFleissKappa), NamedFigure.Of(nameof(TokenCohenKappa), TokenCohenKappa),
        NamedFigure.Of(nameof(AlphaU), AlphaU),
        NamedFigure.Of(nameof(LinkF1), LinkF1), NamedFigure.Of(nameof(LinkF1Contradicts), LinkF1Contradicts), NamedFigure.Of(nameof(LinkF1Supports), LinkF1Supports),
        NamedFigure.Of(nameof(Tokens), Tokens),
    ];
}

/// <summary>One label: span F1 with that label, and token figures where each token is the label or not.</summary>
public record LabelAgreement(double? SpanF1Exact, double? SpanF1Overlap, double? TokenAlpha, double? TokenFleissKappa, double? TokenCohenKappa,
    double? AlphaU) : IHasFigures
{
    public IEnumerable<NamedFigure> Figures() =>
        [.. NamedFigure.SpansAndTokens(SpanF1Exact, SpanF1Overlap, TokenAlpha, TokenFleissKappa, TokenCohenKappa), NamedFigure.Of(nameof(AlphaU), AlphaU)];
}

/// <summary>How many links (or spans) A and B made, and how many of them matched.</summary>
public record MatchCounts(long Matched, long InA, long InB);

/// <summary>Two annotators over the documents they share.</summary>
public record PairAgreement(string A, string AName, string B, string BName, int Documents,
    double? SpanF1Exact, double? SpanF1Overlap, double? SpanF1ExactIgnoringLabel, double? SpanF1OverlapIgnoringLabel,
    double? TokenCohenKappa, double? AlphaU,
    double? LinkF1, double? LinkF1Contradicts, double? LinkF1Supports,
    MatchCounts? Links, Dictionary<string, MatchCounts>? LinksByType) : IHasFigures
{
    public IEnumerable<NamedFigure> Figures() =>
    [
        NamedFigure.Of(nameof(Documents), Documents),
        NamedFigure.Of(nameof(SpanF1Exact), SpanF1Exact), NamedFigure.Of(nameof(SpanF1Overlap), SpanF1Overlap),
        NamedFigure.Of(nameof(SpanF1ExactIgnoringLabel), SpanF1ExactIgnoringLabel), NamedFigure.Of(nameof(SpanF1OverlapIgnoringLabel), SpanF1OverlapIgnoringLabel),
        NamedFigure.Of(nameof(TokenCohenKappa), TokenCohenKappa), NamedFigure.Of(nameof(AlphaU), AlphaU),
        NamedFigure.Of(nameof(LinkF1), LinkF1), NamedFigure.Of(nameof(LinkF1Contradicts), LinkF1Contradicts), NamedFigure.Of(nameof(LinkF1Supports), LinkF1Supports),
    ];
}

/// <summary>One document's figures: means over its pairs of annotators (span F1, Cohen's kappa), token alpha and
/// Fleiss' kappa over its tokens, unitizing alpha per label.</summary>
public record DocumentAgreement(long DocumentId, string Title, List<string> Annotators, double? SpanF1Exact, double? SpanF1Overlap,
    double? TokenAlpha, double? TokenFleissKappa, double? TokenCohenKappa, Dictionary<string, double?>? AlphaU) : IHasFigures
{
    public IEnumerable<NamedFigure> Figures() => NamedFigure.SpansAndTokens(SpanF1Exact, SpanF1Overlap, TokenAlpha, TokenFleissKappa, TokenCohenKappa);
}

/// <summary>Where the computation's time went, in milliseconds: reading, the documents, pooling them.</summary>
public record AgreementTimings(long Loading, long Documents, long Pooled);
