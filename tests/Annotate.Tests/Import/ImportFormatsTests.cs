using System.Text;
using Annotate.Web.Features.Imports;

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
        Assert.Equal(expected, PlainTextReader.TitleOf("file.txt", text));

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

/// <summary>What PostgreSQL would refuse mid-COPY is refused while reading, with the file and line; long titles are cut safely.</summary>
public class ImportFieldLimitTests
{
    private static (List<ParsedArticle> Articles, List<ImportError> Errors) Parse(string name, string content)
    {
        var articles = new List<ParsedArticle>();
        var errors = new List<ImportError>();
        ImportFormats.Parse(name, Encoding.UTF8.GetBytes(content), articles, errors);
        return (articles, errors);
    }

    [Theory]
    [InlineData("""{"text": "t", "title": "a\u0000b"}""", "has a \"title\" that contains a NUL character at code point 1")]
    [InlineData("""{"text": "t", "headline": "a\u0000b"}""", "has a \"title\" that contains a NUL character")]
    [InlineData("""{"text": "t", "source": "https://x.example/\u0000"}""", "has a \"source\" that contains a NUL character")]
    [InlineData("""{"text": "t", "title": "a\ud800b"}""", "has a \"title\" with an unpaired surrogate escape")]
    [InlineData("""{"text": "t", "meta": {"outlet": "a\u0000"}}""", "has \"outlet\" with a string that contains a NUL character")]
    [InlineData("""{"text": "t", "meta": {"k\u0000": 1}}""", "has a field name that contains a NUL character")]
    [InlineData("""{"text": "t", "extra": ["ok", {"deep": "\udc00"}]}""", "has \"extra\" with an unpaired surrogate escape")]
    [InlineData("""{"text": "t\u0000"}""", "has a text that contains a NUL character")]
    [InlineData("""{"text": "t", "meta": {"n": 1e999999}}""", "has \"n\" with a number PostgreSQL cannot store (1e999999)")]
    [InlineData("""{"text": "t", "ratio": 1.5e-16383}""", "has \"ratio\" with a number PostgreSQL cannot store")]
    public void Fields_postgresql_cannot_store_are_refused_with_file_and_line(string line, string message)
    {
        var (articles, errors) = Parse("a.jsonl", "{\"text\": \"fine\"}\n" + line + "\n");
        Assert.Single(articles);
        var error = Assert.Single(errors);
        Assert.Equal(("a.jsonl", 2), (error.File, error.Line));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Numbers_postgresql_holds_are_kept_as_written()
    {
        var (articles, errors) = Parse("n.jsonl", """{"text": "t", "meta": {"a": 1e131071, "b": 1e-16383, "c": 0e-99999, "d": 123456789012345678901234567890}}""" + "\n");
        Assert.Empty(errors);
        Assert.Contains("1e131071", Assert.Single(articles).Meta);
    }

    [Fact]
    public void A_source_over_2000_characters_is_refused_and_one_of_2000_is_kept()
    {
        var (articles, errors) = Parse("s.jsonl", $$"""
            {"text": "t", "source": "{{new string('s', 2001)}}"}
            {"text": "u", "source": "{{new string('s', 1999)}}😀"}
            """);
        var error = Assert.Single(errors);
        Assert.Equal(1, error.Line);
        Assert.Contains("has a \"source\" of 2001 characters; the limit is 2000", error.Message);
        Assert.Equal(2001, Assert.Single(articles).Source!.Length); // 2000 characters, one of them two UTF-16 units
    }

    [Fact]
    public void A_label_studio_task_names_its_task()
    {
        var (_, errors) = Parse("tasks.json", """[{"data": {"text": "t"}}, {"data": {"text": "u", "title": "x\u0000"}}]""");
        var error = Assert.Single(errors);
        Assert.Equal("tasks.json", error.File);
        Assert.StartsWith("task 2 has a \"title\" that contains a NUL character", error.Message);
    }

    [Fact]
    public void A_long_title_is_cut_at_500_code_points_never_inside_a_surrogate_pair()
    {
        // 499 letters then two emoji: the 500th code point is the first emoji, which UTF-16 index 500 would cut in half.
        var title = new string('a', 499) + "😀😀";
        var (articles, errors) = Parse("t.jsonl", $$"""{"text": "t", "title": "{{title}}"}""");
        Assert.Empty(errors);
        Assert.Equal(new string('a', 499) + "😀", articles.Single().Title);
        Assert.Equal(new string('a', 499) + "😀", ArticleFields.FitTitle("  " + title + "  "));
        Assert.Equal("short", ArticleFields.FitTitle(" short "));
        // 500 code points in 501 UTF-16 units fit the column (varchar counts characters): kept whole.
        Assert.Equal(new string('a', 499) + "😀", ArticleFields.FitTitle(new string('a', 499) + "😀"));
    }

    [Fact]
    public void A_text_file_named_with_a_nul_is_refused_by_name()
    {
        var (articles, errors) = Parse("bad\0name.txt", "only one line");
        Assert.Empty(articles);
        Assert.Contains("it comes from the file name", Assert.Single(errors).Message);
    }
}
