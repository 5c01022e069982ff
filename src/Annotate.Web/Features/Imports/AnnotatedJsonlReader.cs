using System.Text.Json;
using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Exports;

namespace Annotate.Web.Features.Imports;

/// <summary>
/// Reads annotated JSONL: annotate-jsonl (recognised by its header line, see <see cref="AnnotateJsonlWriter"/>) and
/// doccano's JSONL (sequence labelling <c>"label": [[start, end, "LABEL"]]</c> or its older alias <c>"labels"</c>,
/// relation extraction <c>"entities"</c> and <c>"relations"</c>; doccano counts code points). Pure: text in,
/// articles or errors out. Every problem is reported with its file and line, reading on to find them all; an article
/// with any problem is left out of <c>articles</c>.
/// <para>
/// A relation to another article is checked when that article is in the same file; one pointing outside the file
/// is passed on for the importer to resolve (an export limited to finished articles can point to others).
/// </para>
/// </summary>
public static class AnnotatedJsonlReader
{
    public static void Parse(string fileName, string text, List<ParsedAnnotatedArticle> articles, List<ImportError> errors)
    {
        var lines = text.Split('\n');
        var header = default(Header?);
        var parsed = new List<Pending>();
        var any = false;
        var articleLines = 0;
        for (var index = 0; index < lines.Length; index++)
        {
            var lineNumber = index + 1;
            if (string.IsNullOrWhiteSpace(lines[index])) continue;
            JsonDocument json;
            try { json = JsonDocument.Parse(lines[index]); }
            catch (JsonException error)
            {
                errors.Add(new(fileName, lineNumber, $"is not valid JSON ({ImportFormats.FirstSentence(error.Message)})"));
                any = true;
                continue;
            }
            using (json)
            {
                var root = json.RootElement;
                if (IsHeader(root))
                {
                    if (any)
                    {
                        errors.Add(new(fileName, lineNumber, "is an annotate-jsonl header, which can only be the first line"));
                        continue;
                    }
                    any = true;
                    header = ReadHeader(fileName, lineNumber, root, errors);
                    if (header is null) return; // without knowing the offsets' unit no span can be checked
                    continue;
                }
                any = true;
                articleLines++;
                var line = new Line(fileName, lineNumber, errors);
                var article = header is { } h ? ReadAnnotateArticle(line, root, h.Offsets) : ReadDoccanoArticle(line, root);
                if (article is not null) parsed.Add(article);
            }
        }
        if (!any) { errors.Add(new(fileName, null, "has no articles: every line is empty")); return; }
        if (header is not null && articleLines == 0) errors.Add(new(fileName, null, "has no articles: only the header line"));

        CheckCrossDocumentRelations(fileName, parsed, errors);
        articles.AddRange(parsed.Where(p => p.Valid).Select(p => p.Article));
    }

    private readonly record struct Header(OffsetUnit Offsets);

    /// <summary>An article read from one line, and whether that line had a problem. Span keys are kept even for a
    /// refused article, so relations pointing at it from other lines are still checked against what it declares.</summary>
    private sealed record Pending(ParsedAnnotatedArticle Article, bool Valid, HashSet<string> Keys);

    /// <summary>Reports errors for one line and remembers whether there were any.</summary>
    private sealed class Line(string file, int number, List<ImportError> errors)
    {
        public int Number => number;
        public string File => file;
        public bool Failed { get; private set; }

        public void Fail(string message)
        {
            errors.Add(new(file, number, message));
            Failed = true;
        }
    }

