using System.Text;
using Annotate.Agreement;
using Annotate.Web.Features.Annotations;
using static Annotate.Web.Features.Agreement.AgreementRounding;

namespace Annotate.Web.Features.Agreement;

/// <summary>A span of one coder, as the agreement measures see it.</summary>
public record CodedSpan(string Annotator, AnnotationLayer Layer, string Label, int Start, int End);

/// <summary>A link of one coder; <c>Key</c> names its type and ends, so two links match when their keys are equal.</summary>
public record CodedLink(string Annotator, string Type, string Key);

/// <summary>One document as the loader reads it: its text, the coders it is compared over, their spans and links.</summary>
public record DocumentInput(long Id, string Title, string Text, int Length, List<string> Coders, List<CodedSpan> Spans, List<CodedLink> Links);

/// <summary>A pair's label-or-not token counts: both marked the label, only A, only B, neither.</summary>
public readonly record struct BinaryTable(long Both, long OnlyA, long OnlyB, long Neither)
{
    public bool Marked => Both + OnlyA + OnlyB > 0;
}

/// <summary>What one pair of coders contributes from one document.</summary>
public record PairResult(string A, string B, SpanAgreementResult Scores, Dictionary<string, MatchTally> Links, ConfusionAccumulator Tokens,
    Dictionary<string, BinaryTable> LabelTokens, IReadOnlyDictionary<string, CategoryAlpha> Unitizing);

/// <summary>Everything one document contributes to the report: its pairs, the sums its token units add, its own figures.</summary>
public record DocumentResult(List<PairResult> Pairs, NominalAccumulator TokenAgreement, int Tokens, int Coders,
    Dictionary<string, NominalAccumulator> LabelUnits, IReadOnlyDictionary<string, CategoryAlpha> Unitizing, DocumentAgreement Summary);

/// <summary>
/// One document's agreement, pure (no I/O), so documents are computed in parallel and tested alone. See
/// <see cref="AgreementComputer"/> for what each measure covers.
/// </summary>
public static class DocumentComputation
{
    /// <summary>The relation types link agreement covers; other relation types a project defines are left out.</summary>
    public const string Contradicts = "CONTRADICTS", Supports = "SUPPORTS";
    public static readonly string[] LinkTypes = [Contradicts, Supports];

    /// <summary>The two values of the per-label token units: the label, or anything else.</summary>
    public const string In = "in", Out = "out";

