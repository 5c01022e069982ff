using System.Globalization;
using System.Text.Json;

namespace Annotate.Web.Features.Imports;

/// <summary>
/// The one reader of an article's own fields, whichever format carries them (JSON lines plain or annotated, Label
/// Studio's tasks): the text, the title (or "headline"), the source (or "url"), the date it was published, and every
/// other field (with those of "meta") kept in the article's meta, except the ones the format reads itself (spans...).
/// Each problem is reported through the reader's own <c>fail</c>, which says where.
/// </summary>
/// <param name="Utf8Text">the text as UTF-8 (see <see cref="Utf8Value"/>); <see cref="Text"/> decodes it when asked</param>
public sealed record ArticleFields(ReadOnlyMemory<byte> Utf8Text, string? Title, string? Source, DateTimeOffset? Published, string Meta)
{
    private string? text;
    public string Text => text ??= System.Text.Encoding.UTF8.GetString(Utf8Text.Span);

    /// <summary>The fields read here; any other is kept in the article's meta unless the format reads it.</summary>
    private static readonly HashSet<string> OwnFields = ["text", "title", "headline", "source", "url", "published", "meta"];

    /// <summary>What a plain import leaves alone: the spans of doccano's lines, for an annotated import to read.</summary>
    private static readonly HashSet<string> SpanFields = ["label", "labels", "entities", "relations"];

    /// <summary>
    /// The article's fields, or null when it has no text that can be stored (there is nothing to keep then). Problems
    /// of the other fields are reported and the fields are still answered, so the caller can read on and report all.
    /// </summary>
    /// <param name="formatFields">fields the format reads itself, which are not the article's meta</param>
    /// <param name="document">the bytes <paramref name="item"/>'s document was parsed from, when they outlive it (a JSON
    /// line of a file), so that the text can be a slice of them rather than a copy</param>
    public static ArticleFields? Read(JsonElement item, Action<string> report, IReadOnlySet<string> formatFields, ReadOnlyMemory<byte> document = default)
    {
        var failed = false;
        void fail(string message)
        {
            failed = true;
            report(message);
        }
        if (item.ValueKind != JsonValueKind.Object)
        {
            fail("is not a JSON object with a \"text\" field");
            return null;
        }
        if (!item.TryGetProperty("text", out var textElement) || textElement.ValueKind != JsonValueKind.String)
        {
            fail("has no \"text\" string");
            return null;
        }
        ReadOnlyMemory<byte> text;
        try { text = Utf8Value(textElement, document); }
        catch (InvalidOperationException)
        {
            fail("has a \"text\" with an unpaired surrogate escape");
            return null;
        }
        if (CodePoints.FindInvalidCharacter(text.Span) is { } invalid) { fail($"has a text that contains {invalid}"); return null; }
        if (CodePoints.IsBlank(text.Span)) { fail("has an empty text: there is nothing to annotate"); return null; }

        string? OptionalString(string name)
        {
            if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
            if (value.ValueKind != JsonValueKind.String)
            {
                fail($"has a \"{name}\" that is not a string");
                return null;
            }
            try { return value.GetString(); }
            catch (InvalidOperationException)
            {
                fail($"has a \"{name}\" with an unpaired surrogate escape");
                return null;
            }
        }
        var title = OptionalString("title") ?? OptionalString("headline");
        var source = OptionalString("source") ?? OptionalString("url");
        // Refused here, with the file and line, rather than by PostgreSQL in the middle of the COPY.
        if (FieldProblem("title", title, null) is { } titleProblem) fail(titleProblem);
        if (FieldProblem("source", source, Limits.DocumentSource.Max) is { } sourceProblem)
            fail(sourceProblem.Contains("the limit") ? sourceProblem + ": shorten it, or move it into \"meta\"" : sourceProblem);
        DateTimeOffset? published = null;
        if (OptionalString("published") is { } publishedText)
        {
            if (DateTimeOffset.TryParse(publishedText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) published = parsed;
            else fail("has a \"published\" that is not a date (use ISO 8601, e.g. 2024-11-27 or 2024-11-27T09:30:00Z)");
        }
        var meta = new Dictionary<string, JsonElement>();
        try
        {
            if (item.TryGetProperty("meta", out var metaElement) && metaElement.ValueKind != JsonValueKind.Null)
            {
                if (metaElement.ValueKind != JsonValueKind.Object) fail("has a \"meta\" that is not a JSON object");
                else foreach (var property in metaElement.EnumerateObject()) meta[property.Name] = property.Value.Clone();
            }
            foreach (var property in item.EnumerateObject())
                if (!OwnFields.Contains(property.Name) && !formatFields.Contains(property.Name)) meta.TryAdd(property.Name, property.Value.Clone());
        }
        catch (InvalidOperationException)
        {
            fail("has a field name with an unpaired surrogate escape");
        }
        // What the meta (jsonb) would hold is checked here, with the file and line, rather than by PostgreSQL mid-COPY.
        foreach (var (name, value) in meta)
        {
            if (CodePoints.FindInvalidCharacter(name) is { } badName) { fail($"has a field name that contains {badName}"); break; }
            if (JsonProblem(name, value) is { } problem) { fail(problem + " (kept in the article's meta)"); break; }
        }
        // A meta with a problem is not written (it could not be); the article is refused for it anyway.
        return new ArticleFields(text, title, source, published, failed || meta.Count == 0 ? "{}" : JsonSerializer.Serialize(meta));
    }

    /// <summary>
    /// A JSON string's value as UTF-8 without decoding it to UTF-16: a slice of <paramref name="document"/> itself when
    /// the value has no escapes and lies in it (most texts), else unescaped into an array of its own. An escaped lone
    /// surrogate throws <see cref="InvalidOperationException"/>, as <see cref="JsonElement.GetString"/> does.
    /// </summary>
    private static ReadOnlyMemory<byte> Utf8Value(JsonElement value, ReadOnlyMemory<byte> document)
    {
        var quoted = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value);
        var raw = quoted[1..^1];
        if (raw.IndexOf((byte)'\\') < 0)
            return document.Span.Overlaps(raw, out var offset) && offset >= 0 && offset + raw.Length <= document.Length
                ? document.Slice(offset, raw.Length) : raw.ToArray();
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        var unescaped = new byte[raw.Length]; // an escape is never shorter than what it stands for
        return unescaped.AsMemory(0, reader.CopyString(unescaped));
    }

