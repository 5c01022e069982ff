using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Annotate.Web.Features.Documents;

public class ImportOptions
{
    /// <summary>Largest file one import accepts (Import__MaxFileMegabytes).</summary>
    public double MaxFileMegabytes { get; set; } = 50;
    public long MaxFileBytes => (long)(MaxFileMegabytes * 1024 * 1024);
}

/// <summary>One article read from a file, not yet stored. <see cref="Line"/> is 1-based (null for a whole file).</summary>
public record ParsedArticle(string File, int? Line, string Title, string? Source, DateTimeOffset? Published, string Text, string Meta)
{
    public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text)));
    public int Length { get; } = CodePoints.Count(Text);
}

/// <summary>What is wrong, where: the file and (when it has them) the line or task number.</summary>
public record ImportError(string File, int? Line, string Message)
{
    /// <summary>"file (line N)", or the file alone when the problem is the whole file.</summary>
    public static string Where(string file, int? line) => line is { } l ? $"{file} (line {l})" : file;

    /// <summary>The problem as a person reads it: where, then what.</summary>
    public string Describe() => $"{Where(File, Line)} {Message}";
}

/// <summary>
/// Reads the formats people bring: plain .txt (one article a file), .jsonl (ours and doccano's lines) and
/// Label Studio's task .json. Pure: bytes in, articles or errors out; storing is the importer's job.
/// </summary>
public static class ImportFormats
{
    public const string SupportedTypes = ".txt, .jsonl (or .ndjson) and .json (Label Studio tasks)";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Fields of a JSONL line that are read; any other field is kept in the article's meta.</summary>
    private static readonly HashSet<string> KnownFields = ["text", "title", "source", "published", "meta", "label", "labels", "entities", "relations"];

