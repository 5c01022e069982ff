using Annotate.Web.Features.Annotations;

namespace Annotate.Web.Features.Imports;

public enum ImportKind { PreAnnotations, Curated, Recorded, Member }

/// <summary>
/// How the spans and relations in annotated JSONL (annotate-jsonl, doccano) are taken in: as pre-annotations of the
/// importer, as the project's curated layer (an adjudicated dataset, in the importer's name), as recorded (each span's
/// annotator email must be a member) or as one member's work. Labels missing from the project are refused, or created
/// when <see cref="CreateLabels"/>. Read once from the form's words (<see cref="Parse"/>), then asked, never re-parsed.
/// </summary>
/// <param name="MemberEmail">whose work it is, for <see cref="ImportKind.Member"/>; <paramref name="MemberUserId"/> once the importer found them</param>
public sealed record ImportMode(ImportKind Kind, bool CreateLabels, string? MemberEmail = null, string? MemberUserId = null)
{
    public const string Words = "\"annotations\" is \"ignore\", \"pre-annotations\", \"curated\", \"recorded\" or \"member:EMAIL\".";

    /// <summary>The form fields <c>annotations</c> and <c>createLabels</c> (the API's and the page's); null for "ignore" (a plain import).</summary>
    public static ImportMode? Parse(string? mode, string? createLabels)
    {
        var create = createLabels is "true" or "on" or "1";
        return (mode ?? "").Trim() switch
        {
            "" or "ignore" => null,
            "pre-annotations" => new(ImportKind.PreAnnotations, create),
            "curated" => new(ImportKind.Curated, create),
            "recorded" => new(ImportKind.Recorded, create),
            var member when member.StartsWith("member:", StringComparison.Ordinal) => new(ImportKind.Member, create, member["member:".Length..].Trim()),
            _ => throw ProblemException.BadRequest(Words),
        };
    }

    /// <summary>Whether every span is the importer's (pre-annotations, the curated layer) rather than the file's annotators'.</summary>
    public bool InImportersName => Kind is ImportKind.PreAnnotations or ImportKind.Curated;

    public AnnotationOrigin Origin => Kind == ImportKind.Curated ? AnnotationOrigin.Curated : AnnotationOrigin.Imported;
}