    /// <summary>A plain article from a JSON object (a JSONL line, a Label Studio task's data), added when it has no problem.</summary>
    /// <param name="where">"" for a JSONL line (the line number says where), "task N " inside a Label Studio file.</param>
    /// <param name="document">see <see cref="Read"/></param>
    public static void ReadArticle(string fileName, int? line, string where, JsonElement item, List<ParsedArticle> articles, List<ImportError> errors,
        ReadOnlyMemory<byte> document = default)
    {
        var errorsBefore = errors.Count;
        var fields = Read(item, message => errors.Add(new(fileName, line, where + message)), SpanFields, document);
        if (fields is null || errors.Count > errorsBefore) return;
        if (TitleOrName(fileName, where, line, fields.Title, errors) is not { } title) return;
        articles.Add(new(fileName, line, title, fields.Source, fields.Published, fields.Utf8Text, fields.Meta));
    }

    /// <summary>
    /// The article's title, fitted; without one, the file's name with where the article is in it ("news line 4"). Null
    /// (reported) when a title made from the file name cannot be stored.
    /// </summary>
    public static string? TitleOrName(string fileName, string where, int? line, string? title, List<ImportError> errors)
    {
        var fitted = FitTitle(string.IsNullOrWhiteSpace(title) ? $"{Path.GetFileNameWithoutExtension(fileName)} {where.Trim()}{(line is { } l ? $"line {l}" : "")}" : title);
        if (FieldProblem("title", fitted, null) is not { } problem) return fitted;
        errors.Add(new(fileName, line, where + problem + " (it comes from the file name: rename the file)"));
        return null;
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
                case JsonValueKind.Number:
                    return NumericFits(value.GetRawText()) ? null
                        : $"has \"{name}\" with a number PostgreSQL cannot store ({(value.GetRawText() is var raw && raw.Length > 30 ? raw[..27] + "..." : raw)}): " +
                          $"it holds at most {NumericIntegerDigits} digits before the decimal point and {NumericFractionDigits} after";
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

    /// <summary>PostgreSQL's numeric (which jsonb's numbers are) holds this many digits before the decimal point, and after it.</summary>
    private const int NumericIntegerDigits = 131072, NumericFractionDigits = 16383;

    /// <summary>
    /// Whether a JSON number fits PostgreSQL's numeric once its exponent is applied (1e999999 does not: "value overflows
    /// numeric format"). Counted from the digits as written, so a doubtful case is refused rather than failing the COPY.
    /// </summary>
    private static bool NumericFits(string number)
    {
        var e = number.IndexOfAny(['e', 'E']);
        var exponent = 0L;
        if (e >= 0 && !long.TryParse(number.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent)) return false;
        var mantissa = (e < 0 ? number : number[..e]).TrimStart('-');
        var point = mantissa.IndexOf('.');
        var integer = (point < 0 ? mantissa : mantissa[..point]).TrimStart('0');
        var fraction = point < 0 ? "" : mantissa[(point + 1)..];
        if (integer.Length == 0 && fraction.Trim('0').Length == 0) return true; // zero, whatever its exponent
        return integer.Length + exponent <= NumericIntegerDigits && fraction.Length - exponent <= NumericFractionDigits;
    }
}
