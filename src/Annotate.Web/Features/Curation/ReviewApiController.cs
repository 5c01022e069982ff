using Annotate.Web.Features.Annotations;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Curation;

/// <summary>
/// Review and curation over REST: reviewers and managers (annotators get 403, non-members 404). Decisions reach other
/// reviewers on the document live, as curation_decided / curation_undone entries of the change log.
/// </summary>
[Route("api")]
[RequestSizeLimit(ChangeBudget.MaxBytes)]
public class ReviewApiController(CurationService curation, CurationReports reports) : ApiController
{
    /// <summary>The document, its annotators, units (with kinds, versions, decisions), link units, the curated layer and the history.</summary>
    [HttpGet("documents/{documentId:long}/review")]
    public Task<ReviewView> Review(long documentId) => curation.ReviewAsync(User, documentId);

    /// <summary>
    /// A decision: <c>{action: accept | edit | add | reject | accept-agreed, unit?, annotatorId?, spanId?, span?: {start, end, label, layer},
    /// threshold?: {annotators, share}, reason?, note?, version?}</c>, answered with what it changed (see <see cref="DecisionOutcome"/>).
    /// A stale <c>version</c> or a unit decided meanwhile answers 409 with <c>current</c>.
    /// </summary>
    [HttpPost("documents/{documentId:long}/review/decisions")]
    public Task<DecisionOutcome> Decide(long documentId, DecisionRequest request) => curation.DecideAsync(User, documentId, request);

    [HttpPost("review/decisions/{decisionId:long}/undo")]
    public Task<DecisionOutcome> Undo(long decisionId) => curation.UndoAsync(User, decisionId);

    [HttpPost("review/decisions/{decisionId:long}/redo")]
    public Task<DecisionOutcome> Redo(long decisionId) => curation.RedoAsync(User, decisionId);

    /// <summary><c>{state: curated | in_progress | reopened}</c>: curated is refused (409, with the count) while units are open; reopening is for managers.</summary>
    [HttpPut("documents/{documentId:long}/curation")]
    public Task<CurationStateView> SetState(long documentId, CurationStateRequest request) => curation.SetStateAsync(User, documentId, request);

    /// <summary>Documents with open units: <c>?order=open</c> (most open first, the default) or <c>agreement</c> (lowest first); <c>kind</c>, <c>label</c>, <c>annotator</c> filter.</summary>
    [HttpGet("projects/{projectId:long}/conflicts")]
    public Task<ConflictQueue> Conflicts(long projectId, string? kind, string? label, string? annotator, string? order) =>
        reports.ConflictsAsync(User, projectId, kind, label, annotator, order);

    [HttpGet("projects/{projectId:long}/consistency")]
    public Task<List<ConsistencyProblem>> Consistency(long projectId) => reports.ConsistencyAsync(User, projectId);

    /// <summary>Per-label precision, recall and F1 of annotators against the curated layer; annotators see only their own.</summary>
    [HttpGet("projects/{projectId:long}/corrections")]
    public Task<List<AnnotatorCorrections>> Corrections(long projectId, string? annotator) => reports.CorrectionsAsync(User, projectId, annotator);
}
