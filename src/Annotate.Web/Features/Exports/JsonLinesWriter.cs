using System.Text.Json;

namespace Annotate.Web.Features.Exports;

/// <summary>
/// JSON Lines: one JSON object per line. Each line is written and flushed to the output before the next document
/// arrives, so nothing accumulates.
/// </summary>
internal abstract class JsonLinesWriter : ExportWriter
{
    private static readonly byte[] Newline = [(byte)'\n'];
    private readonly Utf8JsonWriter json;

    protected JsonLinesWriter(Stream output, ExportSettings settings) : base(output, settings) =>
        json = new Utf8JsonWriter(output, JsonOptions);

    public override string FileExtension => ".jsonl";

    /// <summary>Writes one object as one line: compact JSON cannot contain a raw line break, so the line is whole.</summary>
    protected async Task WriteLineAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        write(json);
        await json.FlushAsync(cancellationToken);
        // The writer checks that it writes a single JSON value; Reset starts the next line's value on the same stream.
        json.Reset();
        await Output.WriteAsync(Newline, cancellationToken);
    }
}
