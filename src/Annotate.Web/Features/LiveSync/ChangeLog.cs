using System.Text.Json;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Annotate.Web.Features.LiveSync;

/// <summary>
/// Writes changes of one project together with their log entries, in one transaction:
/// 1. lock the project's counter row (FOR UPDATE) and check the project is not archived, in one round trip:
///    writers of one project queue here, so sequences are handed out in the order the transactions will commit,
///    without gaps (GroupCommit lets one project's writers on a node share this step and the commit);
/// 2. run the change and append its events;
/// 3. store the events, move the counter and queue a NOTIFY (PostgreSQL delivers it only on commit);
/// 4. commit. Every app node LISTENs and broadcasts what the log says (see ChangeBroadcaster).
/// </summary>
public class ChangeLog(AppDbContext db, TimeProvider time, ChangeBroadcaster broadcaster)
{
    public const string Channel = "annotate_changes";

    /// <summary>
    /// Runs <paramref name="change"/> under the project's counter lock; it appends its log entries to the
    /// <see cref="ChangeEntries"/> it is handed, the only place an entry can be made, so none can be written apart
    /// from its change.
    /// </summary>
    /// <remarks>
    /// Inside a transaction the caller already holds (an import), the change joins it: the caller commits, and
    /// the NOTIFY, the counter and the entries become visible together with the rest of its work, or not at all.
    /// </remarks>
    public async Task<T> WriteAsync<T>(long project, Func<ChangeEntries, Task<T>> change)
    {
        var joined = db.Database.CurrentTransaction is not null;
        await using var transaction = joined ? null : await db.Database.BeginTransactionAsync();
        var (last, archived) = await LockCounterAsync(project);
        if (archived) throw Projects.ProjectAccess.Archived(project);
        var entries = new ChangeEntries(project, last, Clock.Truncate(time.GetUtcNow()));
        var result = await change(entries);
        entries.Close();
        if (entries.Pending.Count > 0)
        {
            db.ChangeEvents.AddRange(entries.Pending);
            // The counter moves and the NOTIFY is queued in one statement (one round trip under the lock). The payload
            // is the first sequence of this change: a node that has not seen the project yet starts there.
            await db.Database.ExecuteSqlAsync($"""
                WITH moved AS (UPDATE project_sequences SET last_sequence = {entries.LastSequence} WHERE project_id = {project} RETURNING project_id)
                SELECT pg_notify({Channel}, {$"{project}:{entries.Pending[0].Sequence}"}) FROM moved
                """);
        }
        // The change is all or nothing with its transaction, so EF's savepoint around SaveChanges (two round trips
        // under the project's lock, for every write) buys nothing here.
        db.Database.AutoSavepointsEnabled = false;
        await db.SaveChangesAsync();
        if (transaction is not null)
        {
            broadcaster.Committing(project, entries.Pending);
            try { await transaction.CommitAsync(); }
            catch
            {
                broadcaster.Unsure(project, entries.Pending);
                throw;
            }
            broadcaster.Committed(project, entries.Pending);
        }
        return result;
    }

