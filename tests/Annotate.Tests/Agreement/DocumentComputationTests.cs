using System.Text;
using Annotate.Web.Features.Agreement;
using Annotate.Web.Features.Annotations;

namespace Annotate.Tests.Agreement;

/// <summary>
/// One document's agreement, computed without a database, checked against figures worked by hand from the textbook
/// formulas (Cohen 1960, Fleiss 1971, Krippendorff's nominal alpha), and the pooling of documents into a report.
/// </summary>
public class DocumentComputationTests
{
    // Tokens: Ana | Smith | met | Bob | in | Paris | .
    private const string Text = "Ana Smith met Bob in Paris.";
    private static readonly Dictionary<string, string> Names = new() { ["a"] = "Ana", ["b"] = "Ben" };

    private static CodedSpan Span(string coder, string label, int start, int end, AnnotationLayer layer = AnnotationLayer.Entity) =>
        new(coder, layer, label, start, end);

    /// <summary>A marks "Ana Smith" and "Paris", B marks only "Ana" and "Paris": one exact match, two overlapping.</summary>
    private static DocumentInput TwoCoders(long id = 1, List<CodedLink>? links = null) => new(id, "Two coders", Text, Text.Length, ["b", "a"],
        [Span("a", "PERSON", 0, 9), Span("a", "LOCATION", 21, 26), Span("b", "PERSON", 0, 3), Span("b", "LOCATION", 21, 26)], links ?? []);

    [Fact]
    public void Tokens_are_runs_of_letters_and_digits_or_single_other_characters()
    {
        var tokens = DocumentComputation.Tokens("Ana's 13 villages.".EnumerateRunes().ToArray());
        Assert.Equal(new List<(int, int)> { (0, 3), (3, 4), (4, 5), (6, 8), (9, 17), (17, 18) }, tokens);
    }

    [Fact]
    public void Token_and_span_figures_of_one_document_match_the_hand_computed_ones()
    {
        var result = DocumentComputation.Compute(TwoCoders(), Names);

        Assert.Equal(7, result.Tokens);
        Assert.Equal(2, result.Coders);
        var pair = Assert.Single(result.Pairs);
        Assert.Equal(("a", "b"), (pair.A, pair.B)); // coders in order, whatever order the loader gave
        Assert.Equal(1, pair.Scores.Exact.WithLabel.Matched);
        Assert.Equal(2, pair.Scores.Overlap.WithLabel.Matched);

        var summary = result.Summary;
        Assert.Equal(new[] { "Ana", "Ben" }, summary.Annotators);
        Assert.Equal(0.5, summary.SpanF1Exact);   // 2·1/(2+2)
        Assert.Equal(1.0, summary.SpanF1Overlap); // 2·2/(2+2)
        // Token labels A: P P O O O L O, B: P O O O O L O. p_o = 6/7, p_e = (2·1 + 1·1 + 4·5)/49: κ = 19/26.
        Assert.Equal(0.7308, summary.TokenCohenKappa);
        // Coincidences: 2 of the 14 pairable values disagree; n_c = 3, 9, 2: α = 1 − 13·2/(196 − 94) = 0.7451.
        Assert.Equal(0.7451, summary.TokenAlpha);
        // P̄ = 6/7, P̄_e = 94/196: κ = (168 − 94)/(196 − 94) = 0.7255.
        Assert.Equal(0.7255, summary.TokenFleissKappa);
        Assert.NotNull(summary.AlphaU);
        Assert.Equal(1.0, summary.AlphaU!["LOCATION"]); // both marked exactly "Paris"
        Assert.True(summary.AlphaU["PERSON"] < 1);
    }

    [Fact]
    public void Per_label_token_tables_count_whether_each_coder_marked_each_token()
    {
        var pair = Assert.Single(DocumentComputation.Compute(TwoCoders(), Names).Pairs);
        // PERSON: "Ana" both, "Smith" only A, the other five tokens neither.
        Assert.Equal(new BinaryTable(1, 1, 0, 5), pair.LabelTokens["PERSON"]);
        Assert.Equal(new BinaryTable(1, 0, 0, 6), pair.LabelTokens["LOCATION"]);
    }

    [Fact]
    public void The_outermost_entity_span_names_a_token_and_claims_stay_out_of_the_token_labels()
    {
        // A: "Ana Smith" as PERSON with "Smith" as a nested LOCATION, and a claim over everything; B: the same without the claim.
        List<CodedSpan> spans = [Span("a", "PERSON", 0, 9), Span("a", "LOCATION", 4, 9), Span("a", "CLAIM", 0, 26, AnnotationLayer.Claim),
            Span("b", "PERSON", 0, 9), Span("b", "LOCATION", 4, 9)];
        var result = DocumentComputation.Compute(new DocumentInput(1, "Nested", Text, Text.Length, ["a", "b"], spans, []), Names);
        var pair = Assert.Single(result.Pairs);
        Assert.Equal(1.0, pair.Tokens.CohenKappa()); // both P P O O O O O
        Assert.Equal(new BinaryTable(0, 6, 0, 1), pair.LabelTokens["CLAIM"]); // per label, either layer counts
    }

