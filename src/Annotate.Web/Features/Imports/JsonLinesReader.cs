using System.Text.Json;

namespace Annotate.Web.Features.Imports;

/// <summary>Plain JSON lines, one article a line (ours, doccano's): the text and its fields; spans, if any, are left for annotated imports.</summary>
public static class JsonLinesReader
{
    /// <summary>
    /// JSON lines read straight from the file's bytes (no decoded copy of the whole file, no re-encoding per line), the
    /// lines parsed in parallel (each article's hash and length are computed as it is read) and their articles and
    /// errors then taken in line order, so the outcome is the one a line-by-line read gives. The file is checked as
    /// strict UTF-8 first, with the same message as every other format.
    /// </summary>
    public static void Parse(string fileName, ReadOnlyMemory<byte> content, List<ParsedArticle> articles, List<ImportError> errors)
    {
        var start = content.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        if (!System.Text.Unicode.Utf8.IsValid(content.Span[start..]))
        {
            ImportFormats.TryDecode(fileName, content.Span, errors, out _); // says where the first bad byte is
            return;
        }
        var lines = new List<(int Start, int Length)>();
        for (var position = start; ;)
        {
            var newline = content.Span[position..].IndexOf((byte)'\n');
            lines.Add((position, newline < 0 ? content.Length - position : newline));
            if (newline < 0) break;
            position += newline + 1;
        }
        var read = new (ParsedArticle? Article, List<ImportError>? Errors, bool Blank)[lines.Count];
        Parallel.For(0, lines.Count, index =>
        {
            var (lineStart, length) = lines[index];
            var line = content.Slice(lineStart, length);
            if (CodePoints.IsBlank(line.Span)) { read[index] = (null, null, true); return; }
            var lineArticles = new List<ParsedArticle>(1);
            var lineErrors = new List<ImportError>(0);
            JsonDocument json;
            try { json = JsonDocument.Parse(line); }
            catch (JsonException error)
            {
                lineErrors.Add(new(fileName, index + 1, $"is not valid JSON ({ImportFormats.FirstSentence(error.Message)})"));
                read[index] = (null, lineErrors, false);
                return;
            }
            // The article's text stays a slice of content (no copy): the document reads the line in place.
            using (json) ArticleFields.ReadArticle(fileName, index + 1, "", json.RootElement, lineArticles, lineErrors, line);
            read[index] = (lineArticles.FirstOrDefault(), lineErrors, false);
        });
        foreach (var (article, lineErrors, _) in read)
        {
            if (lineErrors is not null) errors.AddRange(lineErrors);
            if (article is not null) articles.Add(article);
        }
        if (read.All(r => r.Blank)) errors.Add(new(fileName, null, "has no articles: every line is empty"));
    }
}
