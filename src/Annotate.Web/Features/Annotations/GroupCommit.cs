using System.Collections.Concurrent;
using Annotate.Web.Features.Documents;
using Annotate.Web.Features.LiveSync;
using Npgsql;

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
            await CommitAsync(projectId, batch);
        }
    }

    private async Task CommitAsync(long projectId, PendingCreate[] batch)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var outcomes = await WriteAsync(scope.ServiceProvider.GetRequiredService<ChangeLog>(), projectId, batch);
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
    /// Writes the creates in one change-log write of two round trips (<see cref="ChangeLog.WriteBatchAsync{T}"/>):
    /// under the counter lock two reads fetch every clash and every document state the batch touches, each create is
    /// decided in order, seeing the ones before it, and what was decided is inserted in two statements.
    /// </summary>
    public static Task<Outcome[]> WriteAsync(ChangeLog log, long projectId, IReadOnlyList<PendingCreate> batch)
    {
        var ids = batch.Select(c => c.Annotation.Id).Distinct().ToArray();
        var documents = batch.Select(c => c.Annotation.DocumentId).Distinct().ToArray();
        var users = batch.Select(c => c.Annotation.AnnotatorId).Distinct().ToArray();
        var starts = batch.Select(c => c.Annotation.Start).Distinct().ToArray();
        NpgsqlBatchCommand[] reads =
        [
            // A superset of the clashes (same uuid, or possibly the same span), narrowed while deciding.
            new($"""
                SELECT {AnnotationColumns} FROM annotations
                WHERE id = ANY($1) OR document_id = ANY($2) AND annotator_id = ANY($3) AND start = ANY($4)
                """) { Parameters = { new() { Value = ids }, new() { Value = documents }, new() { Value = users }, new() { Value = starts } } },
            new("SELECT document_id, user_id, status FROM document_states WHERE document_id = ANY($1) AND user_id = ANY($2)")
                { Parameters = { new() { Value = documents }, new() { Value = users } } },
        ];
        return log.WriteBatchAsync(projectId, reads, async (reader, entries) =>
        {
            var present = new List<Annotation>();
            while (await reader.ReadAsync()) present.Add(ReadAnnotation(reader));
            await reader.NextResultAsync();
            var states = new Dictionary<(long, string), DocumentStatus>();
            while (await reader.ReadAsync()) states[(reader.GetInt64(0), reader.GetString(1))] = Parse<DocumentStatus>(reader.GetString(2));
            var (outcomes, inserted, started) = Decide(entries, batch, present, states);
            var writes = new List<NpgsqlBatchCommand>(2);
            if (inserted.Count > 0) writes.Add(InsertAnnotations(inserted));
            if (started.Count > 0) writes.Add(UpsertStates(started));
            return (outcomes, writes);
        });
    }

    /// <summary>Each create in order, against what is stored and the creates before it in the batch.</summary>
    private static (Outcome[] Outcomes, List<Annotation> Inserted, List<DocumentState> Started) Decide(ChangeEntries entries,
        IReadOnlyList<PendingCreate> batch, List<Annotation> present, Dictionary<(long, string), DocumentStatus> states)
    {
        var outcomes = new Outcome[batch.Count];
        var inserted = new List<Annotation>(batch.Count);
        var started = new List<DocumentState>();
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
