using System.Globalization;
using System.Text;
using Annotate.Web.Features.Annotations;

namespace Annotate.Web.Features.Exports;

/// <summary>
/// CoNLL-style NER data, IOB2 tags: <c>-DOCSTART- -X- O O</c> and a blank line before each article, then one
/// <c>TOKEN\tTAG</c> line per token (<c>B-LABEL</c>, <c>I-LABEL</c> or <c>O</c>) and a blank line after each sentence.
/// <list type="bullet">
/// <item>Entities only: claims are sentence-length statements, not named entities, and would swallow the entities
/// inside them, so the claim layer is left out.</item>
/// <item>One annotator's entities (or the curated layer): a token has one tag, so the export job refuses several
/// annotators' spans in this format rather than merge them into one annotation nobody made.</item>
/// <item>Overlapping entities cannot all be tagged: going by start, the outermost (longest) entity wins and any
/// entity overlapping an already chosen one is dropped; of identical ones the first given wins. The README states
/// this rule; nothing in the file marks a dropped entity, but the export's notes count them.</item>
/// <item>Tokens: a run of letters and digits is one token, every other visible character (punctuation, symbol,
/// emoji, a flag's pair of regional indicators) is a token of its own, whitespace separates; combining marks and
/// format characters (accents, variation selectors, joiners) stay with the character before them. A token also ends at every entity's start and end, so
/// that an entity is always whole tokens (its tokens concatenated give its text without whitespace).</item>
/// <item>Sentences end after ".", "!" or "?" (and any closing quotes or brackets right after it) followed by
/// whitespace, and at blank lines; never inside an entity. Abbreviations like "Mr." end a sentence too: the rule
/// is deliberately simple.</item>
/// </list>
/// Labels are written with whitespace replaced by "_" so that a tag stays one column. No offsets are written.
/// </summary>
internal sealed class ConllWriter(Stream output, ExportSettings settings) : ExportWriter(output, settings)
{
    public const string Name = "conll";

    public override string FileExtension => ".conll";

    private int overlapping, claims;

    public override string? Notes =>
        overlapping == 0 && claims == 0 ? null
        : string.Join(" ", new[]
        {
            overlapping > 0 ? $"{overlapping:N0} entity span(s) overlapping a longer or earlier one are not in the file: CoNLL tags one entity per token." : null,
            claims > 0 ? $"{claims:N0} claim span(s) are not in the file: CoNLL holds entities only." : null,
        }.Where(n => n is not null));

    private protected override async Task WriteDocumentAsync(ExportDocument document, CancellationToken cancellationToken)
    {
        var text = document.Text;
        var conll = new StringBuilder("-DOCSTART- -X- O O\n\n");
        claims += document.Spans.Count(s => !string.Equals(s.Layer, "entity", StringComparison.OrdinalIgnoreCase));
        foreach (var sentence in ConllTokens.Sentences(text, ChooseEntities(document)))
        {
            foreach (var token in sentence)
                conll.Append(text, token.Start, token.End - token.Start).Append('\t').Append(token.Tag).Append('\n');
            conll.Append('\n');
        }
        await Output.WriteAsync(Utf8.GetBytes(conll.ToString()), cancellationToken);
    }

    /// <summary>Non-overlapping entities in UTF-16 indices, by start: outermost longest first wins.</summary>
    private List<(int Start, int End, string Label)> ChooseEntities(ExportDocument document)
    {
        var utf16 = new OffsetMap(document.Text, OffsetUnit.Utf16);
        var chosen = new List<(int Start, int End, string Label)>();
        var chosenEnd = 0;
        foreach (var span in document.Spans
                     .Where(s => string.Equals(s.Layer, "entity", StringComparison.OrdinalIgnoreCase))
                     .OrderBy(s => s.Start).ThenByDescending(s => s.End))
        {
            if (span.Start < chosenEnd) { overlapping++; continue; }
            chosen.Add((utf16[span.Start], utf16[span.End], BratWriter.TypeName(span.Label)));
            chosenEnd = span.End;
        }
        return chosen;
    }
}

/// <summary>The tokeniser and sentence splitter of <see cref="ConllWriter"/> (rules in its comment).</summary>
internal static class ConllTokens
{
    public readonly record struct Token(int Start, int End, string Tag);

