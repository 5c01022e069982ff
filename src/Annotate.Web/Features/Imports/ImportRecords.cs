using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Annotate.Web.Features.Imports;

// What the readers hand the importer, and what the importer answers: files in, articles (with their spans) or errors out.

public class ImportOptions
{
    /// <summary>Largest file one import accepts (Import__MaxFileMegabytes).</summary>
    public double MaxFileMegabytes { get; set; } = 50;
    public long MaxFileBytes => (long)(MaxFileMegabytes * 1024 * 1024);
}

/// <summary>One article read from a file, not yet stored. <see cref="Line"/> is 1-based (null for a whole file).</summary>
/// <remarks>
/// The text is held as UTF-8, which is what a file brings, what is hashed and what the COPY sends: a JSON line's text
/// is a slice of the file's own bytes (<see cref="ArticleFields"/>), so an import of 47 MB holds no second, UTF-16
/// copy of every article (twice the size) for the garbage collector to carry. <see cref="Text"/> decodes it on demand.
/// </remarks>
public sealed record ParsedArticle
{
    public ParsedArticle(string file, int? line, string title, string? source, DateTimeOffset? published, ReadOnlyMemory<byte> utf8Text, string meta)
    {
        (File, Line, Title, Source, Published, Utf8Text, Meta) = (file, line, title, source, published, utf8Text, meta);
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(utf8Text.Span));
        Length = CodePoints.Count(utf8Text.Span);
    }

    public ParsedArticle(string file, int? line, string title, string? source, DateTimeOffset? published, string text, string meta)
        : this(file, line, title, source, published, Encoding.UTF8.GetBytes(text), meta) => this.text = text;

    private string? text;

    public string File { get; }
    public int? Line { get; }
    public string Title { get; }
    public string? Source { get; }
    public DateTimeOffset? Published { get; }
    public ReadOnlyMemory<byte> Utf8Text { get; }
    public string Text => text ??= Encoding.UTF8.GetString(Utf8Text.Span);
    public string Meta { get; }
    public string Sha256 { get; }
    public int Length { get; }
}

/// <summary>What is wrong, where: the file and (when it has them) the line or task number.</summary>
public record ImportError(string File, int? Line, string Message)
{
    /// <summary>"file (line N)", or the file alone when the problem is the whole file.</summary>
    public static string Where(string file, int? line) => line is { } l ? $"{file} (line {l})" : file;

    /// <summary>The problem as a person reads it: where, then what.</summary>
    public string Describe() => $"{Where(File, Line)} {Message}";
}

/// <summary>A file as it arrives from a form or the API.</summary>
public record UploadedFile(string Name, long Length, Func<Stream> Open)
{
    /// <summary>The file's bytes when they were read into memory as they arrived (<see cref="ImportUploadReader"/>), else null: read them through <see cref="Open"/>.</summary>
    public ReadOnlyMemory<byte>? Content { get; init; }
}

public record ImportedDocument(long Id, string Title, string File, int? Line);

/// <summary>An article whose text is already stored, so it was not stored again.</summary>
/// <param name="SpansNotImported">Spans the file carried for it, left out with it (annotated imports only).</param>
/// <param name="RelationsNotImported">Its relations, and relations of other articles into it, left out with it.</param>
public record DuplicateDocument(string Title, string File, int? Line, long ExistingDocumentId, int SpansNotImported = 0, int RelationsNotImported = 0);

/// <param name="Warnings">What the import stored differently from what the files held, one sentence each (e.g.
/// annotations of an article that was already in the project); empty when everything was taken in.</param>
public record ImportResult(IReadOnlyList<ImportedDocument> Created, IReadOnlyList<DuplicateDocument> Duplicates, int Spans, int Relations,
    IReadOnlyList<string> Warnings);

/// <summary>One annotated article read from a file, not yet stored. <see cref="Line"/> is 1-based.</summary>
/// <param name="FileId">The article's "id" in the file (annotate-jsonl, doccano), if it has a whole number there: what
/// a relation's <see cref="ParsedRelation.ToDocument"/> refers to.</param>
/// <param name="Meta">the article's other fields, as a plain import keeps them (JSON object)</param>
public record ParsedAnnotatedArticle(string File, int Line, string? Title, string? Source, DateTimeOffset? Published, string Text,
    IReadOnlyList<ParsedSpan> Spans, IReadOnlyList<ParsedRelation> Relations, long? FileId, string Meta = "{}");

/// <summary>A span, checked against its article's text. Offsets are code points, whatever unit the file used.</summary>
/// <param name="Key">What relations in the file call it: the span's "id" (doccano's entity id), or "#N" for the
/// Nth span when it has none (doccano's "label" lists).</param>
/// <param name="Text">The text the file carried for it (equal to the slice, or the article is refused), null if none.</param>
public record ParsedSpan(string Key, int Start, int End, string Label, string? Layer, string? Text, string? Annotator,
    JsonElement? Attributes, string? Note);

/// <param name="ToDocument">The <see cref="ParsedAnnotatedArticle.FileId"/> of the article holding the "to" span,
/// when that is another article; null when both ends are in this article.</param>
public record ParsedRelation(string FromKey, string ToKey, string Type, string? Note, string? Annotator, long? ToDocument);
