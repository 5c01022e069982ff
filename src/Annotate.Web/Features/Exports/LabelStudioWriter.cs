using System.Text.Json;

namespace Annotate.Web.Features.Exports;

/// <summary>
/// Label Studio's JSON export: one JSON array of tasks, written a task at a time (<c>[</c>, tasks separated by
/// commas, <c>]</c>). The shape follows Label Studio's "Task format" and "How Label Studio saves results in
/// annotations" documentation:
/// <code>{"id": 12, "data": {"text": "...", "title": "..."},
///  "annotations": [{"result": [
///    {"id": "span guid", "from_name": "label", "to_name": "text", "type": "labels",
///     "value": {"start": 10, "end": 17, "text": "Aleppo", "labels": ["LOCATION"]}},
///    {"type": "relation", "from_id": "span guid", "to_id": "span guid", "direction": "right", "labels": ["CONTRADICTS"]}]}]}</code>
/// <para>
/// One annotation per annotator of the article's spans, in the order they first appear, as Label Studio keeps one
/// annotation per person. A relation goes into the annotation holding both of its spans (and carries its note as
/// "notes"); a relation to another article, or between two annotators' spans, cannot be expressed and is left out.
/// To open the file, use a labelling config whose names match: <c>&lt;Text name="text" value="$text"/&gt;</c>,
/// <c>&lt;Labels name="label" toName="text"&gt;</c> with the project's labels, and <c>&lt;Relations&gt;</c> with its
/// relation types. Label Studio stores text offsets as code points (since its fix for astral characters), this
/// export's default unit.
/// </para>
/// </summary>
internal sealed class LabelStudioWriter(Stream output, ExportSettings settings) : ExportWriter(output, settings)
{
    public const string Name = "label-studio-json";

    private static readonly byte[] Open = "["u8.ToArray(), FirstSeparator = "\n"u8.ToArray(), Separator = ",\n"u8.ToArray(), Close = "\n]\n"u8.ToArray();
    private readonly Utf8JsonWriter json = new(output, JsonOptions);
    private bool first = true;

    public override string FileExtension => ".json";

    private protected override async Task WriteStartAsync(CancellationToken cancellationToken) =>
        await Output.WriteAsync(Open, cancellationToken);

    private protected override async Task WriteDocumentAsync(ExportDocument document, CancellationToken cancellationToken)
    {
        await Output.WriteAsync(first ? FirstSeparator : Separator, cancellationToken);
        first = false;
        WriteTask(document);
        await json.FlushAsync(cancellationToken);
        json.Reset();
    }

    private protected override async Task WriteEndAsync(CancellationToken cancellationToken) =>
        await Output.WriteAsync(first ? "]\n"u8.ToArray() : Close, cancellationToken);

    private void WriteTask(ExportDocument document)
    {
        var offsets = OffsetsFor(document.Text);
        var spans = SpansInOrder(document).ToList();
        var annotatorOf = spans.GroupBy(s => s.Id).ToDictionary(g => g.Key, g => g.First().Annotator);
        var relations = RelationsWithin(document).Where(r => annotatorOf[r.From] == annotatorOf[r.To]).ToList();

        json.WriteStartObject();
        json.WriteNumber("id", document.Id);
        json.WriteStartObject("data");
        json.WriteString("text", document.Text);
        json.WriteString("title", document.Title);
        json.WriteEndObject();
        json.WriteStartArray("annotations");
        foreach (var annotator in spans.Select(s => s.Annotator).Distinct())
        {
            json.WriteStartObject();
            json.WriteStartArray("result");
            foreach (var span in spans.Where(s => s.Annotator == annotator))
            {
                json.WriteStartObject();
                json.WriteString("id", span.Id);
                json.WriteString("from_name", "label");
                json.WriteString("to_name", "text");
                json.WriteString("type", "labels");
                json.WriteStartObject("value");
                json.WriteNumber("start", offsets[span.Start]);
                json.WriteNumber("end", offsets[span.End]);
                json.WriteString("text", span.Text);
                json.WriteStartArray("labels");
                json.WriteStringValue(span.Label);
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndObject();
            }
            foreach (var relation in relations.Where(r => annotatorOf[r.From] == annotator))
            {
                json.WriteStartObject();
                json.WriteString("type", "relation");
                json.WriteString("from_id", relation.From);
                json.WriteString("to_id", relation.To);
                json.WriteString("direction", "right");
                json.WriteStartArray("labels");
                json.WriteStringValue(relation.Type);
                json.WriteEndArray();
                if (relation.Note is not null) json.WriteString("notes", relation.Note);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