    private static bool IsHeader(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("text", out _)
        && root.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object
        && meta.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.String
        && format.GetString() == AnnotateJsonlWriter.Name;

    private static Header? ReadHeader(string fileName, int lineNumber, JsonElement root, List<ImportError> errors)
    {
        var meta = root.GetProperty("meta");
        if (!meta.TryGetProperty("version", out var version) || !version.TryGetInt32(out var number) || number != AnnotateJsonlWriter.Version)
        {
            errors.Add(new(fileName, lineNumber, $"is an annotate-jsonl header of version {(meta.TryGetProperty("version", out var v) ? v.GetRawText() : "(none)")}; this reader knows version {AnnotateJsonlWriter.Version}"));
            return null;
        }
        var offsets = meta.TryGetProperty("offsets", out var unit) && unit.ValueKind == JsonValueKind.String ? unit.GetString() : null;
        switch (offsets)
        {
            case "codepoint": return new Header(OffsetUnit.Codepoint);
            case "utf16": return new Header(OffsetUnit.Utf16);
            default:
                errors.Add(new(fileName, lineNumber, "is an annotate-jsonl header whose \"offsets\" is neither \"codepoint\" nor \"utf16\""));
                return null;
        }
    }

    private static Pending? ReadAnnotateArticle(Line line, JsonElement item, OffsetUnit unit)
    {
        if (ReadArticleFields(line, item) is not { } fields) return null;
        var (text, length) = (fields.Text, CodePoints.Count(fields.Text));
        var spans = new List<ParsedSpan>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (element, number, where) in ObjectItems(line, item, "spans", "span"))
        {
            var key = OptionalString(line, element, "id", where) ?? $"#{number}";
            if (!keys.Add(key)) line.Fail($"{where} has the id \"{key}\" of an earlier span");
            var label = RequiredString(line, element, "label", where);
            var layer = OptionalString(line, element, "layer", where);
            if (layer is not null and not ("entity" or "claim")) line.Fail($"{where} has the layer \"{layer}\"; use \"entity\" or \"claim\"");
            var carried = OptionalString(line, element, "text", where);
            var annotator = OptionalString(line, element, "annotator", where);
            var note = OptionalString(line, element, "note", where);
            JsonElement? attributes = null;
            if (element.TryGetProperty("attributes", out var attributesElement) && attributesElement.ValueKind != JsonValueKind.Null)
            {
                if (attributesElement.ValueKind != JsonValueKind.Object) line.Fail($"{where} has \"attributes\" that are not a JSON object");
                else if (ArticleFields.JsonProblem("attributes", attributesElement) is { } problem) line.Fail($"{where} {problem}");
                else attributes = attributesElement.Clone();
            }
            var offsets = Offsets(line, text, length, unit, where, Integer(line, element, "start", where), Integer(line, element, "end", where), carried);
            if (offsets is { } o && label is not null)
                spans.Add(new ParsedSpan(key, o.Start, o.End, label, layer, carried, annotator, attributes, note));
        }

        var relations = new List<ParsedRelation>();
        foreach (var (element, where, type) in RelationItems(line, item))
        {
            var from = RequiredString(line, element, "from", where);
            var to = RequiredString(line, element, "to", where);
            long? toDocument = null;
            if (element.TryGetProperty("toDocument", out var other) && other.ValueKind != JsonValueKind.Null)
            {
                if (other.TryGetInt64(out var id)) toDocument = id == fields.FileId ? null : id;
                else line.Fail($"{where} has a \"toDocument\" that is not a whole number");
            }
            if (from is not null && !keys.Contains(from)) line.Fail($"{where} ({type}) starts at span \"{from}\", which this article does not have");
            if (to is not null && toDocument is null && !keys.Contains(to)) line.Fail($"{where} ({type}) ends at span \"{to}\", which this article does not have");
            if (type is not null && from is not null && to is not null)
                relations.Add(new ParsedRelation(from, to, type, OptionalString(line, element, "note", where),
                    OptionalString(line, element, "annotator", where), toDocument));
        }
        return Finish(line, fields, spans, relations, keys);
    }

    private static Pending? ReadDoccanoArticle(Line line, JsonElement item)
    {
        if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("spans", out _))
        {
            line.Fail("has \"spans\", which only annotate-jsonl articles carry, but the file does not start with an annotate-jsonl header line");
            return null;
        }
        if (ReadArticleFields(line, item) is not { } fields) return null;
        var (text, length) = (fields.Text, CodePoints.Count(fields.Text));
        var spans = new List<ParsedSpan>();
        var keys = new HashSet<string>(StringComparer.Ordinal);