    public static void Parse(string fileName, byte[] content, List<ParsedArticle> articles, List<ImportError> errors)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (extension is not (".txt" or ".jsonl" or ".ndjson" or ".json"))
        {
            errors.Add(new(fileName, null, $"unknown file type '{extension}': use {SupportedTypes}"));
            return;
        }
        if (extension is ".jsonl" or ".ndjson")
        {
            ParseJsonLines(fileName, content, articles, errors);
            return;
        }
        if (!TryDecode(fileName, content, errors, out var text)) return;
        if (extension == ".txt") ParseText(fileName, text, articles, errors);
        else ParseLabelStudio(fileName, text, articles, errors);
    }

    /// <summary>Strict UTF-8; a leading byte-order mark is an encoding marker and is dropped, nothing else changes.</summary>
    public static bool TryDecode(string fileName, byte[] content, List<ImportError> errors, out string text)
    {
        var start = content.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        try
        {
            text = StrictUtf8.GetString(content, start, content.Length - start);
            return true;
        }
        catch (DecoderFallbackException error)
        {
            var offset = start + Math.Max(0, error.Index);
            var line = 1 + content.AsSpan(0, Math.Min(offset, content.Length)).Count((byte)'\n');
            errors.Add(new(fileName, line, $"is not valid UTF-8 (byte offset {offset}); save the file as UTF-8 and import it again"));
            text = "";
            return false;
        }
    }

    private static void ParseText(string fileName, string text, List<ParsedArticle> articles, List<ImportError> errors)
    {
        if (CheckText(fileName, null, text, errors) is false) return;
        var title = FitTitle(TitleOf(fileName, text));
        // The text was checked; a title taken from the file name was not.
        if (FieldProblem("title", title, null) is { } problem) { errors.Add(new(fileName, null, problem + " (it comes from the file name: rename the file)")); return; }
        articles.Add(new(fileName, null, title, null, null, text, "{}"));
    }

    /// <summary>
    /// Trimmed, and cut to <see cref="Limits.DocumentTitle"/> code points when longer: at a code point, never between the
    /// two halves of a surrogate pair (which PostgreSQL could not store). A title is a label, so a long one is
    /// shortened rather than refused; the text itself is never cut.
    /// </summary>
    public static string FitTitle(string title)
    {
        title = title.Trim();
        return Limits.DocumentTitle.Allows(title) ? title : title[..CodePoints.ToUtf16Index(title, Limits.DocumentTitle.Max)];
    }

    /// <summary>
    /// Why a string field cannot be stored, as the end of an error message ("has a \"source\" that ..."), or null:
    /// a NUL character or an unpaired surrogate (PostgreSQL text holds neither), or more than <paramref name="limit"/>
    /// code points.
    /// </summary>
    public static string? FieldProblem(string name, string? value, int? limit)
    {
        if (value is null) return null;
        if (CodePoints.FindInvalidCharacter(value) is { } invalid) return $"has a \"{name}\" that contains {invalid}";
        if (limit is { } max && CodePoints.Count(value) is var length && length > max)
            return $"has a \"{name}\" of {length} characters; the limit is {max}";
        return null;
    }

    /// <summary>
    /// Why a JSON value cannot go into a jsonb column, or null: PostgreSQL refuses a NUL character (\u0000) and an
    /// unpaired surrogate escape in any string of it, property names included.
    /// </summary>
    public static string? JsonProblem(string name, JsonElement value)
    {
        static string? Check(string? text) => text is null ? null : CodePoints.FindInvalidCharacter(text);
        try
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    return Check(value.GetString()) is { } invalid ? $"has \"{name}\" with a string that contains {invalid}" : null;
                case JsonValueKind.Array:
                    foreach (var item in value.EnumerateArray())
                        if (JsonProblem(name, item) is { } problem) return problem;
                    return null;
                case JsonValueKind.Object:
                    foreach (var property in value.EnumerateObject())
                    {
                        if (Check(property.Name) is { } badName) return $"has \"{name}\" with a field name that contains {badName}";
                        if (JsonProblem(name, property.Value) is { } problem) return problem;
                    }
                    return null;
                default:
                    return null;
            }
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json cannot turn "\ud800" alone into a string.
            return $"has \"{name}\" with an unpaired surrogate escape (\\uD800-\\uDFFF without its other half)";
        }
    }

    /// <summary>
    /// The first line is the title when it reads like one: short, starting with a capital or digit, not ending a
    /// sentence, and followed by more text. Otherwise the file name (without extension) names the article.
    /// </summary>
    public static string TitleOf(string fileName, string text)
    {
        var newline = text.IndexOf('\n');
        if (newline > 0)
        {
            var first = text[..newline].Trim();
            var rest = text[(newline + 1)..];
            if (first.Length is > 0 and <= 150
                && (char.IsUpper(first[0]) || char.IsDigit(first[0]))
                && !".,;:!?…".Contains(first[^1])
                && !string.IsNullOrWhiteSpace(rest))
                return first;
        }
        return Path.GetFileNameWithoutExtension(fileName);
    }

    /// <summary>
    /// JSON lines read straight from the file's bytes (no decoded copy of the whole file, no re-encoding per line), the
    /// lines parsed in parallel (each article's hash and length are computed as it is read) and their articles and
    /// errors then taken in line order, so the outcome is the one a line-by-line read gives. The file is checked as
    /// strict UTF-8 first, with the same message as every other format.
    /// </summary>
    private static void ParseJsonLines(string fileName, byte[] content, List<ParsedArticle> articles, List<ImportError> errors)
    {
        var start = content.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        if (!System.Text.Unicode.Utf8.IsValid(content.AsSpan(start)))
        {
            TryDecode(fileName, content, errors, out _); // says where the first bad byte is
            return;
        }
        var lines = new List<(int Start, int Length)>();
        for (var position = start; ;)
        {
            var newline = content.AsSpan(position).IndexOf((byte)'\n');
            lines.Add((position, newline < 0 ? content.Length - position : newline));
            if (newline < 0) break;
            position += newline + 1;
        }
        var read = new (ParsedArticle? Article, List<ImportError>? Errors, bool Blank)[lines.Count];
        Parallel.For(0, lines.Count, index =>
        {
            var (lineStart, length) = lines[index];
            var line = content.AsMemory(lineStart, length);
            if (IsBlank(line.Span)) { read[index] = (null, null, true); return; }
            var lineArticles = new List<ParsedArticle>(1);
            var lineErrors = new List<ImportError>(0);
            JsonDocument json;
            try { json = JsonDocument.Parse(line); }
            catch (JsonException error)
            {
                lineErrors.Add(new(fileName, index + 1, $"is not valid JSON ({FirstSentence(error.Message)})"));
                read[index] = (null, lineErrors, false);
                return;
            }
            using (json) ReadArticleObject(fileName, index + 1, "", json.RootElement, lineArticles, lineErrors);
            read[index] = (lineArticles.FirstOrDefault(), lineErrors, false);
        });
        foreach (var (article, lineErrors, _) in read)
        {
            if (lineErrors is not null) errors.AddRange(lineErrors);
            if (article is not null) articles.Add(article);
        }
        if (read.All(r => r.Blank)) errors.Add(new(fileName, null, "has no articles: every line is empty"));
    }

    /// <summary>Whether a line holds only white space (as <see cref="string.IsNullOrWhiteSpace"/> reads it, Unicode spaces too).</summary>
    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        var trimmed = line.Trim(" \t\r\v\f"u8);
        return trimmed.IsEmpty || trimmed[0] >= 0x80 && string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(trimmed));
    }

    private static void ParseLabelStudio(string fileName, string text, List<ParsedArticle> articles, List<ImportError> errors)
    {
        JsonDocument json;
        try { json = JsonDocument.Parse(text); }
        catch (JsonException error)
        {
            errors.Add(new(fileName, (int?)(error.LineNumber + 1), $"is not valid JSON ({FirstSentence(error.Message)})"));
            return;
        }
        using (json)
        {
            var root = json.RootElement;
            IEnumerable<JsonElement> tasks = root.ValueKind switch
            {
                JsonValueKind.Array => root.EnumerateArray(),
                JsonValueKind.Object => [root],
                _ => [],
            };
            var number = 0;
            foreach (var task in tasks)
            {
                number++;
                if (task.ValueKind != JsonValueKind.Object || !task.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(new(fileName, null, $"task {number} has no \"data\" object; Label Studio tasks look like {{\"data\": {{\"text\": \"...\"}}}}"));
                    continue;
                }
                ReadArticleObject(fileName, null, $"task {number} ", data, articles, errors);
            }
            if (number == 0) errors.Add(new(fileName, null, "has no tasks: expected a JSON array of Label Studio tasks"));
        }
    }

    /// <param name="where">"" for a JSONL line (the line number says where), "task N " inside a Label Studio file.</param>
    private static void ReadArticleObject(string fileName, int? line, string where, JsonElement item, List<ParsedArticle> articles, List<ImportError> errors)
    {
        void Fail(string message) => errors.Add(new(fileName, line, where + message));
        if (item.ValueKind != JsonValueKind.Object)
        {
            Fail("is not a JSON object with a \"text\" field");
            return;
        }
        if (!item.TryGetProperty("text", out var textElement) || textElement.ValueKind != JsonValueKind.String)
        {
            Fail("has no \"text\" string");
            return;
        }
        string text;
        try { text = textElement.GetString()!; }
        catch (InvalidOperationException)
        {
            Fail("has a \"text\" with an unpaired surrogate escape");
            return;
        }
        if (CodePoints.FindInvalidCharacter(text) is { } invalid) { Fail($"has a text that contains {invalid}"); return; }
        if (string.IsNullOrWhiteSpace(text)) { Fail("has an empty text: there is nothing to annotate"); return; }

        string? OptionalString(string name)
        {
            if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
            if (value.ValueKind != JsonValueKind.String)
            {
                Fail($"has a \"{name}\" that is not a string");
                return null;
            }
            try { return value.GetString(); }
            catch (InvalidOperationException)
            {
                Fail($"has a \"{name}\" with an unpaired surrogate escape");
                return null;
            }
        }
        var errorsBefore = errors.Count;
        var title = OptionalString("title") ?? OptionalString("headline");
        var source = OptionalString("source") ?? OptionalString("url");
        // Refused here, with the file and line, rather than by PostgreSQL in the middle of the COPY.
        if (FieldProblem("title", title, null) is { } titleProblem) Fail(titleProblem);
        if (FieldProblem("source", source, Limits.DocumentSource.Max) is { } sourceProblem)
            Fail(sourceProblem.Contains("the limit") ? sourceProblem + ": shorten it, or move it into \"meta\"" : sourceProblem);
        DateTimeOffset? published = null;
        if (OptionalString("published") is { } publishedText)
        {
            if (DateTimeOffset.TryParse(publishedText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) published = parsed;
            else Fail("has a \"published\" that is not a date (use ISO 8601, e.g. 2024-11-27 or 2024-11-27T09:30:00Z)");
        }
        var meta = new Dictionary<string, JsonElement>();
        try
        {
            if (item.TryGetProperty("meta", out var metaElement) && metaElement.ValueKind != JsonValueKind.Null)
            {
                if (metaElement.ValueKind != JsonValueKind.Object) Fail("has a \"meta\" that is not a JSON object");
                else foreach (var property in metaElement.EnumerateObject()) meta[property.Name] = property.Value.Clone();
            }
            foreach (var property in item.EnumerateObject())
                if (!KnownFields.Contains(property.Name) && property.Name is not ("headline" or "url")) meta.TryAdd(property.Name, property.Value.Clone());
        }
        catch (InvalidOperationException)
        {
            Fail("has a field name with an unpaired surrogate escape");
        }
        // What the meta (jsonb) would hold is checked here, with the file and line, rather than by PostgreSQL mid-COPY.
        foreach (var (name, value) in meta)
        {
            if (CodePoints.FindInvalidCharacter(name) is { } badName) { Fail($"has a field name that contains {badName}"); break; }
            if (JsonProblem(name, value) is { } problem) { Fail(problem + " (kept in the article's meta)"); break; }
        }
        if (errors.Count > errorsBefore) return;

        title = FitTitle(string.IsNullOrWhiteSpace(title) ? $"{Path.GetFileNameWithoutExtension(fileName)} {where.Trim()}{(line is { } l ? $"line {l}" : "")}" : title);
        if (FieldProblem("title", title, null) is { } fileNameProblem) { Fail(fileNameProblem + " (it comes from the file name: rename the file)"); return; }
        articles.Add(new(fileName, line, title, source, published, text, JsonSerializer.Serialize(meta)));
    }

    private static bool CheckText(string fileName, int? line, string text, List<ImportError> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(new(fileName, line, "has an empty text: there is nothing to annotate"));
            return false;
        }
        if (CodePoints.FindInvalidCharacter(text) is { } problem)
        {
            errors.Add(new(fileName, line, $"contains {problem}"));
            return false;
        }
        return true;
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }
}