    [Fact]
    public void Links_match_on_type_and_ends_and_a_contradiction_in_either_direction_is_the_same()
    {
        // The loader puts a contradiction's ends in one order, so both coders' keys are equal; a support keeps its direction.
        List<CodedLink> links =
        [
            new("a", DocumentComputation.Contradicts, "CONTRADICTS|1:0-3|1:21-26"), new("b", DocumentComputation.Contradicts, "CONTRADICTS|1:0-3|1:21-26"),
            new("a", DocumentComputation.Supports, "SUPPORTS|1:0-3|1:21-26"), new("b", DocumentComputation.Supports, "SUPPORTS|1:21-26|1:0-3"),
        ];
        var pair = Assert.Single(DocumentComputation.Compute(TwoCoders(links: links), Names).Pairs);
        Assert.Equal((1L, 1L, 1L), (pair.Links[DocumentComputation.Contradicts].Matched, pair.Links[DocumentComputation.Contradicts].InA, pair.Links[DocumentComputation.Contradicts].InB));
        Assert.Equal(0, pair.Links[DocumentComputation.Supports].Matched);
    }

    [Fact]
    public void Pooled_documents_sum_their_counts_and_list_the_least_agreed_document_first()
    {
        var agreed = new DocumentInput(2, "Agreed", Text, Text.Length, ["a", "b"], [Span("a", "PERSON", 0, 9), Span("b", "PERSON", 0, 9)], []);
        var pool = new AgreementPool();
        pool.Add(DocumentComputation.Compute(agreed, Names));
        pool.Add(DocumentComputation.Compute(TwoCoders(), Names));
        var report = pool.Result(AgreementScope.Finished, ["a", "b"], Names, timings: null);

        Assert.Equal(2, report.Documents);
        Assert.Equal(new[] { 1L, 2L }, report.PerDocument.Select(d => d.DocumentId)); // exact F1 0.5 before 1.0
        var pair = Assert.Single(report.Pairs);
        Assert.Equal(("Ana", "Ben", 2), (pair.AName, pair.BName, pair.Documents));
        Assert.Equal(0.6667, pair.SpanF1Exact); // matched 1 + 1 of 4 + 2 spans: 2·2/6
        Assert.Equal(1.0, report.PerLabel["LOCATION"].SpanF1Exact);
        Assert.Equal(0.5, report.PerLabel["PERSON"].SpanF1Exact); // 2·1/(2 + 2): only the agreed document's "Ana Smith" matches
        Assert.Equal(14, report.Overall.Tokens);
        Assert.Null(report.Overall.LinkF1); // no links: undefined, not 0
        Assert.Empty(report.Notes);
    }

    [Fact]
    public void A_report_reads_back_from_its_json_and_an_older_one_without_the_newer_figures_loads()
    {
        var pool = new AgreementPool();
        pool.Add(DocumentComputation.Compute(TwoCoders(), Names));
        var report = pool.Result(AgreementScope.All, ["a", "b"], Names, new AgreementTimings(1, 2, 3));
        var again = AgreementResult.FromJson(report.ToJson());
        Assert.Equal(report.ToJson(), again.ToJson());

        // As stored before per-label token figures, alpha-U, links and timings were added.
        var older = AgreementResult.FromJson("""
            {"scope":"finished","documents":1,"annotators":[{"id":"a","name":"Ana"}],"computedAt":"2025-01-01T00:00:00Z",
             "overall":{"spanF1Exact":0.5,"tokenAlpha":0.7,"tokens":7},"perLabel":{"PERSON":{"spanF1Exact":0.6667}},
             "pairs":[{"a":"a","aName":"Ana","b":"b","bName":"Ben","documents":1,"spanF1Exact":0.5}],
             "perDocument":[{"documentId":1,"title":"T","annotators":["Ana","Ben"],"spanF1Exact":0.5}],"notes":[]}
            """);
        Assert.Equal(0.5, older.Overall.Figure("spanF1Exact"));
        Assert.Null(older.Overall.Figure("alphaU"));
        Assert.Null(older.Pairs[0].LinksByType);
        Assert.Null(older.PerDocument[0].AlphaU);
        Assert.Null(older.TimingsMs);
    }
}
