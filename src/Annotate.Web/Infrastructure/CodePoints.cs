using System.Text;

namespace Annotate.Web.Infrastructure;

/// <summary>
/// Offsets outside the browser count Unicode code points (Python's text[start:end], PostgreSQL's substring).
/// .NET strings are UTF-16, so the server converts here, and only here, when it slices a string.
/// </summary>
public static class CodePoints
{
    /// <summary>Number of code points; a lone surrogate (which valid text never has) counts as one.</summary>
    public static int Count(string text) => HasSurrogates(text) ? CountBefore(text, text.Length) : text.Length;

    /// <summary>Whether any UTF-16 unit is half of a pair (vectorised, so text without any is counted and checked at once).</summary>
    private static bool HasSurrogates(string text) => text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    /// <summary>Code points that start before UTF-16 index <paramref name="end"/> (a pair straddling it counts).</summary>
    private static int CountBefore(string text, int end)
    {
        var count = 0;
        for (var i = 0; i < end; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            count++;
        }
        return count;
    }

    /// <summary>The UTF-16 index where code point <paramref name="codePointIndex"/> starts (text.Length for the end).</summary>
    public static int ToUtf16Index(string text, int codePointIndex) => Advance(text, 0, codePointIndex);

    /// <summary>Moves <paramref name="codePoints"/> code points forward from UTF-16 index <paramref name="utf16"/>.</summary>
    private static int Advance(string text, int utf16, int codePoints)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(codePoints);
        for (var seen = 0; seen < codePoints; seen++)
        {
            if (utf16 >= text.Length) throw new ArgumentOutOfRangeException(nameof(codePoints), "past the end of the text");
            utf16 += char.IsHighSurrogate(text[utf16]) && utf16 + 1 < text.Length && char.IsLowSurrogate(text[utf16 + 1]) ? 2 : 1;
        }
        return utf16;
    }

    /// <summary>
    /// The code-point index of UTF-16 index <paramref name="utf16Index"/>; null when it falls between the two
    /// halves of a surrogate pair (the position would split a character).
    /// </summary>
    public static int? FromUtf16Index(string text, int utf16Index)
    {
        if (utf16Index < 0 || utf16Index > text.Length) return null;
        if (utf16Index > 0 && utf16Index < text.Length && char.IsLowSurrogate(text[utf16Index]) && char.IsHighSurrogate(text[utf16Index - 1]))
            return null;
        return CountBefore(text, utf16Index);
    }

    /// <summary>text[start:end] in code points.</summary>
    public static string Slice(string text, int start, int end)
    {
        var from = Advance(text, 0, start);
        return text[from..Advance(text, from, end - start)];
    }

    /// <summary>
    /// Number of code points of UTF-8 text (valid UTF-8, as an import checks its files first). Counted without decoding:
    /// ASCII is one a byte; otherwise UTF-16 units, less one for each four-byte sequence (a surrogate pair).
    /// </summary>
    public static int Count(ReadOnlySpan<byte> utf8)
    {
        if (Ascii.IsValid(utf8)) return utf8.Length;
        var count = Encoding.UTF8.GetCharCount(utf8);
        if (utf8.IndexOfAnyInRange((byte)0xF0, (byte)0xFF) < 0) return count;
        foreach (var b in utf8)
            if (b >= 0xF0) count--;
        return count;
    }

    /// <summary>
    /// <see cref="FindInvalidCharacter(string)"/> for UTF-8: a NUL (an escaped \u0000 of a JSON file), or bytes that
    /// are not UTF-8 (which an unpaired surrogate would be).
    /// </summary>
    public static string? FindInvalidCharacter(ReadOnlySpan<byte> utf8)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8)) return "an unpaired surrogate";
        var nul = utf8.IndexOf((byte)0);
        return nul < 0 ? null : $"a NUL character at code point {Count(utf8[..nul])}, which PostgreSQL text cannot store";
    }

    /// <summary>Whether UTF-8 text is empty or only white space, as <see cref="string.IsNullOrWhiteSpace"/> reads it (Unicode spaces too).</summary>
    public static bool IsBlank(ReadOnlySpan<byte> utf8)
    {
        while (!utf8.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(utf8, out var rune, out var used) != System.Buffers.OperationStatus.Done || !Rune.IsWhiteSpace(rune)) return false;
            utf8 = utf8[used..];
        }
        return true;
    }

    /// <summary>First problem that makes the text unstorable or unsliceable, or null when it is fine.</summary>
    public static string? FindInvalidCharacter(string text)
    {
        if (!HasSurrogates(text))
            return text.Contains('\0') ? $"a NUL character at code point {text.IndexOf('\0')}, which PostgreSQL text cannot store" : null;
        for (var i = 0; i < text.Length;)
        {
            var status = Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used);
            if (status != System.Buffers.OperationStatus.Done)
                return $"an unpaired surrogate at UTF-16 index {i}";
            if (rune.Value == 0) return $"a NUL character at code point {Count(text[..i])}, which PostgreSQL text cannot store";
            i += used;
        }
        return null;
    }
}
