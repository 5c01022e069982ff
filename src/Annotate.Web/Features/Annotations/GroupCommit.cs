using System.Collections.Concurrent;
using Annotate.Web.Features.Documents;
using Annotate.Web.Features.LiveSync;

namespace Annotate.Web.Features.Annotations;

/// <summary>
/// A span create checked before the transaction (role, label, offsets, locks), waiting to be written.
/// <see cref="Done"/> is told its own result or its own refusal once its batch has committed.
/// </summary>
public sealed record PendingCreate(long ProjectId, Annotation Annotation, string Name)
{
    public TaskCompletionSource<(AnnotationView View, bool Created)> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Group commit of span creates, per project, on this node. Writers of one project serialise on the project's
/// counter row anyway (ChangeLog), so instead of each taking the lock and paying its own round trips and commit
/// flush, the creates that arrive while a batch is in flight wait and go together in the next one: one transaction,
/// one counter lock, one duplicate query, one insert round trip, one NOTIFY and one commit for all of them.
/// Each create is validated against the database and the batch before anything is added, so a refused one
/// (a reused uuid, a span marked twice) is refused alone; a retry of a create (same uuid, same span) gets
/// what the first attempt stored, even inside the same batch. Several nodes stay correct because each batch
/// still takes the project's counter lock: the log is gapless and in commit order.
/// </summary>
public sealed class GroupCommit(IServiceScopeFactory scopes, ILogger<GroupCommit> logger)
{
    /// <summary>Bounds one transaction's work, so a flood of creates still commits (and answers) in steps.</summary>
    private const int MaxBatch = 128;

    // One queue per project ever written on this node: a few hundred bytes each, kept for the node's life.
    private readonly ConcurrentDictionary<long, ProjectQueue> queues = new();

    private sealed class ProjectQueue
    {
        public readonly List<PendingCreate> Waiting = [];
        public bool Draining;
    }

    public Task<(AnnotationView View, bool Created)> CreateAsync(PendingCreate create)
    {
        var queue = queues.GetOrAdd(create.ProjectId, _ => new ProjectQueue());
        bool lead;
        lock (queue)
        {
            queue.Waiting.Add(create);
            lead = !queue.Draining;
            queue.Draining = true;
        }
        // The first writer to find the queue idle starts its drain; the others only wait for their answer.
        if (lead) _ = Task.Run(() => DrainAsync(create.ProjectId, queue));
        return create.Done.Task;
    }

    private async Task DrainAsync(long projectId, ProjectQueue queue)
    {
        while (true)
        {
            PendingCreate[] batch;
            lock (queue)
            {
                if (queue.Waiting.Count == 0)
                {
                    queue.Draining = false;
                    return;
                }
                batch = queue.Waiting.Take(MaxBatch).ToArray();
                queue.Waiting.RemoveRange(0, batch.Length);
            }
            await CommitAsync(projectId, batch);
        }
    }