    /// <summary>
    /// The same write in two round trips and without EF, for batches of span creates (GroupCommit), where every round
    /// trip under a project's lock is paid by all of its waiting writers, and for several projects at once:
    /// 1. BEGIN, every project's counter lock and archived check (one statement each for all of them), and the
    ///    change's own <paramref name="reads"/>;
    /// 2. <paramref name="decide"/> reads their results (the reader stands on the first of them), appends each
    ///    project's entries to that project's <see cref="ChangeEntries"/> and returns its writes; those are sent with
    ///    the entries, the counters with their NOTIFYs (one statement each for all projects), and one COMMIT: one
    ///    flush for all of them.
    /// Projects that each have one writer (a node serving many small teams) would otherwise pay a transaction, two
    /// round trips, a dozen statements and a flush per create. The counters are locked in project id order, so two
    /// such transactions never wait on each other in a circle. Each project's log stays gapless and in commit order:
    /// its entries are numbered under its own lock. Inside a transaction the caller holds on this context, the write
    /// joins it (no BEGIN, no COMMIT).
    /// </summary>
    /// <param name="decidesArchived">an archived project is refused by <paramref name="decide"/> itself (it sees
    /// <see cref="ChangeEntries.Archived"/>, and can append nothing), after what it must refuse first: a caller who may
    /// not know the project exists is told it does not, not that it is archived</param>
    public async Task<T> WriteBatchAsync<T>(IReadOnlyCollection<long> projects, IReadOnlyList<NpgsqlBatchCommand> reads,
        Func<NpgsqlDataReader, IReadOnlyDictionary<long, ChangeEntries>, Task<(T Result, IReadOnlyList<NpgsqlBatchCommand> Writes)>> decide,
        bool decidesArchived = false)
    {
        var ordered = projects.Distinct().Order().ToArray();
        var joined = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await connection.OpenAsync();
        var begun = false;
        var entries = new Dictionary<long, ChangeEntries>();
        var announced = false; // the commit was sent: whether it happened is not known until its answer
        try
        {
            await using var first = new NpgsqlBatch(connection, joined);
            if (joined is null)
            {
                first.BatchCommands.Add(new("BEGIN"));
                // The batch's statements are prepared (the app pool's Max Auto Prepare), but PostgreSQL still plans a
                // statement afresh on every call while its plan for the values at hand looks cheaper than the generic one:
                // a span create's context read took 0.8 ms of planning for 0.1 ms of work. Plan once per connection here.
                first.BatchCommands.Add(new("SET LOCAL plan_cache_mode = force_generic_plan"));
            }
            foreach (var command in LockCommands(ordered)) first.BatchCommands.Add(command);
            foreach (var command in reads) first.BatchCommands.Add(command);
            begun = joined is null;
            (T Result, IReadOnlyList<NpgsqlBatchCommand> Writes) decided;
            await using (var reader = await first.ExecuteReaderAsync())
            {
                var locks = await ReadLocksAsync(reader);
                var at = Clock.Truncate(time.GetUtcNow());
                foreach (var project in ordered)
                {
                    var (last, archived) = locks[project];
                    if (archived && !decidesArchived) throw Projects.ProjectAccess.Archived(project);
                    entries[project] = new ChangeEntries(project, last, at) { Archived = archived };
                }
                await reader.NextResultAsync();
                decided = await decide(reader, entries);
                foreach (var projectEntries in entries.Values) projectEntries.Close();
            }
            var pending = ordered.Select(p => entries[p]).Where(e => e.Pending.Count > 0).ToArray();
            await using var second = new NpgsqlBatch(connection, joined);
            foreach (var command in decided.Writes) second.BatchCommands.Add(command);
            if (pending.Length > 0)
            {
                second.BatchCommands.Add(InsertEntries(pending));
                second.BatchCommands.Add(MoveCounters(pending));
            }
            if (joined is null)
            {
                second.BatchCommands.Add(new("COMMIT"));
                foreach (var project in ordered) broadcaster.Committing(project, entries[project].Pending);
                announced = true;
            }
            if (second.BatchCommands.Count > 0) await second.ExecuteNonQueryAsync();
            begun = false;
            if (joined is null) foreach (var project in ordered) broadcaster.Committed(project, entries[project].Pending);
            return decided.Result;
        }
        catch when (begun)
        {
            if (announced) foreach (var project in ordered) broadcaster.Unsure(project, entries[project].Pending);
            // Nothing of a failed batch may stay behind on a pooled connection: end its transaction before it goes back.
            try { await using var rollback = new NpgsqlCommand("ROLLBACK", connection); await rollback.ExecuteNonQueryAsync(); }
            catch (Exception) when (connection.State != System.Data.ConnectionState.Open) { }
            throw;
        }
        finally
        {
            if (opened) await connection.CloseAsync();
        }
    }

    /// <summary>Every entry of the change, of every project in it, in one statement, its columns sent as arrays.</summary>
    private static NpgsqlBatchCommand InsertEntries(IEnumerable<ChangeEntries> changes)
    {
        var pending = changes.SelectMany(c => c.Pending).ToList();
        return new("""
            INSERT INTO change_events (project_id, sequence, kind, document_id, other_document_id, subject_id, owner_id, actor_id, data, created_at)
            SELECT e.project_id, e.sequence, e.kind, e.document_id, e.other_document_id, e.subject_id, e.owner_id, e.actor_id, e.data::json, e.created_at
            FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::uuid[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
                AS e(project_id, sequence, kind, document_id, other_document_id, subject_id, owner_id, actor_id, data, created_at)
            """)
        {
            Parameters =
            {
                SqlColumns.Of(pending, e => e.ProjectId),
                SqlColumns.Of(pending, e => e.Sequence),
                SqlColumns.Of(pending, e => SnakeCaseEnumConverter<ChangeKind>.Word(e.Kind)),
                SqlColumns.Of(pending, e => e.DocumentId),
                SqlColumns.Of(pending, e => e.OtherDocumentId),
                SqlColumns.Of(pending, e => e.SubjectId),
                SqlColumns.Of(pending, e => e.OwnerId),
                SqlColumns.Of(pending, e => e.ActorId),
                SqlColumns.Of(pending, e => e.Data),
                SqlColumns.Of(pending, e => e.CreatedAt),
            },
        };
    }

    /// <summary>
    /// Every project's counter moves and its NOTIFY is queued, in one statement. A NOTIFY's payload is the first sequence
    /// of the project's part of this change: a node that has not seen the project yet starts there.
    /// </summary>
    private static NpgsqlBatchCommand MoveCounters(IReadOnlyList<ChangeEntries> changes) => new($"""
        WITH moved AS (
            UPDATE project_sequences s SET last_sequence = m.last_sequence
            FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS m(project_id, last_sequence, payload)
            WHERE s.project_id = m.project_id
            RETURNING m.project_id, m.payload)
        SELECT pg_notify('{Channel}', payload) FROM moved ORDER BY project_id
        """)
    {
        Parameters =
        {
            SqlColumns.Of(changes, c => c.ProjectId),
            SqlColumns.Of(changes, c => c.LastSequence),
            SqlColumns.Of(changes, c => $"{c.ProjectId}:{c.Pending[0].Sequence}"),
        },
    };

