using Annotate.Web.Features.Imports;

namespace Annotate.Tests.Import;

public class AnnotatedJsonlReaderTests
{
    private const string Header = """{"meta": {"format": "annotate-jsonl", "version": 1, "offsets": "codepoint"}}""";

    private static (List<ParsedAnnotatedArticle> Articles, List<ImportError> Errors) Parse(string fileName, params string[] lines)
    {
        var articles = new List<ParsedAnnotatedArticle>();
        var errors = new List<ImportError>();
        AnnotatedJsonlReader.Parse(fileName, string.Join('\n', lines) + "\n", articles, errors);
        Assert.All(errors, e => Assert.Equal(fileName, e.File));
        return (articles, errors);
    }

    private static string Article(string spans, string relations = "[]", string text = "Go 🇸🇾 now to Aleppo.", long id = 1) =>
        $$"""{"id": {{id}}, "title": "T", "text": "{{text}}", "spans": {{spans}}, "relations": {{relations}}}""";

    private static string SpanJson(string id, int start, int end, string? text = null) =>
        $$"""{"id": "{{id}}", "start": {{start}}, "end": {{end}}, {{(text is null ? "" : $"\"text\": \"{text}\", ")}}"layer": "entity", "label": "X"}""";

    /// <summary>One error, on the given line, whose message says what is wrong.</summary>
    private static void AssertError(List<ImportError> errors, int line, string fragment)
    {
        var error = Assert.Single(errors, e => e.Line == line);
        Assert.Contains(fragment, error.Message);
    }

    [Fact]
    public void An_articles_own_fields_are_read_as_a_plain_import_reads_them()
    {
        // The same line as doccano (spans kept) and as annotate-jsonl: headline and url are the title and source; meta and
        // any field neither format reads go to the meta, exactly as the plain reader keeps them.
        const string fields = "\"headline\": \"Rescue\", \"url\": \"https://news.example/r\", \"meta\": {\"desk\": \"coast\"}, \"section\": \"world\"";
        var line = $$"""{"id": 3, "text": "Go now to Aleppo.", {{fields}}, "label": [[10, 16, "LOCATION"]]}""";
        var plain = new List<ParsedArticle>();
        var plainErrors = new List<ImportError>();
        ImportFormats.Parse("p.jsonl", System.Text.Encoding.UTF8.GetBytes(line), plain, plainErrors);
        Assert.Empty(plainErrors);
        var expected = Assert.Single(plain);

        foreach (var lines in new[] { new[] { line }, [Header, $$"""{"id": 3, "text": "Go now to Aleppo.", {{fields}}, "spans": []}"""] })
        {
            var (articles, errors) = Parse("a.jsonl", lines);
            Assert.Empty(errors);
            var article = Assert.Single(articles);
            Assert.Equal(("Rescue", "https://news.example/r"), (article.Title, article.Source));
            // The plain reader keeps the line's "id" in the meta too; the annotated readers read it as the article's id.
            Assert.Equal("""{"desk":"coast","section":"world"}""", article.Meta);
            Assert.Equal("""{"desk":"coast","id":3,"section":"world"}""", expected.Meta);
        }
    }

    [Fact]
    public void A_valid_annotate_file_parses_with_code_point_offsets()
    {
        // "Aleppo" is at code points 13..19 (15..21 in UTF-16: the flag is two surrogate pairs).
        var (articles, errors) = Parse("a.jsonl", Header, Article($"[{SpanJson("s1", 13, 19, "Aleppo")}, {SpanJson("s2", 3, 5, "🇸🇾")}]",
            """[{"id": "r", "type": "SUPPORTS", "from": "s2", "to": "s1", "note": "n", "annotator": "Ana"}]"""));
        Assert.Empty(errors);
        var article = Assert.Single(articles);
        Assert.Equal(("a.jsonl", 2, 1L), (article.File, article.Line, article.FileId));
        Assert.Equal([("s1", 13, 19, "Aleppo"), ("s2", 3, 5, "🇸🇾")], article.Spans.Select(s => (s.Key, s.Start, s.End, s.Text!)));
        Assert.Equal(new ParsedRelation("s2", "s1", "SUPPORTS", "n", "Ana", null), Assert.Single(article.Relations));
    }

    [Fact]
    public void A_utf16_file_is_converted_to_code_points_and_may_not_split_a_character()
    {
        var utf16 = Header.Replace("codepoint", "utf16");
        var (articles, errors) = Parse("u.jsonl", utf16, Article($"[{SpanJson("s1", 15, 21, "Aleppo")}]"), Article($"[{SpanJson("s1", 4, 7)}]", id: 2));
        Assert.Equal((13, 19), (articles.Single().Spans[0].Start, articles.Single().Spans[0].End));
        AssertError(errors, 3, "splits a character");
    }

