using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Documents;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Annotate.Web.Features.LiveSync;

public record JoinResult(long DocumentId, long ProjectId, long LastSequence, IReadOnlyList<ChangeEventView> Events, IReadOnlyList<PresentUser> Present);

/// <summary>
/// Live collaboration on documents, at /hubs/annotations. Every method checks the caller's role in the
/// document's project (a non-member learns nothing). Changes go through AnnotationWriter, like the REST API;
/// clients hear of them through `Changed`, sent from the change log after commit (ChangeBroadcaster).
/// Client methods: Changed(event), Presence(documentId, people), JobProgress(job), AccessChanged(projectId) (see LiveAccess).
/// </summary>
[Authorize]
public class AnnotationHub(AnnotationReader reader, AnnotationWriter writer, Presence presence, AppDbContext db, ProjectAccess access) : Hub
{
    public const string Path = "/hubs/annotations";

    /// <summary>Everyone on the document: for presence.</summary>
    public static string DocumentGroup(long documentId) => $"doc:{documentId}";
    /// <summary>Those who see every annotator's work on the document.</summary>
    public static string EveryoneGroup(long documentId) => $"doc:{documentId}:all";
    /// <summary>One person's connections on the document: their own work (and, in open projects, everyone's).</summary>
    public static string PersonGroup(long documentId, string userId) => $"doc:{documentId}:user:{userId}";
    /// <summary>
    /// Reviewers curating anonymously on the document: they are in this group alone (none of the three above), and hear
    /// every change and presence with annotators' names as "Annotator n".
    /// </summary>
    /// <remarks>
    /// A group of its own rather than a rewrite per connection: the broadcaster renames each event once per document
    /// and sends one payload per group, as for every other push (the queued lifetime manager fans it out), and who reads
    /// names is decided at join with the other access checks and taken away by LiveAccess like any other group.
    /// </remarks>
    public static string AnonymousGroup(long documentId) => $"doc:{documentId}:anonymous";

    /// <summary>Managers watching a project's background jobs (agreement, exports) get `JobProgress` pushes.</summary>
    public static string JobsGroup(long projectId) => $"project:{projectId}:jobs";

    /// <summary>Managers and reviewers hear every assignment and state change of the project (the matrix, Progress).</summary>
    public static string WorkGroup(long projectId) => $"project:{projectId}:work";
    /// <summary>Reviewers of a project with anonymous curation on hear the same, with annotators renamed "Annotator n".</summary>
    public static string AnonymousWorkGroup(long projectId) => $"project:{projectId}:work:anonymous";
    /// <summary>One person hears the changes of their own assignments and states (My work).</summary>
    public static string OwnWorkGroup(long projectId, string userId) => $"project:{projectId}:work:{userId}";

    /// <summary>
    /// Subscribes to the project's work: assignment and document-state entries of the log (`Changed`), so the matrix,
    /// Progress and My work pages update live. Annotators hear only their own.
    /// </summary>
    public async Task WatchWork(long projectId)
    {
        var (project, role) = await Guard(() => access.RequireAsync(Context.User!, projectId));
        var userId = ProjectAccess.UserId(Context.User!);
        presence.WatchJobs(Context.ConnectionId, userId, projectId); // recorded, so a change of access takes it away (LiveAccess)
        await Groups.AddToGroupAsync(Context.ConnectionId, OwnWorkGroup(projectId, userId));
        // Named, anonymous or neither: a rewatch after a change of role or setting drops the other.
        var group = role == ProjectRole.Annotator ? null : Curation.Names.Anonymous(project, role) ? AnonymousWorkGroup(projectId) : WorkGroup(projectId);
        foreach (var each in new[] { WorkGroup(projectId), AnonymousWorkGroup(projectId) })
            if (each == group) await Groups.AddToGroupAsync(Context.ConnectionId, each);
            else await Groups.RemoveFromGroupAsync(Context.ConnectionId, each);
    }

    /// <summary>Subscribes a manager to the progress of the project's jobs.</summary>
    public async Task WatchJobs(long projectId)
    {
        await Guard(() => access.RequireManagerAsync(Context.User!, projectId));
        presence.WatchJobs(Context.ConnectionId, ProjectAccess.UserId(Context.User!), projectId);
        await Groups.AddToGroupAsync(Context.ConnectionId, JobsGroup(projectId));
    }

