using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Annotate.Web.Features.Annotations;

namespace Annotate.Web.Features.Exports;

/// <summary>
/// Writes an export in one format, document by document, straight to a stream: call <see cref="BeginAsync"/>, then
/// <see cref="WriteAsync"/> once per article, then <see cref="EndAsync"/>. A writer holds at most the document it is
/// writing, so an export of any size needs the memory of its largest article. Output is UTF-8 without a byte-order
/// mark, with LF line ends; the output stream may be non-seekable and is left open.
/// </summary>
public abstract class ExportWriter
{
    /// <summary>The format names <see cref="Create"/> knows.</summary>
    public static IReadOnlyList<string> Formats { get; } =
        [AnnotateJsonlWriter.Name, DoccanoJsonlWriter.Name, SpacyJsonlWriter.Name, LabelStudioWriter.Name, BratWriter.Name, ConllWriter.Name];

    private enum State { New, Writing, Ended }
    private State state;

    private protected ExportWriter(Stream output, ExportSettings settings)
    {
        Output = output;
        Settings = settings;
    }

    private protected Stream Output { get; }
    private protected ExportSettings Settings { get; }

    /// <summary>With the dot: ".jsonl", ".json", ".zip", ".conll".</summary>
    public abstract string FileExtension { get; }

    /// <summary>What the format could not hold, in a sentence a person can act on (null when it held everything).</summary>
    public virtual string? Notes => null;

    /// <exception cref="ArgumentException">An unknown format (the message lists the known ones) or an unwritable stream.</exception>
    public static ExportWriter Create(string format, Stream output, ExportSettings settings)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(settings);
        if (!output.CanWrite) throw new ArgumentException("The export's output stream is not writable.", nameof(output));
        return format.Trim().ToLowerInvariant() switch
        {
            AnnotateJsonlWriter.Name => new AnnotateJsonlWriter(output, settings),
            DoccanoJsonlWriter.Name => new DoccanoJsonlWriter(output, settings),
            SpacyJsonlWriter.Name => new SpacyJsonlWriter(output, settings),
            LabelStudioWriter.Name => new LabelStudioWriter(output, settings),
            BratWriter.Name => new BratWriter(output, settings),
            ConllWriter.Name => new ConllWriter(output, settings),
            _ => throw new ArgumentException($"Unknown export format '{format}': use one of {string.Join(", ", Formats)}.", nameof(format)),
        };
    }

    public async Task BeginAsync(CancellationToken cancellationToken = default)
    {
        Expect(State.New, "BeginAsync may be called once, first");
        state = State.Writing;
        await WriteStartAsync(cancellationToken);
    }

    public async Task WriteAsync(ExportDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        Expect(State.Writing, "WriteAsync comes after BeginAsync and before EndAsync");
        await WriteDocumentAsync(document, cancellationToken);
    }

    /// <summary>Finishes the format (closing bracket, zip directory) and flushes; the stream stays open.</summary>
    public async Task EndAsync(CancellationToken cancellationToken = default)
    {
        Expect(State.Writing, "EndAsync comes once, after BeginAsync");
        state = State.Ended;
        await WriteEndAsync(cancellationToken);
        await Output.FlushAsync(cancellationToken);
    }

    private protected virtual Task WriteStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    private protected abstract Task WriteDocumentAsync(ExportDocument document, CancellationToken cancellationToken);
    private protected virtual Task WriteEndAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Expect(State expected, string rule)
    {
        if (state != expected) throw new InvalidOperationException($"The export writer is {state.ToString().ToLowerInvariant()}: {rule}.");
    }

    // Helpers shared by the formats.

    private protected static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Exports are files, never embedded in HTML, so only what JSON requires is escaped: "é" stays "é" instead of
    /// "\u00E9" (characters outside the BMP are still written as surrogate escapes, which every JSON parser joins).
    /// </summary>
    private protected static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    /// <summary>Spans by position (start, then end); spans at the same place keep the order the job gave.</summary>
    private protected static IEnumerable<ExportSpan> SpansInOrder(ExportDocument document) =>
        document.Spans.OrderBy(s => s.Start).ThenBy(s => s.End);

    /// <summary>The relations this document writes (see <see cref="ExportDocument"/>): its own "from" end is present,
    /// and so is its "to" end when that is in this document too.</summary>
    private protected static IEnumerable<ExportRelation> RelationsToWrite(ExportDocument document)
    {
        var spanIds = document.Spans.Select(s => s.Id).ToHashSet();
        return document.Relations.Where(r => r.FromDocumentId == document.Id && spanIds.Contains(r.From)
            && (r.ToDocumentId != document.Id || spanIds.Contains(r.To)));
    }

    /// <summary>Relations with both ends in this document: the only kind most formats can express.</summary>
    private protected static IEnumerable<ExportRelation> RelationsWithin(ExportDocument document) =>
        RelationsToWrite(document).Where(r => r.ToDocumentId == document.Id);

    /// <summary>Converts this document's code-point offsets to the unit the settings ask for.</summary>
    private protected OffsetMap OffsetsFor(string text) => new(text, Settings.Offsets);

    private protected static string OffsetsName(OffsetUnit unit) => unit == OffsetUnit.Utf16 ? "utf16" : "codepoint";

    private protected static void WriteAttributes(Utf8JsonWriter json, JsonElement attributes)
    {
        if (attributes.ValueKind == JsonValueKind.Undefined) { json.WriteStartObject(); json.WriteEndObject(); }
        else attributes.WriteTo(json);
    }
}

/// <summary>
/// Code-point offsets to the exported unit. A text without surrogate pairs has the same offsets in both units, so
/// the conversion (a walk from the start of the text) is only done for texts that need it.
/// </summary>
internal readonly struct OffsetMap
{
    private readonly string text;
    private readonly bool identity;

    public OffsetMap(string text, OffsetUnit unit)
    {
        this.text = text;
        identity = unit == OffsetUnit.Codepoint || text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0;
    }

    public int this[int codePoint] => identity ? codePoint : CodePoints.ToUtf16Index(text, codePoint);
}