    public static DocumentResult Compute(DocumentInput document, IReadOnlyDictionary<string, string> names)
    {
        var (length, docLinks) = (document.Length, document.Links);
        var docCoders = document.Coders.Order().ToList();
        var byCoder = docCoders.ToDictionary(c => c, c => document.Spans.Where(s => s.Annotator == c).ToList());

        // Token labels of the entity layer, one row per coder, as codes into the document's labels ("O" is 0).
        var codePoints = document.Text.EnumerateRunes().ToArray();
        var tokens = Tokens(codePoints);
        var tokenLabels = new List<string> { "O" };
        var rows = docCoders.Select(c => TokenLabels(codePoints.Length, tokens, byCoder[c].Where(s => s.Layer == AnnotationLayer.Entity), tokenLabels)).ToList();
        // Token units of this document: alpha and Fleiss' kappa for the document, and the sums the project's figures are made of.
        // Most tokens have the same values (everyone says "O"): each distinct unit is added once with its count, in the
        // order of its first token, which sums as adding them one by one does.
        var tokenAgreement = new NominalAccumulator();
        var distinctUnits = new Dictionary<string, (int Token, long Count)>();
        var key = new char[rows.Count];
        for (var t = 0; t < tokens.Count; t++)
        {
            for (var c = 0; c < rows.Count; c++) key[c] = (char)rows[c][t];
            var unitKey = new string(key);
            distinctUnits[unitKey] = distinctUnits.TryGetValue(unitKey, out var seen) ? (seen.Token, seen.Count + 1) : (t, 1);
        }
        foreach (var (token, count) in distinctUnits.Values)
            tokenAgreement.AddUnit(rows.Select(row => (string?)tokenLabels[row[token]]), count);

        // Per label, whether each coder marked each token (either layer).
        var marks = byCoder.Values.SelectMany(s => s).Select(s => s.Label).Distinct().Order(StringComparer.Ordinal).ToDictionary(
            label => label, label => docCoders.Select(c => Marks(codePoints.Length, tokens, byCoder[c].Where(s => s.Label == label))).ToArray());
        var labelUnits = new Dictionary<string, NominalAccumulator>();
        foreach (var (label, marked) in marks)
        {
            // A binary unit is known by how many coders marked it: one weighted unit per count, not one per token.
            var byCount = new long[docCoders.Count + 1];
            for (var t = 0; t < tokens.Count; t++)
            {
                var count = 0;
                foreach (var row in marked) if (row[t]) count++;
                byCount[count]++;
            }
            var units = labelUnits[label] = new NominalAccumulator();
            for (var count = 0; count <= docCoders.Count; count++)
                units.AddUnit(Enumerable.Repeat<string?>(In, count).Concat(Enumerable.Repeat<string?>(Out, docCoders.Count - count)), byCount[count]);
        }

        // Each coder's spans per label, overlaps merged, checked and cut into sections once for unitizing alpha: of all
        // coders together and of every pair.
        var unitized = docCoders.Count >= 2 && length >= 1 ? PrepareUnitizing(length, docCoders, byCoder) : null;
        var labelled = docCoders.Select(c => ToLabelled(byCoder[c])).ToList();

        // Span, token, unitizing and link agreement for every pair of this document's coders.
        var pairs = new List<PairResult>();
        var pairF1Exact = new List<double>();
        var pairF1Overlap = new List<double>();
        var pairKappas = new List<double>();
        for (var i = 0; i < docCoders.Count; i++)
        for (var j = i + 1; j < docCoders.Count; j++)
        {
            var (a, b) = (docCoders[i], docCoders[j]);
            var scores = SpanAgreement.Compare(labelled[i], labelled[j]);
            if (byCoder[a].Count + byCoder[b].Count > 0)
            {
                pairF1Exact.Add(scores.Exact.WithLabel.F1);
                pairF1Overlap.Add(scores.Overlap.WithLabel.F1);
            }
            var confusion = Confusion(rows[i], rows[j], tokenLabels);
            pairKappas.Add(confusion.CohenKappa());
            var labelTables = marks.ToDictionary(m => m.Key, m => Table(m.Value[i], m.Value[j]));
            var links = LinkTypes.ToDictionary(type => type, type => MatchLinks(docLinks, a, b, type));
            pairs.Add(new PairResult(a, b, scores, links, confusion, labelTables, Unitizing(unitized, [i, j])));
        }
        double? documentAlpha = docCoders.Count >= 2 && tokens.Count > 0 ? Finite(tokenAgreement.KrippendorffAlpha()) : null;
        double? documentFleiss = docCoders.Count >= 2 && tokens.Count > 0 && tokenAgreement.FleissKappa() is { } fleiss ? Finite(fleiss) : null;

        // Unitizing alpha per label over the document's characters, all coders together.
        var unitizing = Unitizing(unitized, Enumerable.Range(0, docCoders.Count).ToArray());
        var summary = new DocumentAgreement(document.Id, document.Title, docCoders.Select(c => names.GetValueOrDefault(c, c)).ToList(),
            Mean(pairF1Exact), Mean(pairF1Overlap), documentAlpha, documentFleiss, Mean(pairKappas),
            unitizing.ToDictionary(u => u.Key, u => Finite(u.Value.Alpha)));
        return new DocumentResult(pairs, tokenAgreement, tokens.Count, docCoders.Count, labelUnits, unitizing, summary);
    }

    /// <summary>Tokens as code-point ranges: runs of letters and digits, or one other non-space character.</summary>
    public static List<(int Start, int End)> Tokens(Rune[] text)
    {
        var tokens = new List<(int, int)>();
        for (var i = 0; i < text.Length;)
        {
            if (Rune.IsWhiteSpace(text[i])) { i++; continue; }
            var start = i;
            if (Rune.IsLetterOrDigit(text[i])) while (i < text.Length && Rune.IsLetterOrDigit(text[i])) i++;
            else i++;
            tokens.Add((start, i));
        }
        return tokens;
    }

    /// <summary>The coders' spans (coder i is rater i), overlaps of one coder and label merged, as unitizing alpha takes them.</summary>
    private static UnitizingAlpha.PreparedUnits? PrepareUnitizing(int length, List<string> coders, Dictionary<string, List<CodedSpan>> byCoder)
    {
        var units = new List<UnitizedSegment>();
        for (var r = 0; r < coders.Count; r++)
            foreach (var group in byCoder[coders[r]].GroupBy(s => s.Label))
                foreach (var (start, end) in Merge(group.Select(s => (s.Start, s.End)))) units.Add(new UnitizedSegment(r, start, end - start, group.Key));
        return units.Count == 0 ? null : UnitizingAlpha.Prepare(0, length, coders.Count, units);
    }