    [Fact]
    public void Malformed_json_is_reported_and_reading_goes_on()
    {
        var (articles, errors) = Parse("m.jsonl", Header, "{\"id\": 1, \"text\": ", Article("[]", id: 2), "[1, 2", Article("[]", id: 3));
        Assert.Equal([2L, 3L], articles.Select(a => a.FileId!.Value));
        Assert.Equal([2, 4], errors.Select(e => e.Line!.Value));
        Assert.All(errors, e => Assert.Contains("is not valid JSON", e.Message));
    }

    [Theory]
    [InlineData(-1, 3, "negative offset")]
    [InlineData(5, 3, "the start must come before the end")]
    [InlineData(5, 5, "the start must come before the end")]
    [InlineData(14, 21, "past the end of the text (20 code points)")]
    public void Offsets_that_do_not_fit_the_text_are_reported(int start, int end, string message)
    {
        var (articles, errors) = Parse("o.jsonl", Header, Article($"[{SpanJson("s1", start, end)}]"));
        Assert.Empty(articles);
        AssertError(errors, 2, message);
        Assert.Contains("span 1", errors[0].Message);
    }

    [Fact]
    public void A_carried_text_that_disagrees_with_the_slice_is_reported()
    {
        // Offsets one off (as if a character had been counted twice): the slice is "leppo.".
        var (articles, errors) = Parse("t.jsonl", Header, Article($"[{SpanJson("s1", 14, 20, "Aleppo")}]"));
        Assert.Empty(articles);
        AssertError(errors, 2, "says its text is \"Aleppo\" but the text at 14..20 (code points) is \"leppo.\"");
    }

    [Fact]
    public void Relations_naming_unknown_spans_are_reported()
    {
        var (articles, errors) = Parse("r.jsonl", Header,
            Article($"[{SpanJson("a", 0, 2)}]", """[{"type": "SUPPORTS", "from": "a", "to": "nope"}]""", id: 1),
            Article($"[{SpanJson("b", 0, 2)}]", """[{"type": "CONTRADICTS", "from": "b", "to": "a", "toDocument": 1}]""", id: 2),
            Article($"[{SpanJson("c", 0, 2)}]", """[{"type": "CONTRADICTS", "from": "c", "to": "missing", "toDocument": 1}]""", id: 3),
            Article($"[{SpanJson("d", 0, 2)}]", """[{"type": "CONTRADICTS", "from": "d", "to": "x", "toDocument": 99}]""", id: 4));
        AssertError(errors, 2, "ends at span \"nope\", which this article does not have");
        AssertError(errors, 4, "ending at span \"missing\" of article 1 (line 2), which that article does not have");
        Assert.Equal(2, errors.Count);
        // Line 3 points at a span article 1 declares; line 5 at an article outside the file, left to the importer.
        Assert.Equal([2L, 4L], articles.Select(a => a.FileId!.Value));
        Assert.Equal(99, articles[1].Relations[0].ToDocument);
    }

    [Fact]
    public void A_missing_text_is_reported()
    {
        var (articles, errors) = Parse("x.jsonl", Header, """{"id": 1, "spans": []}""", """{"id": 2, "text": 5}""", Article("[]", id: 3));
        Assert.Single(articles);
        AssertError(errors, 2, "has no \"text\" string");
        AssertError(errors, 3, "has no \"text\" string");
    }

    [Fact]
    public void Every_problem_of_a_line_is_reported_not_just_the_first()
    {
        var spans = $"[{SpanJson("s", -1, 2)}, {SpanJson("s", 0, 99)}, {{\"id\": \"t\", \"start\": 0, \"end\": 2, \"layer\": \"other\"}}]";
        var (_, errors) = Parse("e.jsonl", Header, Article(spans));
        Assert.Equal(5, errors.Count); // negative, duplicate id, past the end, unknown layer, no label
        Assert.All(errors, e => Assert.Equal(2, e.Line));
    }

    [Fact]
    public void Header_problems_stop_the_file_with_their_line()
    {
        var (_, errors) = Parse("h.jsonl", Header.Replace("\"version\": 1", "\"version\": 2"), Article("[]"));
        AssertError(errors, 1, "version 2");
        (_, errors) = Parse("h.jsonl", Header.Replace("codepoint", "bytes"), Article("[]"));
        AssertError(errors, 1, "\"offsets\"");
        (_, errors) = Parse("h.jsonl", Article("[]").Replace("\"spans\": [], ", ""), Header);
        AssertError(errors, 2, "can only be the first line");
        (_, errors) = Parse("h.jsonl", Header);
        Assert.Equal("has no articles: only the header line", Assert.Single(errors).Message);
    }