    /// <summary>
    /// Subscribes to a document and returns every visible event after <paramref name="afterSequence"/>, so a
    /// client that reconnects catches up; pushes that race with this answer carry sequences it can skip.
    /// </summary>
    public async Task<JoinResult> JoinDocument(long documentId, long afterSequence)
    {
        var viewer = (await Guard(() => access.RequireDocumentAsync(Context.User!, documentId))).Viewer;
        // Recorded before the groups are joined: a change of access from now on finds this subscription (LiveAccess).
        var name = await db.Users.Where(u => u.Id == viewer.UserId).Select(u => u.DisplayName).FirstAsync();
        // Everyone on the document hears of the join through the presence notification (on every node).
        var present = await presence.JoinAsync(documentId, viewer.Project.Id, Context.ConnectionId, new PresentUser(viewer.UserId, name));
        var names = await reader.NamesAsync(viewer);
        // A rejoin after a change of role or setting must also drop what the old one heard.
        if (names.IsAnonymous)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, AnonymousGroup(documentId));
            foreach (var named in new[] { PersonGroup(documentId, viewer.UserId), EveryoneGroup(documentId), DocumentGroup(documentId) })
                await Groups.RemoveFromGroupAsync(Context.ConnectionId, named);
        }
        else
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, AnonymousGroup(documentId));
            await Groups.AddToGroupAsync(Context.ConnectionId, PersonGroup(documentId, viewer.UserId));
            if (viewer.Role != ProjectRole.Annotator) await Groups.AddToGroupAsync(Context.ConnectionId, EveryoneGroup(documentId));
            else await Groups.RemoveFromGroupAsync(Context.ConnectionId, EveryoneGroup(documentId));
            await Groups.AddToGroupAsync(Context.ConnectionId, DocumentGroup(documentId));
        }
        var last = await reader.LastSequenceAsync(viewer.Project.Id);
        var events = await reader.EventsAsync(viewer, Math.Max(0, afterSequence), documentId);
        return new JoinResult(documentId, viewer.Project.Id, last, events, names.Rename(present));
    }

    public async Task LeaveDocument(long documentId)
    {
        var userId = ProjectAccess.UserId(Context.User!);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, PersonGroup(documentId, userId));
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, EveryoneGroup(documentId));
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, DocumentGroup(documentId));
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, AnonymousGroup(documentId));
        await presence.LeaveAsync(documentId, Context.ConnectionId);
    }

    public Task<ChangeResult> CreateAnnotation(long documentId, NewAnnotation request) =>
        Attempt(async () => (object)(await writer.CreateAnnotationAsync(Context.User!, documentId, request)).View);

    public Task<ChangeResult> UpdateAnnotation(Guid id, AnnotationChange change) =>
        Attempt(async () => (object)await writer.UpdateAnnotationAsync(Context.User!, id, change));

    public Task<ChangeResult> DeleteAnnotation(Guid id, int version) =>
        Attempt(async () => { await writer.DeleteAnnotationAsync(Context.User!, id, version); return new { id, version }; });

    public Task<ChangeResult> CreateRelation(long projectId, NewRelation request) =>
        Attempt(async () => (object)(await writer.CreateRelationAsync(Context.User!, projectId, request)).View);

    public Task<ChangeResult> DeleteRelation(Guid id, int version) =>
        Attempt(async () => { await writer.DeleteRelationAsync(Context.User!, id, version); return new { id, version }; });

    public Task<ChangeResult> SetDocumentStatus(long documentId, DocumentStatus status) =>
        Attempt(async () => (object)await writer.SetDocumentStatusAsync(Context.User!, documentId, status));

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await presence.DisconnectAsync(Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }

    /// <summary>A refusal is an answer (status, detail, and the current state on a conflict), not a dropped call.</summary>
    private static async Task<ChangeResult> Attempt(Func<Task<object>> change)
    {
        try { return ChangeResult.Success(await change()); }
        catch (ProblemException problem)
        {
            return new ChangeResult(false, problem.Status, null, problem.Title, problem.Detail, problem.Current);
        }
    }

    /// <summary>Joining is refused with a HubException, whose message (unlike other exceptions') reaches the client.</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try { return await action(); }
        catch (ProblemException problem) { throw new HubException(problem.Detail); }
    }
}
