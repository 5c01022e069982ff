namespace Annotate.Web.Features.Annotations;

/// <summary>
/// The largest single change (a span or link create or update) in UTF-8 bytes of JSON: every field at its
/// maximum length, each character at its most expensive encoding. It is the hub's receive limit and the body
/// limit of the REST write routes, so the two doors accept the same changes; the page checks it before sending,
/// since SignalR closes a connection that sends more.
/// </summary>
public static class ChangeBudget
{
    /// <summary>JSON writes a control character as \u001f: six bytes for one UTF-16 unit, the most any unit costs.</summary>
    private const int WorstBytesPerUnit = 6;
    /// <summary>A character beyond the Basic Multilingual Plane is two escaped units (\ud83d\ude42): lengths in characters cost this.</summary>
    private const int WorstBytesPerCharacter = 2 * WorstBytesPerUnit;
    /// <summary>Ids, offsets, version, layer, unit, field names and the hub's own framing, with room to spare.</summary>
    private const int Envelope = 2048;

    public const int MaxBytes = Envelope
        + WorstBytesPerCharacter * (Limits.LabelNameMax + Limits.NoteMax) + WorstBytesPerUnit * SpanRules.MaxCheckedTextLength
        // attributes are kept as the JSON text that was sent (escapes included), so a unit costs at most 3 bytes
        + 3 * SpanRules.MaxAttributesLength;
}