    [Fact]
    public void Doccano_errors_name_file_and_line()
    {
        var (articles, errors) = Parse("d.jsonl",
            """{"id": 1, "text": "Go now", "label": [[0, 2, "A"], [3, 9, "B"]]}""",
            """{"id": 2, "text": "Go now", "label": ["positive"]}""",
            """{"id": 3, "text": "Go now", "entities": [{"id": 7, "label": "A", "start_offset": 0, "end_offset": 2}], "relations": [{"id": 1, "from_id": 7, "to_id": 8, "type": "R"}]}""",
            """{"id": 4, "label": [[0, 2, "A"]]}""",
            """{"id": 5, "text": "Go now", "entities": [{"id": 7, "label": "A", "start_offset": 0, "end_offset": 2}, {"id": 8, "label": "B", "start_offset": 3, "end_offset": 6}], "relations": [{"id": 1, "from_id": 7, "to_id": 8, "type": "R"}]}""",
            """{"id": 6, "text": "Go now", "spans": [{"start": 0, "end": 2, "label": "A"}]}""");
        AssertError(errors, 1, "\"label\" item 2 ends at 9, past the end of the text (6 code points)");
        AssertError(errors, 2, "is not [start, end, \"LABEL\"]");
        AssertError(errors, 3, "ends at entity 8, which this line does not have");
        AssertError(errors, 4, "has no \"text\" string");
        AssertError(errors, 6, "annotate-jsonl header");
        Assert.Equal(5, errors.Count);
        var article = Assert.Single(articles);
        Assert.Equal(5, article.Line);
        Assert.Equal(new ParsedRelation("7", "8", "R", null, null, null), Assert.Single(article.Relations));
    }

    [Fact]
    public void A_doccano_entity_carrying_text_must_carry_its_slice()
    {
        var (articles, errors) = Parse("e.jsonl",
            """{"id": 1, "text": "Go now", "entities": [{"id": 7, "label": "A", "start_offset": 0, "end_offset": 2, "text": "Go"}], "relations": []}""",
            """{"id": 2, "text": "Go now", "entities": [{"id": 7, "label": "A", "start_offset": 1, "end_offset": 3, "text": "Go"}], "relations": []}""");
        Assert.Equal("Go", Assert.Single(articles).Spans.Single().Text);
        AssertError(errors, 2, "entity 1 says its text is \"Go\" but the text at 1..3 (code points) is \"o \"");
    }

    [Theory]
    [InlineData("""{"id": "s", "start": 0, "end": 2, "label": "X", "note": "a\u0000b"}""", "span 1 has a \"note\" that contains a NUL character")]
    [InlineData("""{"id": "s", "start": 0, "end": 2, "label": "X\u0000"}""", "span 1 has a \"label\" that contains a NUL character")]
    [InlineData("""{"id": "s", "start": 0, "end": 2, "label": "X\ud800"}""", "span 1 has a \"label\" with an unpaired surrogate escape")]
    [InlineData("""{"id": "s", "start": 0, "end": 2, "label": "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"}""", "span 1 has a \"label\" of 65 characters; the limit is 64")]
    [InlineData("""{"id": "s", "start": 0, "end": 2, "label": "X", "attributes": {"who": ["a\u0000"]}}""", "span 1 has \"attributes\" with a string that contains a NUL character")]
    public void Span_fields_that_postgresql_cannot_store_are_reported_with_the_line(string span, string message)
    {
        var (articles, errors) = Parse("n.jsonl", Header, Article($"[{span}]"));
        Assert.Empty(articles);
        AssertError(errors, 2, message);
    }

    [Theory]
    [InlineData("\"title\": \"a\\u0000b\"", "has a \"title\" that contains a NUL character at code point 1")]
    [InlineData("\"source\": \"https://x.example/\\u0000\"", "has a \"source\" that contains a NUL character")]
    public void Article_fields_that_postgresql_cannot_store_are_reported_with_the_line(string field, string message)
    {
        var (articles, errors) = Parse("f.jsonl", $$"""{"id": 1, "text": "Go now", {{field}}, "label": []}""");
        Assert.Empty(articles);
        AssertError(errors, 1, message);
    }

    [Fact]
    public void A_source_over_its_column_is_reported_with_the_line()
    {
        var (articles, errors) = Parse("s.jsonl", Header, $$"""{"id": 1, "text": "Go now", "source": "{{new string('a', 2001)}}", "spans": []}""");
        Assert.Empty(articles);
        AssertError(errors, 2, "has a \"source\" of 2001 characters; the limit is 2000");
    }

    [Fact]
    public void An_empty_file_has_no_articles()
    {
        var (articles, errors) = Parse("empty.jsonl", "", "  ");
        Assert.Empty(articles);
        Assert.Contains("has no articles", Assert.Single(errors).Message);
    }
}
