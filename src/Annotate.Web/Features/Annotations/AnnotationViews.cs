using System.Text.Json;
using Annotate.Web.Features.Documents;
using Annotate.Web.Features.LiveSync;
using Annotate.Web.Features.Relations;

namespace Annotate.Web.Features.Annotations;

/// <summary>An annotation as the API, the hub and the change log show it. Offsets in code points.</summary>
public record AnnotationView(Guid Id, long ProjectId, long DocumentId, string AnnotatorId, string AnnotatorName,
    AnnotationLayer Layer, string Label, int Start, int End, string Text, JsonElement Attributes, string? Note,
    int Version, AnnotationOrigin Origin, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static AnnotationView Of(Annotation a, string annotatorName) => new(a.Id, a.ProjectId, a.DocumentId, a.AnnotatorId,
        annotatorName, a.Layer, a.Label, a.Start, a.End, a.Text, ParseObject(a.Attributes), a.Note, a.Version, a.Origin, a.CreatedAt, a.UpdatedAt);

    public static JsonElement ParseObject(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <summary>
/// A relation between two claims, with the document and text of both ends (an end may be in another document). In a
/// blind project an annotator reads null for the text of an end that is another annotator's claim.
/// </summary>
public record RelationView(Guid Id, long ProjectId, string Type, Guid From, Guid To, long FromDocumentId, long ToDocumentId,
    string? FromText, string? ToText, string? Note, string AnnotatorId, string AnnotatorName, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static RelationView Of(Relation r, Annotation from, Annotation to, string annotatorName) => new(r.Id, r.ProjectId,
        r.Type, r.FromId, r.ToId, from.DocumentId, to.DocumentId, from.Text, to.Text, r.Note, r.AnnotatorId, annotatorName, r.Version, r.CreatedAt, r.UpdatedAt);
}

/// <summary>What remains of a deleted annotation or relation in the log.</summary>
public record DeletedView(Guid Id, int Version, long? DocumentId);

public record DocumentStateView(long DocumentId, string UserId, string UserName, DocumentStatus Status, DateTimeOffset UpdatedAt);

/// <summary>One entry of the change log: the same shape from GET .../events, JoinDocument and the hub's Changed push.</summary>
public record ChangeEventView(long Sequence, long ProjectId, ChangeKind Kind, long? DocumentId, long? OtherDocumentId,
    Guid? SubjectId, string OwnerId, string ActorId, DateTimeOffset At, JsonElement Data)
{
    public static ChangeEventView Of(ChangeEvent e) => new(e.Sequence, e.ProjectId, e.Kind, e.DocumentId, e.OtherDocumentId,
        e.SubjectId, e.OwnerId, e.ActorId, e.CreatedAt, AnnotationView.ParseObject(e.Data));
}

/// <summary>Requests, shared by the hub and the REST API.</summary>
public record NewAnnotation(Guid? Id, AnnotationLayer? Layer, string? Label, int? Start, int? End, string? Note,
    JsonElement? Attributes, OffsetUnit? Unit, string? Text);

public record AnnotationChange(string? Label, int? Start, int? End, string? Note, JsonElement? Attributes, OffsetUnit? Unit, string? Text, int? Version);

public record NewRelation(Guid? Id, string? Type, Guid? From, Guid? To, string? Note);

/// <summary>
/// The outcome of a change made through the hub: the new state, or why it was refused. A stale version is
/// refused with the current state (<see cref="Current"/>) so the page can show both instead of losing one.
/// </summary>
public record ChangeResult(bool Ok, int Status, object? Value, string? Title, string? Detail, object? Current)
{
    public static ChangeResult Success(object value) => new(true, 200, value, null, null, null);
}
