namespace Annotate.Web.Features.Annotations;

/// <summary>Which unit a client's offsets count. The API and exports use code points; a browser may send UTF-16.</summary>
public enum OffsetUnit { Codepoint, Utf16 }

/// <summary>
/// The rules every span obeys, whichever way it arrives (hub, REST, import): offsets inside the text, start
/// before end, never splitting a character, and (when the client says what it highlighted) the same text.
/// </summary>
public static class SpanRules
{
    /// <summary>A note as stored: null when blank; refused when too long or holding a character text may not hold.</summary>
    public static string? Note(string? note)
    {
        if (string.IsNullOrWhiteSpace(note)) return null;
        Limits.Note.Require(note);
        if (CodePoints.FindInvalidCharacter(note) is { } invalid) throw ProblemException.BadRequest($"The note contains {invalid}.");
        return note;
    }
    public const int MaxAttributesLength = 10_000;
    /// <summary>
    /// The longest "text" a client may send to have a span's text checked (UTF-16 units). Longer spans are defined by
    /// their offsets alone; the cap keeps one change inside <see cref="ChangeBudget"/>.
    /// </summary>
    public const int MaxCheckedTextLength = 10_000;

    /// <summary>Returns code-point offsets and the slice, or throws a 400 problem saying what is wrong.</summary>
    public static (int Start, int End, string Text) Resolve(string documentText, int documentLength, int? start, int? end, OffsetUnit unit, string? expectedText)
    {
        int from, to;
        if (unit == OffsetUnit.Utf16)
        {
            (from, to) = Ordered(start, end, expectedText);
            if (to > documentText.Length)
                throw ProblemException.BadRequest($"end {to} is past the end of the text ({documentText.Length} UTF-16 units).");
            from = CodePoints.FromUtf16Index(documentText, from)
                ?? throw ProblemException.BadRequest($"start {start} falls inside a character (between the two halves of a surrogate pair).");
            to = CodePoints.FromUtf16Index(documentText, to)
                ?? throw ProblemException.BadRequest($"end {end} falls inside a character (between the two halves of a surrogate pair).");
        }
        else (from, to) = Ordered(start, end, expectedText);
        return Checked(documentLength, from, to, CodePoints.Slice(documentText, from, Math.Min(to, documentLength)), expectedText);
    }

    /// <summary>
    /// The offsets of a span in code points, checked for what needs no text (present, not negative, start before end):
    /// the first half of <see cref="Resolve"/>, so a writer refuses what needs no text before it looks at the text.
    /// </summary>
    public static (int Start, int End) Ordered(int? start, int? end, string? expectedText)
    {
        if (expectedText is { Length: > MaxCheckedTextLength })
            throw ProblemException.BadRequest($"\"text\" checks spans of up to {MaxCheckedTextLength:N0} characters; leave it out for a longer span (its offsets define it).");
        if (start is null || end is null) throw ProblemException.BadRequest("A span needs both start and end offsets.");
        if (start < 0 || end < 0) throw ProblemException.BadRequest($"Offsets cannot be negative (start {start}, end {end}).");
        if (start >= end) throw ProblemException.BadRequest($"A span's start must be before its end (start {start}, end {end}); an empty span marks nothing.");
        return (start.Value, end.Value);
    }

    /// <summary>The second half: the span ends inside the text, and covers what the client says it highlighted.</summary>
    public static (int Start, int End, string Text) Checked(int documentLength, int start, int end, string slice, string? expectedText)
    {
        if (end > documentLength)
            throw ProblemException.BadRequest($"end {end} is past the end of the text ({documentLength} code points).");
        if (expectedText is not null && expectedText != slice)
            throw ProblemException.Conflict($"The text at {start}..{end} is \"{Shorten(slice)}\", not \"{Shorten(expectedText)}\": the offsets were probably counted in another unit (this API counts code points).");
        return (start, end, slice);
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
