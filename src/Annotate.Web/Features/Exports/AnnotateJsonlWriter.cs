using System.Text.Json;

namespace Annotate.Web.Features.Exports;

/// <summary>
/// annotate-jsonl, this application's own lossless format, which <see cref="Imports.AnnotatedJsonlReader"/> reads back.
/// <para>The first line is a header:</para>
/// <code>{"meta": {"format": "annotate-jsonl", "version": 1, "offsets": "codepoint" | "utf16", "scope": "curated",
///           "finishedOnly": true, "project": {"id": 7, "name": "Aleppo"}, "createdAt": "2024-12-01T10:00:00+00:00",
///           "relationsLeftOut": 0}}</code>
/// <para>then one article per line:</para>
/// <code>{"id": 12, "title": "...", "source": "https://..." | null, "published": "2024-11-27T00:00:00+00:00" | null,
///  "text": "...", "sha256": "hex of the UTF-8 text",
///  "spans": [{"id": "guid", "start": 10, "end": 17, "text": "Aleppo", "layer": "entity" | "claim", "label": "LOCATION",
///             "annotator": "Ana", "attributes": {}, "note": null}],
///  "relations": [{"id": "guid", "type": "CONTRADICTS", "from": "span guid", "to": "span guid", "annotator": "Ana",
///                 "note": null, "toDocument": 13}]}</code>
/// <para>
/// Offsets count code points unless the header says "utf16"; a span's "text" is always its slice of the article's
/// text, so a reader can check its offsets. A relation is written on the line of its "from" span's article;
/// "toDocument" (that other article's "id") is present only when the "to" span is in another article. Both ends of
/// every relation are in the file; "relationsLeftOut" counts the links that had one end outside the export's scope
/// and were therefore not written (see <see cref="ExportSettings.RelationsLeftOut"/>).
/// </para>
/// </summary>
internal sealed class AnnotateJsonlWriter(Stream output, ExportSettings settings) : JsonLinesWriter(output, settings)
{
    public const string Name = "annotate-jsonl";
    public const int Version = 1;

    private protected override Task WriteStartAsync(CancellationToken cancellationToken) => WriteLineAsync(json =>
    {
        json.WriteStartObject();
        json.WriteStartObject("meta");
        json.WriteString("format", Name);
        json.WriteNumber("version", Version);
        json.WriteString("offsets", OffsetsName(Settings.Offsets));
        json.WriteString("scope", Settings.Scope);
        json.WriteBoolean("finishedOnly", Settings.FinishedOnly);
        json.WriteStartObject("project");
        json.WriteNumber("id", Settings.ProjectId);
        json.WriteString("name", Settings.ProjectName);
        json.WriteEndObject();
        json.WriteString("createdAt", Settings.CreatedAt);
        json.WriteNumber("relationsLeftOut", Settings.RelationsLeftOut);
        json.WriteEndObject();
        json.WriteEndObject();
    }, cancellationToken);

    private protected override Task WriteDocumentAsync(ExportDocument document, CancellationToken cancellationToken) => WriteLineAsync(json =>
    {
        var offsets = OffsetsFor(document.Text);
        json.WriteStartObject();
        json.WriteNumber("id", document.Id);
        json.WriteString("title", document.Title);
        json.WriteString("source", document.Source);
        if (document.Published is { } published) json.WriteString("published", published);
        else json.WriteNull("published");
        json.WriteString("text", document.Text);
        json.WriteString("sha256", document.Sha256);
        json.WriteStartArray("spans");
        foreach (var span in SpansInOrder(document))
        {
            json.WriteStartObject();
            json.WriteString("id", span.Id);
            json.WriteNumber("start", offsets[span.Start]);
            json.WriteNumber("end", offsets[span.End]);
            json.WriteString("text", span.Text);
            json.WriteString("layer", span.Layer);
            json.WriteString("label", span.Label);
            json.WriteString("annotator", span.Annotator);
            json.WritePropertyName("attributes");
            WriteAttributes(json, span.Attributes);
            json.WriteString("note", span.Note);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("relations");
        foreach (var relation in RelationsToWrite(document))
        {
            json.WriteStartObject();
            json.WriteString("id", relation.Id);
            json.WriteString("type", relation.Type);
            json.WriteString("from", relation.From);
            json.WriteString("to", relation.To);
            json.WriteString("annotator", relation.Annotator);
            json.WriteString("note", relation.Note);
            if (relation.ToDocumentId != document.Id) json.WriteNumber("toDocument", relation.ToDocumentId);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }, cancellationToken);
}