    /// <summary>
    /// Archives or unarchives the project under its counter lock: a write that took the lock first commits before the
    /// project is archived, and one that comes after reads the new state (see <see cref="LockCounterAsync"/>).
    /// </summary>
    public async Task SetArchivedAsync(long project, DateTimeOffset? archivedAt)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        await LockCounterAsync(project);
        await db.Database.ExecuteSqlAsync($"UPDATE projects SET archived_at = {archivedAt} WHERE id = {project}");
        await transaction.CommitAsync();
    }

    /// <summary>
    /// Creates the project's counter on first use and locks its row (the no-op update takes the lock FOR UPDATE would,
    /// so writers of one project queue here), then reads whether the project is archived: an archived project is
    /// read-only, and every write to it comes through here. Two statements sent in one round trip: the second gets
    /// its own snapshot once the lock is held, so it sees an archiving that committed while this writer waited.
    /// </summary>
    private async Task<(long LastSequence, bool Archived)> LockCounterAsync(long project)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var batch = new NpgsqlBatch(connection, (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());
        foreach (var command in LockCommands(project)) batch.BatchCommands.Add(command);
        await using var reader = await batch.ExecuteReaderAsync();
        return (await ReadLocksAsync(reader))[project];
    }

    private static NpgsqlBatchCommand[] LockCommands(long project) => LockCommands([project]);

    /// <summary>
    /// The counters' locks, taken in the order of <paramref name="projects"/> (ascending ids: see WriteBatchAsync), and
    /// the projects' archived flags, read once the locks are held.
    /// </summary>
    private static NpgsqlBatchCommand[] LockCommands(long[] projects) =>
    [
        new("""
            INSERT INTO project_sequences AS s (project_id, last_sequence)
            SELECT p.id, 0 FROM unnest($1::bigint[]) WITH ORDINALITY AS p(id, n) ORDER BY p.n
            ON CONFLICT (project_id) DO UPDATE SET last_sequence = s.last_sequence
            RETURNING s.project_id, s.last_sequence
            """) { Parameters = { new() { Value = projects } } },
        new("SELECT id, archived_at IS NOT NULL FROM projects WHERE id = ANY($1)") { Parameters = { new() { Value = projects } } },
    ];

    /// <summary>Reads what <see cref="LockCommands(long[])"/> answered; the reader is left on the archived check's result.</summary>
    private static async Task<Dictionary<long, (long LastSequence, bool Archived)>> ReadLocksAsync(NpgsqlDataReader reader)
    {
        var locks = new Dictionary<long, (long LastSequence, bool Archived)>();
        while (await reader.ReadAsync()) locks[reader.GetInt64(0)] = (reader.GetInt64(1), false);
        await reader.NextResultAsync();
        while (await reader.ReadAsync())
        {
            var project = reader.GetInt64(0);
            locks[project] = (locks[project].LastSequence, reader.GetBoolean(1));
        }
        return locks;
    }
}

/// <summary>
/// The log entries of one change while <see cref="ChangeLog.WriteAsync{T}"/> writes it: handed only to that change,
/// numbered from the locked counter, and closed when the change returns (an entry kept for later cannot be appended).
/// </summary>
public sealed class ChangeEntries
{
    private readonly long projectId;
    private bool closed;

    private readonly DateTimeOffset at;

    /// <param name="at">when the change is written, from the app's TimeProvider (a test's own clock stamps the log it reads)</param>
    internal ChangeEntries(long projectId, long lastSequence, DateTimeOffset at) => (this.projectId, LastSequence, this.at) = (projectId, lastSequence, at);

    internal List<ChangeEvent> Pending { get; } = [];
    internal long LastSequence { get; private set; }
    internal long ProjectId => projectId;

    /// <summary>The project is archived (read-only): nothing can be appended. Only a batch that decides it sees this (see WriteBatchAsync).</summary>
    public bool Archived { get; internal init; }

    internal void Close() => closed = true;

    public ChangeEvent Append(ChangeKind kind, long? documentId, long? otherDocumentId, Guid? subjectId, string ownerId, string actorId, object data)
    {
        if (closed) throw new InvalidOperationException("This change has been written: append entries inside the change that ChangeLog.WriteAsync runs.");
        if (Archived) throw Projects.ProjectAccess.Archived(projectId);
        var change = new ChangeEvent
        {
            ProjectId = projectId,
            Sequence = ++LastSequence,
            Kind = kind,
            DocumentId = documentId,
            OtherDocumentId = otherDocumentId == documentId ? null : otherDocumentId,
            SubjectId = subjectId,
            OwnerId = ownerId,
            ActorId = actorId,
            Data = JsonSerializer.Serialize(data, JsonOptions.Api),
            CreatedAt = at,
        };
        Pending.Add(change);
        return change;
    }
}

