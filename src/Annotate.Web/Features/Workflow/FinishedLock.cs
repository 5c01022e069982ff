using Annotate.Web.Features.Documents;

namespace Annotate.Web.Features.Workflow;

/// <summary>
/// "Finished means done": in a project with finishedLocks on, a document its annotator marked finished is read-only
/// for them until they (or a manager for them) reopen it. The write path asks here before every change of spans and links.
/// </summary>
public class FinishedLock(AppDbContext db)
{
    public static ProblemException Refusal(long documentId) => ProblemException.Conflict(
        $"You marked document {documentId} finished and this project keeps finished documents read-only; nothing was changed. " +
        "Reopen it (Reopen in the editor, or status \"in_progress\") to change it.",
        ("documentId", documentId), ("reason", "finished"));

    /// <summary>Refuses (409) when the project locks finished documents and <paramref name="userId"/> finished any of these.</summary>
    public async Task RequireOpenAsync(Project project, string userId, params long[] documentIds)
    {
        if (!project.FinishedLocks) return;
        var finished = await db.DocumentStates.AsNoTracking()
            .Where(s => s.UserId == userId && documentIds.Contains(s.DocumentId) && s.Status == DocumentStatus.Finished)
            .Select(s => (long?)s.DocumentId).FirstOrDefaultAsync();
        if (finished is { } documentId) throw Refusal(documentId);
    }
}
