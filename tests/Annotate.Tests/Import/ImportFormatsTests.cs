using System.Text;
using Annotate.Web.Features.Documents;

namespace Annotate.Tests.Import;

public class ImportFormatsTests
{
    private static (List<ParsedArticle> Articles, List<ImportError> Errors) Parse(string name, string content) => Parse(name, Encoding.UTF8.GetBytes(content));

    private static (List<ParsedArticle> Articles, List<ImportError> Errors) Parse(string name, byte[] content)
    {
        var articles = new List<ParsedArticle>();
        var errors = new List<ImportError>();
        ImportFormats.Parse(name, content, articles, errors);
        return (articles, errors);
    }

    [Theory]
    [InlineData("Syrian Rebels Launch New Offensive\n\nBody.", "Syrian Rebels Launch New Offensive")]
    [InlineData("back to top\n\nSunni Rebel Advances", "file")] // lower-case page furniture is not a title
    [InlineData("A whole first sentence that ends with a period.\nMore.", "file")]
    [InlineData("Only one line", "file")]
    [InlineData("2024: the year\nBody", "2024: the year")]
    public void The_first_line_is_the_title_only_when_it_reads_like_one(string text, string expected) =>
        Assert.Equal(expected, ImportFormats.TitleOf("file.txt", text));

    [Fact]
    public void Text_keeps_line_ends_and_unicode_as_given_and_drops_only_a_leading_bom()
    {
        var body = "A\r\nB\u00a0e\u0301\n";
        var (articles, errors) = Parse("x.txt", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(body)]);
        Assert.Empty(errors);
        Assert.Equal(body, articles.Single().Text);
        Assert.Equal(8, articles.Single().Length); // \r and the combining accent count: nothing is normalised
    }

    [Fact]
    public void Invalid_utf8_is_reported_with_its_line()
    {
        var (_, errors) = Parse("x.txt", [(byte)'a', (byte)'\n', (byte)'b', (byte)'\n', 0xE2, 0x28, 0xA1]);
        var error = Assert.Single(errors);
        Assert.Equal(3, error.Line);
        Assert.Contains("not valid UTF-8", error.Message);
    }

    [Fact]
    public void Every_bad_jsonl_line_is_reported_not_just_the_first()
    {
        var (articles, errors) = Parse("a.jsonl", "{\"text\": \"ok\"}\nnot json\n[1]\n{\"text\": 5}\n{\"text\": \"fine\", \"meta\": 3}\n");
        Assert.Single(articles);
        Assert.Equal([2, 3, 4, 5], errors.Select(e => e.Line!.Value));
    }

    [Fact]
    public void Unknown_jsonl_fields_are_kept_in_meta()
    {
        var (articles, _) = Parse("a.jsonl", "{\"text\": \"t\", \"id\": 7, \"label\": [[0, 1, \"X\"]], \"meta\": {\"a\": 1}}");
        Assert.Equal("{\"a\":1,\"id\":7}", articles.Single().Meta);
    }
}
