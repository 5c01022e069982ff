using System.Collections.Concurrent;
using Annotate.Web.Features.Documents;
using Annotate.Web.Features.LiveSync;
using Npgsql;

namespace Annotate.Web.Features.Annotations;

/// <summary>
/// A span create checked for all that needs no database (its fields; its offsets against the article's text), waiting to
/// be written. Who may make it (membership, assignment, the curation and finished locks, the label) is decided in its
/// batch, under the project's lock. <see cref="Done"/> is told its own result or its own refusal once its batch has committed.
/// </summary>
/// <param name="SiteAdmin">the caller is a site admin, who acts as manager in a project they are not a member of</param>
/// <param name="OffsetProblem">what is wrong with its offsets: told only once the caller is known to write on the document</param>
public sealed record PendingCreate(long ProjectId, Annotation Annotation, bool SiteAdmin = false, ProblemException? OffsetProblem = null)
{
    public TaskCompletionSource<(AnnotationView View, bool Created)> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Group commit of span creates, per project, on this node. Writers of one project serialise on the project's
/// counter row anyway (ChangeLog), so instead of each taking the lock and paying its own round trips and commit
/// flush, the creates that arrive while a batch is in flight wait and go together in the next one: one transaction,
/// one counter lock, one duplicate query, one insert round trip, one NOTIFY and one commit for all of them.
/// Each create is validated against the database and the batch before anything is added, so a refused one
/// (no right to write there, a lock, an unknown label, a reused uuid, a span marked twice) is refused alone; a retry of a create (same uuid, same span) gets
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

    /// <summary>Bounds how many projects' batches share one transaction.</summary>
    private const int MaxProjects = 32;

    // Batches of several projects, each ready to commit, waiting to share the next transaction (see CommitWithOthersAsync).
    private readonly List<ReadyBatch> ready = [];
    private bool combining;

    private sealed record ReadyBatch(long ProjectId, PendingCreate[] Creates)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public async Task<(AnnotationView View, bool Created)> CreateAsync(PendingCreate create)
    {
        var queue = queues.GetOrAdd(create.ProjectId, _ => new ProjectQueue());
        bool lead;
        lock (queue)
        {
            queue.Waiting.Add(create);
            lead = !queue.Draining;
            queue.Draining = true;
        }
        // The first writer to find the queue idle commits the first batch itself (its own create is in it), so a lone
        // writer's create is not handed to another thread and back; the others only wait for their answer.
        if (lead) await DrainAsync(create.ProjectId, queue, handOffAfterFirst: true);
        return await create.Done.Task;
    }

    /// <param name="handOffAfterFirst">after one batch, leave the rest to a pool thread (the leading writer answers at once)</param>
    private async Task DrainAsync(long projectId, ProjectQueue queue, bool handOffAfterFirst)
    {
        for (var batches = 0; ; batches++)
        {
            PendingCreate[] batch;
            lock (queue)
            {
                if (queue.Waiting.Count == 0)
                {
                    queue.Draining = false;
                    return;
                }
                if (handOffAfterFirst && batches == 1)
                {
                    // Still draining: whoever arrives now keeps waiting for the pool thread's batches.
                    _ = Task.Run(() => DrainAsync(projectId, queue, handOffAfterFirst: false));
                    return;
                }
                batch = queue.Waiting.Take(MaxBatch).ToArray();
                queue.Waiting.RemoveRange(0, batch.Length);
            }
            await CommitWithOthersAsync(projectId, batch);
        }
    }

    /// <summary>
    /// Commits a project's batch together with the batches of other projects that are ready at the same time: the same
    /// group commit again, across projects. A node serving many small teams has many projects of one writer each; each of
    /// their creates would otherwise be a transaction, two round trips and a flush of its own. A project has at most one
    /// batch here at a time (its queue waits for it), and one transaction of them is in flight on the node: the batches
    /// that become ready meanwhile go together in the next one.
    /// </summary>
    private async Task CommitWithOthersAsync(long projectId, PendingCreate[] creates)
    {
        var mine = new ReadyBatch(projectId, creates);
        bool lead;
        lock (ready)
        {
            ready.Add(mine);
            lead = !combining;
            combining = true;
        }
        if (lead) await CombineAsync(handOffAfterFirst: true);
        await mine.Done.Task;
    }

