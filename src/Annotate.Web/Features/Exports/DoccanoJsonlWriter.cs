namespace Annotate.Web.Features.Exports;

/// <summary>
/// doccano's JSONL, one article per line, in the shape doccano's own export uses for the article:
/// <list type="bullet">
/// <item>sequence labelling, when no relation can be written: <c>{"id": 12, "text": "...", "label": [[10, 17, "LOCATION"], ...]}</c>;</item>
/// <item>relation extraction, when at least one relation has both ends in this article:
/// <c>{"id": 12, "text": "...", "entities": [{"id": 1, "label": "CLAIM", "start_offset": 0, "end_offset": 80, "text": "..."}, ...],
/// "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "CONTRADICTS"}]}</c>.</item>
/// </list>
/// Entity and relation ids are small integers unique within the line (doccano assigns its own on import). Relations
/// to another article cannot be expressed and are left out. doccano counts offsets in code points (its server is
/// Python). An entity object carries its span's "text" so the offsets can be checked (doccano ignores the extra key);
/// the <c>[start, end, "LABEL"]</c> triples stay triples, as doccano reads exactly that shape. There is no place for
/// a span's annotator, layer or note.
/// </summary>
internal sealed class DoccanoJsonlWriter(Stream output, ExportSettings settings) : JsonLinesWriter(output, settings)
{
    public const string Name = "doccano-jsonl";

    private protected override Task WriteDocumentAsync(ExportDocument document, CancellationToken cancellationToken) => WriteLineAsync(json =>
    {
        var offsets = OffsetsFor(document.Text);
        var spans = SpansInOrder(document).ToList();
        var relations = RelationsWithin(document).ToList();
        json.WriteStartObject();
        json.WriteNumber("id", document.Id);
        json.WriteString("text", document.Text);
        if (relations.Count == 0)
        {
            json.WriteStartArray("label");
            foreach (var span in spans)
            {
                json.WriteStartArray();
                json.WriteNumberValue(offsets[span.Start]);
                json.WriteNumberValue(offsets[span.End]);
                json.WriteStringValue(span.Label);
                json.WriteEndArray();
            }
            json.WriteEndArray();
        }
        else
        {
            var entityIds = new Dictionary<Guid, int>();
            json.WriteStartArray("entities");
            foreach (var span in spans)
            {
                var id = entityIds.Count + 1;
                entityIds[span.Id] = id;
                json.WriteStartObject();
                json.WriteNumber("id", id);
                json.WriteString("label", span.Label);
                json.WriteNumber("start_offset", offsets[span.Start]);
                json.WriteNumber("end_offset", offsets[span.End]);
                json.WriteString("text", span.Text);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("relations");
            var relationId = 0;
            foreach (var relation in relations)
            {
                json.WriteStartObject();
                json.WriteNumber("id", ++relationId);
                json.WriteNumber("from_id", entityIds[relation.From]);
                json.WriteNumber("to_id", entityIds[relation.To]);
                json.WriteString("type", relation.Type);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }, cancellationToken);
}