    public static List<List<Token>> Sentences(string text, List<(int Start, int End, string Label)> entities)
    {
        var tokens = Tokenise(text, entities);

        // Tag: tokens never cross an entity's edge, so a token is wholly inside one entity or outside all.
        var entityOf = new int[tokens.Count];
        var tags = new string[tokens.Count];
        var next = 0;
        var previous = -1;
        for (var k = 0; k < tokens.Count; k++)
        {
            while (next < entities.Count && entities[next].End <= tokens[k].Start) next++;
            var inside = next < entities.Count && entities[next].Start <= tokens[k].Start;
            entityOf[k] = inside ? next : -1;
            tags[k] = !inside ? "O" : (next == previous ? "I-" : "B-") + entities[next].Label;
            if (inside) previous = next;
        }

        var sentences = new List<List<Token>>();
        var sentence = new List<Token>();
        for (var k = 0; k < tokens.Count; k++)
        {
            sentence.Add(new Token(tokens[k].Start, tokens[k].End, tags[k]));
            if (k + 1 < tokens.Count && !(entityOf[k] >= 0 && entityOf[k] == entityOf[k + 1]))
            {
                var gap = text.AsSpan(tokens[k].End, tokens[k + 1].Start - tokens[k].End);
                if (IsBlankLine(gap) || (gap.Length > 0 && EndsSentence(text, tokens, k)))
                {
                    sentences.Add(sentence);
                    sentence = [];
                }
            }
        }
        if (sentence.Count > 0) sentences.Add(sentence);
        return sentences;
    }

    private enum Kind { None, Word, Other, Flag }

    private static List<(int Start, int End)> Tokenise(string text, List<(int Start, int End, string Label)> entities)
    {
        var edges = new bool[text.Length + 1];
        foreach (var (start, end, _) in entities) edges[start] = edges[end] = true;

        var tokens = new List<(int Start, int End)>();
        var tokenStart = -1;
        var kind = Kind.None;
        void Close(int at)
        {
            if (tokenStart >= 0) tokens.Add((tokenStart, at));
            tokenStart = -1;
            kind = Kind.None;
        }
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used) != System.Buffers.OperationStatus.Done) rune = Rune.ReplacementChar;
            if (edges[i]) Close(i);
            if (Rune.IsWhiteSpace(rune)) Close(i);
            else if (IsJoiner(rune) && tokenStart >= 0) { }
            else if (IsRegionalIndicator(rune) && kind == Kind.Other && i - tokenStart == 2 && IsRegionalIndicator(Rune.GetRuneAt(text, tokenStart)))
                kind = Kind.Flag; // the second letter of a flag; a third starts the next flag
            else if (Rune.IsLetterOrDigit(rune) && kind == Kind.Word) { }
            else
            {
                Close(i);
                tokenStart = i;
                kind = Rune.IsLetterOrDigit(rune) ? Kind.Word : Kind.Other;
            }
            i += used;
        }
        Close(text.Length);
        return tokens;
    }

    /// <summary>Flags are pairs of regional indicator letters (🇸🇾 is S and Y).</summary>
    private static bool IsRegionalIndicator(Rune rune) => rune.Value is >= 0x1F1E6 and <= 0x1F1FF;

    private static bool IsJoiner(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark
        or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format;

    /// <summary>Two line breaks in the whitespace between two tokens (CRLF counts once).</summary>
    private static bool IsBlankLine(ReadOnlySpan<char> gap)
    {
        var breaks = 0;
        for (var i = 0; i < gap.Length; i++)
        {
            if (gap[i] == '\n' || gap[i] == '\u2028' || (gap[i] == '\r' && (i + 1 == gap.Length || gap[i + 1] != '\n'))) breaks++;
            else if (gap[i] == '\u2029') breaks += 2;
        }
        return breaks >= 2;
    }

    /// <summary>Token k is ".", "!" or "?", or a closing quote or bracket glued to one.</summary>
    private static bool EndsSentence(string text, List<(int Start, int End)> tokens, int k)
    {
        static bool Is(string text, (int Start, int End) token, string characters) =>
            token.End - token.Start == 1 && characters.Contains(text[token.Start]);
        while (k > 0 && Is(text, tokens[k], "\"')]}\u201D\u2019\u00BB") && tokens[k - 1].End == tokens[k].Start) k--;
        return Is(text, tokens[k], ".!?");
    }
}
