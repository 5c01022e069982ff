namespace Annotate.Web.Features.Exports;

/// <summary>
/// spaCy-ready JSONL: <c>{"text": "...", "spans": [{"start": 10, "end": 17, "label": "LOCATION"}, ...]}</c> per
/// article, the arguments of <c>Doc.char_span(start, end, label=...)</c>. spaCy counts characters of a Python string,
/// i.e. code points, which is this export's default unit. Both layers are written (claims carry their claim label);
/// overlapping spans are all kept, so put them in <c>doc.spans[...]</c> rather than <c>doc.ents</c>, which refuses
/// overlaps. There is no room for relations.
/// </summary>
internal sealed class SpacyJsonlWriter(Stream output, ExportSettings settings) : JsonLinesWriter(output, settings)
{
    public const string Name = "spacy-jsonl";

    private protected override Task WriteDocumentAsync(ExportDocument document, CancellationToken cancellationToken) => WriteLineAsync(json =>
    {
        var offsets = OffsetsFor(document.Text);
        json.WriteStartObject();
        json.WriteString("text", document.Text);
        json.WriteStartArray("spans");
        foreach (var span in SpansInOrder(document))
        {
            json.WriteStartObject();
            json.WriteNumber("start", offsets[span.Start]);
            json.WriteNumber("end", offsets[span.End]);
            json.WriteString("label", span.Label);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }, cancellationToken);
}
