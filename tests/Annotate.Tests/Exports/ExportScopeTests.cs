using Annotate.Web.Features.Exports;

namespace Annotate.Tests.Exports;

public class ExportScopeTests
{
    [Theory]
    [InlineData("all")]
    [InlineData("curated")]
    [InlineData("annotator:0b6f2c1e-user-id")]
    public void The_stored_form_reads_back_as_the_same_scope(string stored) =>
        Assert.Equal(stored, ExportScope.Parse(stored).ToString());

    [Theory]
    [InlineData("")]
    [InlineData("annotator:")]
    [InlineData("ALL")]
    [InlineData("everyone")]
    public void Anything_else_stored_is_refused(string stored) =>
        Assert.Throws<FormatException>(() => ExportScope.Parse(stored));

    [Fact]
    public void Kinds_are_told_apart()
    {
        Assert.True(ExportScope.All.IsAll);
        Assert.False(ExportScope.Curated.IsAll);
        Assert.True(ExportScope.Curated.IsCurated);
        var ana = ExportScope.OfAnnotator("ana-id");
        Assert.Equal(("ana-id", false, false), (ana.AnnotatorId, ana.IsAll, ana.IsCurated));
        Assert.Equal(ana, ExportScope.Parse("annotator:ana-id"));
        Assert.NotEqual(ExportScope.All, ExportScope.Curated);
    }

    [Theory]
    [InlineData(null, "all", null)]
    [InlineData("  ", "all", null)]
    [InlineData("all", "all", null)]
    [InlineData(" curated ", "curated", null)]
    [InlineData("annotator:ana@example.org", "all", "ana@example.org")]
    [InlineData("ANNOTATOR: Ana@Example.org ", "all", "Ana@Example.org")]
    public void A_request_names_a_scope_or_the_annotator_to_look_up(string? text, string scope, string? who)
    {
        Assert.True(ExportScope.TryParseRequest(text, out var parsed, out var named));
        Assert.Equal((scope, who), (parsed.ToString(), named));
    }

    [Theory]
    [InlineData("annotator:")]
    [InlineData("annotator:   ")]
    [InlineData("Curated")]
    [InlineData("everyone")]
    public void A_request_that_names_no_scope_is_refused(string text) =>
        Assert.False(ExportScope.TryParseRequest(text, out _, out _));
}