        // doccano's sequence labelling: [start, end, "LABEL"]; "labels" is what older doccano versions wrote.
        var labelNumber = 0;
        foreach (var name in (string[])["label", "labels"])
        {
            foreach (var element in ArrayProperty(line, item, name))
            {
                labelNumber++;
                var where = $"\"{name}\" item {labelNumber}";
                if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != 3
                    || element[0].ValueKind != JsonValueKind.Number || element[1].ValueKind != JsonValueKind.Number || element[2].ValueKind != JsonValueKind.String)
                {
                    line.Fail($"{where} is not [start, end, \"LABEL\"] (a text-classification label? only spans are imported)");
                    continue;
                }
                int? start = element[0].TryGetInt32(out var s) ? s : null, end = element[1].TryGetInt32(out var e) ? e : null;
                if (start is null || end is null) { line.Fail($"{where} has offsets that are not whole numbers"); continue; }
                var key = $"#{labelNumber}";
                keys.Add(key);
                if (Offsets(line, text, length, OffsetUnit.Codepoint, where, start, end, null) is { } o)
                    spans.Add(new ParsedSpan(key, o.Start, o.End, element[2].GetString()!, null, null, null, null, null));
            }
        }

        // doccano's relation extraction: entities with ids, relations between those ids.
        foreach (var (element, number, where) in ObjectItems(line, item, "entities", "entity"))
        {
            var key = IdText(element, "id") ?? $"#entity{number}";
            if (!keys.Add(key)) line.Fail($"{where} has the id {key} of an earlier entity");
            var label = RequiredString(line, element, "label", where);
            // doccano itself writes no "text"; this application's doccano export does, and then it must match the slice.
            var carried = OptionalString(line, element, "text", where);
            var offsets = Offsets(line, text, length, OffsetUnit.Codepoint, where,
                Integer(line, element, "start_offset", where), Integer(line, element, "end_offset", where), carried);
            if (offsets is { } o && label is not null) spans.Add(new ParsedSpan(key, o.Start, o.End, label, null, carried, null, null, null));
        }
        var relations = new List<ParsedRelation>();
        foreach (var (element, where, type) in RelationItems(line, item))
        {
            var from = IdText(element, "from_id");
            var to = IdText(element, "to_id");
            if (from is null || to is null) { line.Fail($"{where} needs \"from_id\" and \"to_id\""); continue; }
            if (!keys.Contains(from)) line.Fail($"{where} ({type}) starts at entity {from}, which this line does not have");
            if (!keys.Contains(to)) line.Fail($"{where} ({type}) ends at entity {to}, which this line does not have");
            if (type is not null) relations.Add(new ParsedRelation(from, to, type, null, null, null));
        }
        return Finish(line, fields, spans, relations, keys);
    }

    /// <summary>Fields an annotated line's format reads itself (its spans, its id), which are not the article's meta.</summary>
    private static readonly HashSet<string> FormatFields = ["id", "sha256", "spans", "relations", "label", "labels", "entities"];

    private sealed record LineFields(ArticleFields Article, long? FileId)
    {
        public string Text => Article.Text;
    }

    /// <summary>The article's own fields, read as a plain import reads them (<see cref="ArticleFields"/>), and its id in the file.</summary>
    private static LineFields? ReadArticleFields(Line line, JsonElement item)
    {
        if (ArticleFields.Read(item, line.Fail, FormatFields) is not { } fields) return null;
        long? fileId = item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var whole) ? whole : null;
        return new LineFields(fields, fileId);
    }

    private static Pending Finish(Line line, LineFields fields, List<ParsedSpan> spans, List<ParsedRelation> relations, HashSet<string> keys) =>
        new(new ParsedAnnotatedArticle(line.File, line.Number, fields.Article.Title, fields.Article.Source, fields.Article.Published, fields.Text,
            spans, relations, fields.FileId, fields.Article.Meta), !line.Failed, keys);

    /// <summary>
    /// Checks offsets in the file's unit against the text and returns them in code points: inside the text, start
    /// before end, not splitting a character, and (when the file carries the span's text) the same text.
    /// </summary>
    private static (int Start, int End)? Offsets(Line line, string text, int length, OffsetUnit unit, string where, int? start, int? end, string? carried)
    {
        if (start is null || end is null) return null; // already reported
        var unitName = unit == OffsetUnit.Utf16 ? "UTF-16 units" : "code points";
        if (start < 0 || end < 0) { line.Fail($"{where} has a negative offset (start {start}, end {end})"); return null; }
        if (start >= end) { line.Fail($"{where} starts at {start} but ends at {end}: the start must come before the end"); return null; }
        var textLength = unit == OffsetUnit.Utf16 ? text.Length : length;
        if (end > textLength) { line.Fail($"{where} ends at {end}, past the end of the text ({textLength} {unitName})"); return null; }
        int from = start.Value, to = end.Value;
        if (unit == OffsetUnit.Utf16)
        {
            if (CodePoints.FromUtf16Index(text, from) is not { } f || CodePoints.FromUtf16Index(text, to) is not { } t)
            {
                line.Fail($"{where} ({start}..{end} in UTF-16 units) splits a character in two (a surrogate pair)");
                return null;
            }
            (from, to) = (f, t);
        }
        if (carried is not null && CodePoints.Slice(text, from, to) is var slice && slice != carried)
        {
            line.Fail($"{where} says its text is \"{Shorten(carried)}\" but the text at {start}..{end} ({unitName}) is \"{Shorten(slice)}\"");
            return null;
        }
        return (from, to);
    }

    /// <summary>Relations into another article of the same file must name one of that article's spans.</summary>
    private static void CheckCrossDocumentRelations(string fileName, List<Pending> parsed, List<ImportError> errors)
    {
        var byId = new Dictionary<long, Pending>();
        for (var i = 0; i < parsed.Count; i++)
        {
            if (parsed[i].Article.FileId is not { } id || byId.TryAdd(id, parsed[i])) continue;
            errors.Add(new(fileName, parsed[i].Article.Line, $"has the id {id} of the article on line {byId[id].Article.Line}: relations between articles need unique ids"));
            parsed[i] = parsed[i] with { Valid = false };
        }
        for (var i = 0; i < parsed.Count; i++)
        {
            var pending = parsed[i];
            foreach (var relation in pending.Article.Relations)
            {
                if (relation.ToDocument is not { } other || !byId.TryGetValue(other, out var target) || target.Keys.Contains(relation.ToKey)) continue;
                errors.Add(new(fileName, pending.Article.Line, $"has a relation ({relation.Type}) ending at span \"{relation.ToKey}\" of article {other} (line {target.Article.Line}), which that article does not have"));
                parsed[i] = pending = pending with { Valid = false };
            }
        }
    }

    /// <summary>
    /// The items of array <paramref name="name"/> that are JSON objects, each with its number (from 1) and how errors name
    /// it ("span 3"); an item that is not an object is an error of the line.
    /// </summary>
    private static IEnumerable<(JsonElement Element, int Number, string Where)> ObjectItems(Line line, JsonElement item, string name, string noun)
    {
        var number = 0;
        foreach (var element in ArrayProperty(line, item, name))
        {
            number++;
            var where = $"{noun} {number}";
            if (element.ValueKind == JsonValueKind.Object) yield return (element, number, where);
            else line.Fail($"{where} is not a JSON object");
        }
    }

    /// <summary>The items of "relations" (both formats name it so), each with how errors name it and its "type", if any.</summary>
    private static IEnumerable<(JsonElement Element, string Where, string? Type)> RelationItems(Line line, JsonElement item) =>
        ObjectItems(line, item, "relations", "relation").Select(r => (r.Element, r.Where, RequiredString(line, r.Element, "type", r.Where)));

    private static IEnumerable<JsonElement> ArrayProperty(Line line, JsonElement item, string name)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return [];
        if (value.ValueKind == JsonValueKind.Array) return value.EnumerateArray();
        line.Fail($"has a \"{name}\" that is not a JSON array");
        return [];
    }

    private static string? OptionalString(Line line, JsonElement item, string name, string? where)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return Storable(line, value, name, where);
        line.Fail($"{(where is null ? "has" : where + " has")} a \"{name}\" that is not a string");
        return null;
    }

    private static string? RequiredString(Line line, JsonElement item, string name, string where)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            line.Fail($"{where} has no \"{name}\"");
            return null;
        }
        var text = Storable(line, value, name, where);
        if (text is null) return null; // Storable said why
        if (!string.IsNullOrWhiteSpace(text)) return text;
        line.Fail($"{where} has no \"{name}\"");
        return null;
    }

    /// <summary>
    /// The string, or null after reporting why PostgreSQL could not store it: a NUL character, an unpaired surrogate
    /// escape, or more characters than its column holds. Found here, the problem is reported with its file and line
    /// instead of failing the import's transaction with a server error.
    /// </summary>
    private static string? Storable(Line line, JsonElement value, string name, string? where)
    {
        var prefix = where is null ? "" : where + " ";
        string text;
        try { text = value.GetString()!; }
        catch (InvalidOperationException)
        {
            line.Fail($"{prefix}has a \"{name}\" with an unpaired surrogate escape");
            return null;
        }
        var limit = name switch
        {
            "label" or "type" => Limits.LabelName.Max,
            "note" => Limits.Note.Max,
            _ => (int?)null, // the article's own fields are ArticleFields'; other strings are not stored as such
        };
        if (ArticleFields.FieldProblem(name, text, limit) is { } problem)
        {
            line.Fail(prefix + problem);
            return null;
        }
        return text;
    }

    private static int? Integer(Line line, JsonElement item, string name, string where)
    {
        if (!item.TryGetProperty(name, out var value)) { line.Fail($"{where} has no \"{name}\""); return null; }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)) return number;
        line.Fail($"{where} has a \"{name}\" that is not a whole number");
        return null;
    }

    /// <summary>doccano ids are numbers; strings are accepted too. Both become the same key text.</summary>
    private static string? IdText(JsonElement item, string name) =>
        !item.TryGetProperty(name, out var value) ? null
        : value.ValueKind == JsonValueKind.Number ? value.GetRawText()
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : null;

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
