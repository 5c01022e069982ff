namespace Annotate.Web.Features.Exports;

/// <summary>
/// The SQL conditions of an export's scope, for the table aliases a query uses, so that documents, spans, links and
/// the counts all select with the same rules. Parameters: @project, and @annotator for one annotator's scope.
/// </summary>
public sealed class ExportFilter(Export export)
{
    /// <summary>The annotator's user id in one annotator's scope, else null (the value of @annotator).</summary>
    public string? Annotator => export.Scope.AnnotatorId;

    private bool Curated => export.Scope.IsCurated;

    /// <summary>Whether some link can have one end in the export and the other outside it (with "all" and every
    /// document, every span is in).</summary>
    public bool CanLeaveOutRelations => export.FinishedOnly || Curated || Annotator is not null;

    /// <summary>The project's documents the export holds (finished ones only, when asked: by the annotator of an
    /// annotator scope, else by anyone).</summary>
    public string Documents(string d) => $"{d}.project_id = @project" + (export.FinishedOnly
        ? $" AND EXISTS (SELECT 1 FROM document_states s WHERE s.document_id = {d}.id AND s.status = 'finished'" + (Annotator is null ? ")" : " AND s.user_id = @annotator)")
        : "");

    /// <summary>
    /// " AND ..." selecting the spans of the scope. The curated layer is nobody's annotation: "all" and an annotator's
    /// scope leave it out (its rows name the reviewer or importer who made them), and only "curated" writes it.
    /// </summary>
    public string Spans(string a) =>
        Curated ? $" AND {a}.origin = 'curated'" : Annotator is not null ? $" AND {a}.annotator_id = @annotator AND {a}.origin <> 'curated'" : $" AND {a}.origin <> 'curated'";

    /// <summary>
    /// SQL counting the annotators whose spans the export holds (of the entity layer only for CoNLL, which writes no
    /// other), as "Value": the one rule both the request check and the job apply.
    /// </summary>
    public string AnnotatorCount() =>
        $"SELECT count(DISTINCT a.annotator_id)::int AS \"Value\" FROM annotations a JOIN documents d ON d.id = a.document_id "
        + $"WHERE {Documents("d")}{Spans("a")}{(export.Format == ConllWriter.Name ? " AND a.layer = 'entity'" : "")}";

    /// <summary>" AND ..." selecting the links of the scope, besides their two ends being in it: one annotator's own links.</summary>
    public string Relations(string r) => Annotator is not null ? $" AND {r}.annotator_id = @annotator" : "";
}
