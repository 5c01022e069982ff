using System.Text;

namespace Annotate.Web.Features.Imports;

/// <summary>
/// Which reader takes a file, by its extension: <see cref="PlainTextReader"/> (.txt, one article a file),
/// <see cref="JsonLinesReader"/> (.jsonl: ours and doccano's lines, text only), <see cref="LabelStudioReader"/> (.json
/// tasks); with annotations kept, .jsonl goes to <see cref="AnnotatedJsonlReader"/>. Every reader takes an article's
/// fields through <see cref="ArticleFields"/>, so the rules for a title, a source or a date are the same in each.
/// Pure: bytes in, articles or errors out; storing is the importer's job. A new format is a reader here and a case below.
/// </summary>
public static class ImportFormats
{
    public const string SupportedTypes = ".txt, .jsonl (or .ndjson) and .json (Label Studio tasks)";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool IsJsonLines(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() is ".jsonl" or ".ndjson";

    public static void Parse(string fileName, ReadOnlyMemory<byte> content, List<ParsedArticle> articles, List<ImportError> errors)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (extension is not (".txt" or ".jsonl" or ".ndjson" or ".json"))
        {
            errors.Add(new(fileName, null, $"unknown file type '{extension}': use {SupportedTypes}"));
            return;
        }
        if (IsJsonLines(fileName))
        {
            JsonLinesReader.Parse(fileName, content, articles, errors);
            return;
        }
        if (!TryDecode(fileName, content.Span, errors, out var text)) return;
        if (extension == ".txt") PlainTextReader.Parse(fileName, text, articles, errors);
        else LabelStudioReader.Parse(fileName, text, articles, errors);
    }

    /// <summary>Strict UTF-8; a leading byte-order mark is an encoding marker and is dropped, nothing else changes.</summary>
    public static bool TryDecode(string fileName, ReadOnlySpan<byte> content, List<ImportError> errors, out string text)
    {
        var start = content.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        try
        {
            text = StrictUtf8.GetString(content[start..]);
            return true;
        }
        catch (DecoderFallbackException error)
        {
            var offset = start + Math.Max(0, error.Index);
            var line = 1 + content[..Math.Min(offset, content.Length)].Count((byte)'\n');
            errors.Add(new(fileName, line, $"is not valid UTF-8 (byte offset {offset}); save the file as UTF-8 and import it again"));
            text = "";
            return false;
        }
    }

    /// <summary>A JSON parser's message up to its first sentence, for an error that names the line itself.</summary>
    public static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }
}