    private async Task CommitAsync(long projectId, PendingCreate[] batch)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var log = scope.ServiceProvider.GetRequiredService<ChangeLog>();
            var outcomes = await log.WriteAsync(projectId, entries => ApplyAsync(db, entries, batch));
            // Told only after the commit: nobody hears of a span that could still be rolled back.
            for (var i = 0; i < batch.Length; i++)
                if (outcomes[i].Refusal is { } refusal) batch[i].Done.TrySetException(refusal);
                else batch[i].Done.TrySetResult(outcomes[i].Result);
        }
        catch (ProblemException refusal)
        {
            foreach (var create in batch) create.Done.TrySetException(refusal); // the project is archived: all of them are refused
        }
        catch (Exception error) when (batch.Length > 1)
        {
            // Something the checks did not foresee (a document deleted meanwhile, say) failed the whole transaction:
            // write each create alone, so that failure stays the one writer's.
            logger.LogWarning(error, "A batch of {Count} creates in project {Project} failed; writing them one by one", batch.Length, projectId);
            foreach (var create in batch) await CommitAsync(projectId, [create]);
        }
        catch (Exception error)
        {
            batch[0].Done.TrySetException(error);
        }
    }

    public readonly record struct Outcome((AnnotationView View, bool Created) Result, ProblemException? Refusal);

    /// <summary>
    /// Writes the creates inside a ChangeLog write (the counter lock held): two queries read every clash and every
    /// document state the batch touches, then each create is decided in order, seeing the ones before it.
    /// </summary>
    public static async Task<Outcome[]> ApplyAsync(AppDbContext db, ChangeEntries entries, IReadOnlyList<PendingCreate> batch)
    {
        var ids = batch.Select(c => c.Annotation.Id).Distinct().ToList();
        var documents = batch.Select(c => c.Annotation.DocumentId).Distinct().ToList();
        var users = batch.Select(c => c.Annotation.AnnotatorId).Distinct().ToList();
        var starts = batch.Select(c => c.Annotation.Start).Distinct().ToList();
        // A superset of the clashes (same uuid, or possibly the same span), narrowed below.
        var present = await db.Annotations.AsNoTracking()
            .Where(a => ids.Contains(a.Id) || documents.Contains(a.DocumentId) && users.Contains(a.AnnotatorId) && starts.Contains(a.Start))
            .ToListAsync();
        var states = await db.DocumentStates.Where(s => documents.Contains(s.DocumentId) && users.Contains(s.UserId)).ToListAsync();

        var outcomes = new Outcome[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var (wanted, name) = (batch[i].Annotation, batch[i].Name);
            if (present.FirstOrDefault(a => a.Id == wanted.Id) is { } existing)
            {
                // A retried create (same uuid, same author, same span) returns what the first attempt stored.
                outcomes[i] = SameSpan(existing, wanted)
                    ? new((AnnotationView.Of(existing, name), false), null)
                    : new(default, ProblemException.Conflict($"The id {wanted.Id} is already used by another annotation; make a new uuid for a new span."));
                continue;
            }
            if (present.Any(a => SameSpan(a, wanted)))
            {
                outcomes[i] = new(default, ProblemException.Conflict($"You already marked \"{wanted.Text}\" ({wanted.Start}..{wanted.End}) as {wanted.Label}."));
                continue;
            }
            db.Annotations.Add(wanted);
            present.Add(wanted);
            MarkInProgress(db, entries, states, wanted.DocumentId, wanted.AnnotatorId, name);
            var view = AnnotationView.Of(wanted, name);
            entries.Append(ChangeKind.AnnotationCreated, wanted.DocumentId, null, wanted.Id, wanted.AnnotatorId, wanted.AnnotatorId, view);
            outcomes[i] = new((view, true), null);
        }
        return outcomes;
    }

    private static bool SameSpan(Annotation a, Annotation b) =>
        a.AnnotatorId == b.AnnotatorId && a.DocumentId == b.DocumentId && a.Start == b.Start && a.End == b.End && a.Label == b.Label;

    /// <summary>The first span someone makes on a new document moves it to in progress (within the same change).</summary>
    private static void MarkInProgress(AppDbContext db, ChangeEntries entries, List<DocumentState> states, long documentId, string userId, string name)
    {
        var state = states.FirstOrDefault(s => s.DocumentId == documentId && s.UserId == userId);
        if (state is not null && state.Status != DocumentStatus.New) return;
        if (state is null)
        {
            db.DocumentStates.Add(state = new DocumentState { DocumentId = documentId, UserId = userId });
            states.Add(state);
        }
        state.Status = DocumentStatus.InProgress;
        state.UpdatedAt = Clock.Now;
        entries.Append(ChangeKind.DocumentStateChanged, documentId, null, null, userId, userId, new DocumentStateView(documentId, userId, name, state.Status, state.UpdatedAt));
    }
}
