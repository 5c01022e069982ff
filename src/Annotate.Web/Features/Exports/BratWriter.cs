using System.IO.Compression;
using System.Text;
using Annotate.Web.Features.Annotations;

namespace Annotate.Web.Features.Exports;

/// <summary>
/// brat standoff (brat.nlplab.org/standoff.html), zipped: per article <c>ID.txt</c> (the text, byte for byte as
/// UTF-8) and <c>ID.ann</c>, then <c>annotation.conf</c> declaring the types used. The zip is written in streaming
/// mode: each entry is compressed straight to the output as it is written.
/// <list type="bullet">
/// <item><c>T1\tLABEL START END\tTEXT</c> for every span, both layers. brat's offsets are character offsets into the
/// UTF-8-decoded text, which brat (Python) indexes by code point: the export's default unit. A "utf16" export
/// converts these offsets too, which suits JavaScript consumers but not brat itself when a text has characters
/// outside the BMP.</item>
/// <item>A .ann line cannot hold a line break, so a span whose text contains one is written as brat itself writes
/// such a selection: one fragment per line of the span, each trimmed of surrounding whitespace, empty ones dropped,
/// as <c>START END;START END</c>, with the fragments' texts joined by a space in the TEXT column. Python's line
/// breaks count (\n, \r, \v, \f, \x1c-\x1e, \x85, \u2028, \u2029), as brat reads the file line by line with them.</item>
/// <item><c>R1\tTYPE Arg1:T1 Arg2:T2</c> for relations with both ends in the article (brat cannot point into
/// another document).</item>
/// <item><c>#1\tAnnotatorNotes T1\tNOTE</c> for span and relation notes, line breaks replaced by spaces.</item>
/// </list>
/// Labels and relation types are written with whitespace replaced by "_", as brat types cannot contain spaces.
/// </summary>
internal sealed class BratWriter(Stream output, ExportSettings settings) : ExportWriter(output, settings)
{
    public const string Name = "brat";

    private ZipArchive? zip;
    // Only type names are remembered across documents, for annotation.conf: a handful of strings, not the documents.
    private readonly SortedSet<string> entityTypes = new(StringComparer.Ordinal);
    private readonly SortedSet<string> relationTypes = new(StringComparer.Ordinal);

    public override string FileExtension => ".zip";

    private protected override async Task WriteStartAsync(CancellationToken cancellationToken) =>
        zip = await ZipArchive.CreateAsync(Output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken);

    private protected override async Task WriteDocumentAsync(ExportDocument document, CancellationToken cancellationToken)
    {
        await WriteEntryAsync($"{document.Id}.txt", document.Text, cancellationToken);
        await WriteEntryAsync($"{document.Id}.ann", Standoff(document), cancellationToken);
    }

    private protected override async Task WriteEndAsync(CancellationToken cancellationToken)
    {
        var conf = new StringBuilder("# The entity and relation types of this export (brat annotation.conf).\n[entities]\n");
        foreach (var type in entityTypes) conf.Append(type).Append('\n');
        conf.Append("\n[relations]\n");
        foreach (var type in relationTypes) conf.Append(type).Append("\tArg1:<ENTITY>, Arg2:<ENTITY>\n");
        // Spans of several annotators and layers overlap; without this line brat refuses overlapping spans.
        conf.Append("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n\n[events]\n\n[attributes]\n");
        await WriteEntryAsync("annotation.conf", conf.ToString(), cancellationToken);
        await zip!.DisposeAsync(); // writes the central directory; leaveOpen keeps the output open
    }

    private async Task WriteEntryAsync(string name, string content, CancellationToken cancellationToken)
    {
        var entry = zip!.CreateEntry(name, CompressionLevel.Optimal);
        if (Settings.CreatedAt.Year is >= 1980 and <= 2107) entry.LastWriteTime = Settings.CreatedAt; // the zip date range
        await using var stream = await entry.OpenAsync(cancellationToken);
        await stream.WriteAsync(Utf8.GetBytes(content), cancellationToken);
    }

    private string Standoff(ExportDocument document)
    {
        var text = document.Text;
        var offsets = OffsetsFor(text);
        var utf16 = new OffsetMap(text, OffsetUnit.Utf16);
        var ann = new StringBuilder();
        var ids = new Dictionary<Guid, string>();
        var notes = new List<(string Target, string Note)>();
        var spanNumber = 0;
        foreach (var span in SpansInOrder(document))
        {
            var id = $"T{++spanNumber}";
            ids.TryAdd(span.Id, id);
            var type = TypeName(span.Label);
            entityTypes.Add(type);
            var (fragments, fragmentText) = Fragments(text, span, utf16[span.Start], utf16[span.End]);
            ann.Append(id).Append('\t').Append(type).Append(' ')
                .AppendJoin(';', fragments.Select(f => $"{offsets[f.Start]} {offsets[f.End]}"))
                .Append('\t').Append(fragmentText).Append('\n');
            if (span.Note is not null) notes.Add((id, span.Note));
        }
        var relationNumber = 0;
        foreach (var relation in RelationsWithin(document))
        {
            var id = $"R{++relationNumber}";
            var type = TypeName(relation.Type);
            relationTypes.Add(type);
            ann.Append(id).Append('\t').Append(type).Append(" Arg1:").Append(ids[relation.From]).Append(" Arg2:").Append(ids[relation.To]).Append('\n');
            if (relation.Note is not null) notes.Add((id, relation.Note));
        }
        var noteNumber = 0;
        foreach (var (target, note) in notes)
            ann.Append('#').Append(++noteNumber).Append("\tAnnotatorNotes ").Append(target).Append('\t').Append(OneLine(note)).Append('\n');
        return ann.ToString();
    }

    /// <summary>The span as brat fragments, in code points, and the TEXT column; see the class comment.</summary>
    private static (List<(int Start, int End)> Fragments, string Text) Fragments(string text, ExportSpan span, int from, int to)
    {
        var slice = text.AsSpan(from, to - from);
        if (slice.IndexOfAny(LineBreaks) < 0) return ([(span.Start, span.End)], slice.ToString());

        var fragments = new List<(int Start, int End)>();
        var texts = new List<string>();
        var lineStart = 0;
        for (var i = 0; i <= slice.Length; i++)
        {
            if (i < slice.Length && !LineBreaks.Contains(slice[i])) continue;
            int start = lineStart, end = i;
            while (start < end && char.IsWhiteSpace(slice[start])) start++;
            while (end > start && char.IsWhiteSpace(slice[end - 1])) end--;
            if (end > start)
            {
                // Back to code points: the span's start plus the code points before the fragment within the span.
                var startCodePoint = span.Start + CodePoints.Count(slice[..start].ToString());
                fragments.Add((startCodePoint, startCodePoint + CodePoints.Count(slice[start..end].ToString())));
                texts.Add(slice[start..end].ToString());
            }
            lineStart = i + 1;
        }
        // A span of nothing but line breaks and spaces: keep its offsets and show its text on one line.
        if (fragments.Count == 0) return ([(span.Start, span.End)], OneLine(slice.ToString()));
        return (fragments, string.Join(' ', texts));
    }

    private static readonly System.Buffers.SearchValues<char> LineBreaks =
        System.Buffers.SearchValues.Create("\n\r\v\f\u001C\u001D\u001E\u0085\u2028\u2029");

    private static string OneLine(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++) if (LineBreaks.Contains(chars[i])) chars[i] = ' ';
        return new string(chars);
    }

    internal static string TypeName(string label) => string.Join('_', label.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
