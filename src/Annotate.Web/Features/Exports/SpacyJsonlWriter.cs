namespace Annotate.Web.Features.Exports;

/// <summary>
/// spaCy-ready JSONL: <c>{"text": "...", "spans": [{"start": 10, "end": 17, "label": "LOCATION", "text": "Aleppo"}, ...]}</c>
/// per article, the arguments of <c>Doc.char_span(start, end, label=...)</c> and the span's text, so a consumer can check
/// the offsets (spaCy ignores the extra key). One annotator's spans or the curated layer only: spaCy's lines name no
/// annotator, so the export job refuses several annotators' spans in this format. spaCy counts characters of a Python string,
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
            json.WriteString("text", span.Text);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }, cancellationToken);
}