    /// <summary>Unitizing alpha per label of these raters over the document's characters; labels none of them marked are absent.</summary>
    private static IReadOnlyDictionary<string, CategoryAlpha> Unitizing(UnitizingAlpha.PreparedUnits? units, int[] raters) =>
        units is null || raters.Length < 2 ? new Dictionary<string, CategoryAlpha>() : units.Compute(raters).Categories;

    /// <summary>Links of <paramref name="type"/> that A and B both made (each link matched once), and how many each made.</summary>
    private static MatchTally MatchLinks(List<CodedLink> links, string a, string b, string type)
    {
        var ofA = links.Where(l => l.Annotator == a && l.Type == type).ToList();
        var remaining = links.Where(l => l.Annotator == b && l.Type == type).GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.Count());
        var counts = new MatchTally { InA = ofA.Count, InB = remaining.Values.Sum() };
        foreach (var link in ofA)
            if (remaining.TryGetValue(link.Key, out var n) && n > 0) { remaining[link.Key] = n - 1; counts.Matched++; }
        return counts;
    }

    private static BinaryTable Table(bool[] a, bool[] b)
    {
        long both = 0, onlyA = 0, onlyB = 0, neither = 0;
        for (var t = 0; t < a.Length; t++)
        {
            if (a[t] && b[t]) both++;
            else if (a[t]) onlyA++;
            else if (b[t]) onlyB++;
            else neither++;
        }
        return new BinaryTable(both, onlyA, onlyB, neither);
    }

    private static LabelledSpan[] ToLabelled(List<CodedSpan> spans) => spans.Select(s => new LabelledSpan(s.Start, s.End, s.Label)).ToArray();

    /// <summary>
    /// Each token's label: the outermost entity span covering its first character, or "O"; as its index in
    /// <paramref name="labels"/>, which gets the labels not seen before.
    /// </summary>
    private static int[] TokenLabels(int length, List<(int Start, int End)> tokens, IEnumerable<CodedSpan> spans, List<string> labels)
    {
        var painted = new int[length];
        // Shorter spans first, longer ones over them: the outermost wins.
        foreach (var span in spans.OrderBy(s => s.End - s.Start))
        {
            var code = labels.IndexOf(span.Label);
            if (code < 0) { code = labels.Count; labels.Add(span.Label); }
            for (var i = Math.Max(0, span.Start); i < Math.Min(length, span.End); i++) painted[i] = code;
        }
        return tokens.Select(t => painted[t.Start]).ToArray();
    }

    /// <summary>Two coders' token labels as a confusion table: each pair of labels added once with its count, in the
    /// order of its first token (as adding token by token does).</summary>
    private static ConfusionAccumulator Confusion(int[] a, int[] b, List<string> labels)
    {
        // Counted in a table of label codes (a document has few labels), each pair remembered at its first token.
        var size = labels.Count;
        var counts = new long[size * size];
        var order = new List<int>();
        for (var t = 0; t < a.Length; t++)
            if (counts[a[t] * size + b[t]]++ == 0) order.Add(a[t] * size + b[t]);
        var confusion = new ConfusionAccumulator();
        foreach (var cell in order) confusion.Add(labels[cell / size], labels[cell % size], counts[cell]);
        return confusion;
    }

    private static IEnumerable<(int Start, int End)> Merge(IEnumerable<(int Start, int End)> spans)
    {
        (int Start, int End)? current = null;
        foreach (var span in spans.OrderBy(s => s.Start))
        {
            if (current is { } c && span.Start <= c.End) current = (c.Start, Math.Max(c.End, span.End));
            else
            {
                if (current is { } done) yield return done;
                current = span;
            }
        }
        if (current is { } last) yield return last;
    }

    /// <summary>Each token: whether one of these spans covers its first character.</summary>
    private static bool[] Marks(int length, List<(int Start, int End)> tokens, IEnumerable<CodedSpan> spans)
    {
        var covered = new bool[length];
        foreach (var span in spans)
            for (var i = Math.Max(0, span.Start); i < Math.Min(length, span.End); i++) covered[i] = true;
        return tokens.Select(t => covered[t.Start]).ToArray();
    }
}