    /// <param name="handOffAfterFirst">after one transaction, leave the rest to a pool thread (the leading batch's writers are answered at once)</param>
    private async Task CombineAsync(bool handOffAfterFirst)
    {
        for (var rounds = 0; ; rounds++)
        {
            ReadyBatch[] group;
            lock (ready)
            {
                if (ready.Count == 0)
                {
                    combining = false;
                    return;
                }
                if (handOffAfterFirst && rounds == 1)
                {
                    _ = Task.Run(() => CombineAsync(handOffAfterFirst: false));
                    return;
                }
                group = ready.Take(MaxProjects).ToArray();
                ready.RemoveRange(0, group.Length);
            }
            await CommitGroupAsync(group);
        }
    }

    /// <summary>
    /// Commits these projects' batches in one transaction (one batch per project), or each project's apart when that
    /// transaction fails; every create is told its own result or refusal. What the node does with the batches of several
    /// projects that are ready at once.
    /// </summary>
    public Task CommitTogetherAsync(IReadOnlyList<(long ProjectId, PendingCreate[] Creates)> batches) =>
        CommitGroupAsync(batches.Select(b => new ReadyBatch(b.ProjectId, b.Creates)).ToArray());

    private async Task CommitGroupAsync(ReadyBatch[] group)
    {
        if (group.Length > 1)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var log = scope.ServiceProvider.GetRequiredService<ChangeLog>();
                var outcomes = await WriteAsync(log, group.Select(b => (b.ProjectId, (IReadOnlyList<PendingCreate>)b.Creates)).ToArray());
                for (var k = 0; k < group.Length; k++)
                {
                    Tell(group[k].Creates, outcomes[k]);
                    group[k].Done.TrySetResult();
                }
                return;
            }
            catch (Exception error)
            {
                // One project's batch failed them all (a document deleted meanwhile, say): each project's batch is written
                // apart, as a lone project's is, so that failure stays its own.
                logger.LogWarning(error, "A transaction of {Count} projects' creates failed; writing each project's apart", group.Length);
            }
        }
        foreach (var batch in group)
        {
            await CommitAsync(batch.ProjectId, batch.Creates);
            batch.Done.TrySetResult();
        }
    }

    /// <summary>Tells each writer of a committed batch its own result or refusal (only after the commit: nobody hears of a span that could still be rolled back).</summary>
    private static void Tell(PendingCreate[] batch, Outcome[] outcomes)
    {
        for (var i = 0; i < batch.Length; i++)
            if (outcomes[i].Refusal is { } refusal) batch[i].Done.TrySetException(refusal);
            else batch[i].Done.TrySetResult(outcomes[i].Result);
    }

    private async Task CommitAsync(long projectId, PendingCreate[] batch)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            Tell(batch, await WriteAsync(scope.ServiceProvider.GetRequiredService<ChangeLog>(), projectId, batch));
        }
        catch (ProblemException refusal)
        {
            // A refusal of the whole batch is told to each writer (an archived project is refused per create, after its access).
            foreach (var create in batch) create.Done.TrySetException(refusal);
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
    /// Writes the creates in one change-log write of two round trips (<see cref="ChangeLog.WriteBatchAsync{T}"/>): under the
    /// counter lock two reads fetch what each create needs to know (its writer's role, name and document state, the label,
    /// the locks) and every clash the batch could have; each create is decided in order, seeing the ones before it, and what
    /// was decided is inserted in two statements.
    /// </summary>
    public static async Task<Outcome[]> WriteAsync(ChangeLog log, long projectId, IReadOnlyList<PendingCreate> batch) =>
        (await WriteAsync(log, [(projectId, batch)]))[0];

    /// <summary>
    /// Several projects' batches in one change-log write (one batch per project): the same two reads for all of their
    /// creates, each project's creates decided under its own lock and numbered in its own log, and the same inserts.
    /// </summary>
    public static Task<Outcome[][]> WriteAsync(ChangeLog log, IReadOnlyList<(long ProjectId, IReadOnlyList<PendingCreate> Creates)> batches)
    {
        if (batches.Select(b => b.ProjectId).Distinct().Count() != batches.Count)
            throw new ArgumentException("One batch per project: a project's creates are decided together.", nameof(batches));
        var batch = batches.SelectMany(b => b.Creates).ToArray();
        var ids = batch.Select(c => c.Annotation.Id).Distinct().ToArray();
        NpgsqlBatchCommand[] reads =
        [
            // One row per create, in batch order (the role is the member's; the labels are listed only when the label is unknown).
            new("""
                SELECT x.i, d.project_id, m.role, u.display_name, l.name IS NOT NULL,
                       CASE WHEN l.name IS NULL THEN (SELECT string_agg(k.name, ', ' ORDER BY k.sort_order) FROM label_definitions k
                                                      WHERE k.project_id = d.project_id AND k.kind = x.kind) END,
                       EXISTS (SELECT 1 FROM document_curations c WHERE c.document_id = d.id AND c.state IN ('in_progress', 'curated')),
                       p.assignment,
                       EXISTS (SELECT 1 FROM assignments a WHERE a.document_id = d.id AND a.user_id = x.user_id AND a.kind = 'annotate'),
                       p.finished_locks,
                       (SELECT s.status FROM document_states s WHERE s.document_id = d.id AND s.user_id = x.user_id)
                FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS x(document_id, user_id, kind, label, i)
                JOIN documents d ON d.id = x.document_id
                JOIN projects p ON p.id = d.project_id
                LEFT JOIN label_definitions l ON l.project_id = d.project_id AND l.kind = x.kind AND l.name = x.label
                LEFT JOIN project_members m ON m.project_id = d.project_id AND m.user_id = x.user_id
                LEFT JOIN asp_net_users u ON u.id = x.user_id
                """)
            {
                Parameters =
                {
                    SqlColumns.Of(batch, c => c.Annotation.DocumentId),
                    SqlColumns.Of(batch, c => c.Annotation.AnnotatorId),
                    SqlColumns.Of(batch, c => c.Annotation.Layer == AnnotationLayer.Claim ? "claim" : "entity"),
                    SqlColumns.Of(batch, c => c.Annotation.Label),
                },
            },
            // A superset of the clashes (same uuid, or the same writer's span at the same place), narrowed while deciding.
            // Each create's own place is looked up (LATERAL, by the document and start index), not the cross product of
            // the batch's documents, writers and starts, which also matched places no create of the batch asked for.
            new($"""
                SELECT {AnnotationColumns} FROM annotations WHERE id = ANY($1)
                UNION ALL
                SELECT c.* FROM unnest($2::bigint[], $3::text[], $4::int[]) AS k(document_id, annotator_id, start),
                    LATERAL (SELECT {AnnotationColumns} FROM annotations a
                             WHERE a.document_id = k.document_id AND a.start = k.start AND a.annotator_id = k.annotator_id) c
                """)
            {
                Parameters =
                {
                    new() { Value = ids },
                    SqlColumns.Of(batch, c => c.Annotation.DocumentId),
                    SqlColumns.Of(batch, c => c.Annotation.AnnotatorId),
                    SqlColumns.Of(batch, c => c.Annotation.Start),
                },
            },
        ];
        return log.WriteBatchAsync(batches.Select(b => b.ProjectId).ToArray(), reads, async (reader, entries) =>
        {
            var contexts = new CreateContext?[batch.Length];
            while (await reader.ReadAsync()) contexts[reader.GetInt64(0) - 1] = ReadContext(reader);
            await reader.NextResultAsync();
            var present = new List<Annotation>();
            while (await reader.ReadAsync()) present.Add(ReadAnnotation(reader));
            var outcomes = new Outcome[batches.Count][];
            var inserted = new List<Annotation>(batch.Length);
            var started = new List<DocumentState>();
            var offset = 0;
            for (var k = 0; k < batches.Count; k++)
            {
                var (projectId, creates) = batches[k];
                var decided = Decide(projectId, entries[projectId], creates, contexts[offset..(offset + creates.Count)], present);
                offset += creates.Count;
                outcomes[k] = decided.Outcomes;
                inserted.AddRange(decided.Inserted);
                started.AddRange(decided.Started);
            }
            var writes = new List<NpgsqlBatchCommand>(2);
            if (inserted.Count > 0) writes.Add(InsertAnnotations(inserted));
            if (started.Count > 0) writes.Add(UpsertStates(started));
            return (outcomes, (IReadOnlyList<NpgsqlBatchCommand>)writes);
        }, decidesArchived: true);
    }

    /// <summary>What a create needs to know about its writer and document, read with it under the project's lock.</summary>
    /// <param name="Role">the writer's role in the document's project, null for a non-member</param>
    /// <param name="Labels">the project's labels of the span's layer, when its label is not one of them</param>
    /// <param name="Assigned">the document is assigned to the writer; <paramref name="Status"/>: their state of it (null: none yet)</param>
    private sealed record CreateContext(long ProjectId, ProjectRole? Role, string Name, bool LabelKnown, string? Labels, bool CurationLocked,
        AssignmentMode Assignment, bool Assigned, bool FinishedLocks, DocumentStatus? Status);

    private static CreateContext ReadContext(NpgsqlDataReader reader)
    {
        string? Text(int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
        return new(reader.GetInt64(1), Text(2) is { } role ? Enum.Parse<ProjectRole>(role, ignoreCase: true) : null, Text(3) ?? "",
            reader.GetBoolean(4), Text(5), reader.GetBoolean(6), Enum.Parse<AssignmentMode>(reader.GetString(7), ignoreCase: true),
            reader.GetBoolean(8), reader.GetBoolean(9), Text(10) is { } status ? Parse<DocumentStatus>(status) : null);
    }

    /// <summary>
    /// Each create in order: may its writer make it (the same rule as every other door, ProjectAccess; new spans need the
    /// assignment itself), then against what is stored and the creates before it in the batch.
    /// </summary>
    private static (Outcome[] Outcomes, List<Annotation> Inserted, List<DocumentState> Started) Decide(long projectId, ChangeEntries entries,
        IReadOnlyList<PendingCreate> batch, CreateContext?[] contexts, List<Annotation> present)
    {
        var outcomes = new Outcome[batch.Count];
        var inserted = new List<Annotation>(batch.Count);
        var started = new List<DocumentState>();
        var states = new Dictionary<(long, string), DocumentStatus>();
        foreach (var (create, context) in batch.Zip(contexts))
            if (context?.Status is { } status) states.TryAdd((create.Annotation.DocumentId, create.Annotation.AnnotatorId), status);
        for (var i = 0; i < batch.Count; i++)
        {
            var wanted = batch[i].Annotation;
            if (Refusal(projectId, entries.Archived, batch[i], contexts[i], states) is { } refusal)
            {
                outcomes[i] = new(default, refusal);
                continue;
            }
            var name = contexts[i]!.Name;
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
            inserted.Add(wanted);
            present.Add(wanted);
            // The first span someone makes on a new document moves it to in progress (within the same change).
            var key = (wanted.DocumentId, wanted.AnnotatorId);
            if (!states.TryGetValue(key, out var status) || status == DocumentStatus.New)
            {
                var state = new DocumentState { DocumentId = wanted.DocumentId, UserId = wanted.AnnotatorId, Status = DocumentStatus.InProgress, UpdatedAt = Clock.Now };
                states[key] = state.Status;
                started.Add(state);
                entries.Append(ChangeKind.DocumentStateChanged, state.DocumentId, null, null, state.UserId, state.UserId,
                    new DocumentStateView(state.DocumentId, state.UserId, name, state.Status, state.UpdatedAt));
            }
            var view = AnnotationView.Of(wanted, name);
            entries.Append(ChangeKind.AnnotationCreated, wanted.DocumentId, null, wanted.Id, wanted.AnnotatorId, wanted.AnnotatorId, view);
            outcomes[i] = new((view, true), null);
        }
        return (outcomes, inserted, started);
    }

    /// <summary>Why the writer may not make this create now, in the order the API answers: 404, archived, the locks, the label, the offsets.</summary>
    private static ProblemException? Refusal(long projectId, bool archived, PendingCreate create, CreateContext? context,
        Dictionary<(long, string), DocumentStatus> states)
    {
        var wanted = create.Annotation;
        // Deleted since its text was read, or (never) in another project than the one whose lock is held.
        if (context is null || context.ProjectId != projectId) return ProjectAccess.DocumentNotFound(wanted.DocumentId);
        try { ProjectAccess.RequireOpenable(create.SiteAdmin, wanted.DocumentId, context.Role, context.Assignment, context.Assigned); }
        catch (ProblemException notFound) { return notFound; }
        if (archived) return ProjectAccess.Archived(projectId);
        if (context.CurationLocked) return AnnotationWriter.CurationLocked(wanted.DocumentId);
        // Finished earlier in this batch counts too (a state change is written only through the log, never here).
        if (context.FinishedLocks && states.GetValueOrDefault((wanted.DocumentId, wanted.AnnotatorId)) == DocumentStatus.Finished)
            return Workflow.FinishedLock.Refusal(wanted.DocumentId);
        if (!context.LabelKnown) return AnnotationWriter.UnknownLabel(wanted.Layer, wanted.Label, context.Labels ?? "");
        return create.OffsetProblem;
    }

    private static bool SameSpan(Annotation a, Annotation b) =>
        a.AnnotatorId == b.AnnotatorId && a.DocumentId == b.DocumentId && a.Start == b.Start && a.End == b.End && a.Label == b.Label;

    // The annotations table as EF maps it (Annotation, AnnotationConfiguration): enums as their snake_case words.
    private const string AnnotationColumns =
        "id, project_id, document_id, annotator_id, layer, label, start, \"end\", text, attributes::text, note, version, origin, created_at, updated_at";

    private static Annotation ReadAnnotation(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetGuid(0), ProjectId = reader.GetInt64(1), DocumentId = reader.GetInt64(2), AnnotatorId = reader.GetString(3),
        Layer = Parse<AnnotationLayer>(reader.GetString(4)), Label = reader.GetString(5), Start = reader.GetInt32(6), End = reader.GetInt32(7),
        Text = reader.GetString(8), Attributes = reader.GetString(9), Note = reader.IsDBNull(10) ? null : reader.GetString(10),
        Version = reader.GetInt32(11), Origin = Parse<AnnotationOrigin>(reader.GetString(12)),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(13), UpdatedAt = reader.GetFieldValue<DateTimeOffset>(14),
    };

    private static NpgsqlBatchCommand InsertAnnotations(List<Annotation> spans) => new($"""
        INSERT INTO annotations ({AnnotationColumns.Replace("::text", "")})
        SELECT a.id, a.project_id, a.document_id, a.annotator_id, a.layer, a.label, a.start, a."end", a.text, a.attributes::jsonb,
               a.note, a.version, a.origin, a.created_at, a.updated_at
        FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::text[], $10::text[],
                    $11::text[], $12::int[], $13::text[], $14::timestamptz[], $15::timestamptz[])
            AS a(id, project_id, document_id, annotator_id, layer, label, start, "end", text, attributes, note, version, origin, created_at, updated_at)
        """)
    {
        Parameters =
        {
            SqlColumns.Of(spans, a => a.Id),
            SqlColumns.Of(spans, a => a.ProjectId),
            SqlColumns.Of(spans, a => a.DocumentId),
            SqlColumns.Of(spans, a => a.AnnotatorId),
            SqlColumns.Of(spans, a => Word(a.Layer)),
            SqlColumns.Of(spans, a => a.Label),
            SqlColumns.Of(spans, a => a.Start),
            SqlColumns.Of(spans, a => a.End),
            SqlColumns.Of(spans, a => a.Text),
            SqlColumns.Of(spans, a => a.Attributes),
            SqlColumns.Of(spans, a => a.Note),
            SqlColumns.Of(spans, a => a.Version),
            SqlColumns.Of(spans, a => Word(a.Origin)),
            SqlColumns.Of(spans, a => a.CreatedAt),
            SqlColumns.Of(spans, a => a.UpdatedAt),
        },
    };

    private static NpgsqlBatchCommand UpsertStates(List<DocumentState> states) => new("""
        INSERT INTO document_states (document_id, user_id, status, updated_at)
        SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[])
        ON CONFLICT (document_id, user_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
        """)
    {
        Parameters =
        {
            SqlColumns.Of(states, s => s.DocumentId),
            SqlColumns.Of(states, s => s.UserId),
            SqlColumns.Of(states, s => Word(s.Status)),
            SqlColumns.Of(states, s => s.UpdatedAt),
        },
    };

    private static string Word<TEnum>(TEnum value) where TEnum : struct, Enum => SnakeCaseEnumConverter<TEnum>.Word(value);
    private static TEnum Parse<TEnum>(string word) where TEnum : struct, Enum => SnakeCaseEnumConverter<TEnum>.Parse(word);
}
