using Annotate.Web.Infrastructure;

namespace Annotate.Web.Features.Annotations;

/// <summary>Which unit a client's offsets count. The API and exports use code points; a browser may send UTF-16.</summary>
public enum OffsetUnit { Codepoint, Utf16 }

/// <summary>
/// The rules every span obeys, whichever way it arrives (hub, REST, import): offsets inside the text, start
/// before end, never splitting a character, and (when the client says what it highlighted) the same text.
/// </summary>
public static class SpanRules
{
    public const int MaxNoteLength = 10_000;
    public const int MaxAttributesLength = 10_000;
    /// <summary>
    /// The longest "text" a client may send to have a span's text checked (UTF-16 units). Longer spans are defined by
    /// their offsets alone; the cap keeps one change inside <see cref="ChangeBudget"/>.
    /// </summary>
    public const int MaxCheckedTextLength = 10_000;

    /// <summary>Returns code-point offsets and the slice, or throws a 400 problem saying what is wrong.</summary>
    public static (int Start, int End, string Text) Resolve(string documentText, int documentLength, int? start, int? end, OffsetUnit unit, string? expectedText)
    {
        if (expectedText is { Length: > MaxCheckedTextLength })
            throw ProblemException.BadRequest($"\"text\" checks spans of up to {MaxCheckedTextLength:N0} characters; leave it out for a longer span (its offsets define it).");
        if (start is null || end is null) throw ProblemException.BadRequest("A span needs both start and end offsets.");
        if (start < 0 || end < 0) throw ProblemException.BadRequest($"Offsets cannot be negative (start {start}, end {end}).");
        if (start >= end) throw ProblemException.BadRequest($"A span's start must be before its end (start {start}, end {end}); an empty span marks nothing.");
        int from, to;
        if (unit == OffsetUnit.Utf16)
        {
            if (end > documentText.Length)
                throw ProblemException.BadRequest($"end {end} is past the end of the text ({documentText.Length} UTF-16 units).");
            from = CodePoints.FromUtf16Index(documentText, start.Value)
                ?? throw ProblemException.BadRequest($"start {start} falls inside a character (between the two halves of a surrogate pair).");
            to = CodePoints.FromUtf16Index(documentText, end.Value)
                ?? throw ProblemException.BadRequest($"end {end} falls inside a character (between the two halves of a surrogate pair).");
        }
        else
        {
            if (end > documentLength)
                throw ProblemException.BadRequest($"end {end} is past the end of the text ({documentLength} code points).");
            (from, to) = (start.Value, end.Value);
        }
        var text = CodePoints.Slice(documentText, from, to);
        if (expectedText is not null && expectedText != text)
            throw ProblemException.Conflict($"The text at {from}..{to} is \"{Shorten(text)}\", not \"{Shorten(expectedText)}\": the offsets were probably counted in another unit (this API counts code points).");
        return (from, to, text);
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
