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
public class ChangeLog(AppDbContext db, TimeProvider time)
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
        if (transaction is not null) await transaction.CommitAsync();
        return result;
    }

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
        await using var batch = new NpgsqlBatch(connection, (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction())
        {
            BatchCommands =
            {
                new("""
                    INSERT INTO project_sequences AS s (project_id, last_sequence) VALUES ($1, 0)
                    ON CONFLICT (project_id) DO UPDATE SET last_sequence = s.last_sequence
                    RETURNING s.last_sequence
                    """) { Parameters = { new() { Value = project } } },
                new("SELECT archived_at IS NOT NULL FROM projects WHERE id = $1") { Parameters = { new() { Value = project } } },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync();
        await reader.ReadAsync();
        var last = reader.GetInt64(0);
        await reader.NextResultAsync();
        var archived = await reader.ReadAsync() && reader.GetBoolean(0);
        return (last, archived);
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

    internal void Close() => closed = true;

    public ChangeEvent Append(ChangeKind kind, long? documentId, long? otherDocumentId, Guid? subjectId, string ownerId, string actorId, object data)
    {
        if (closed) throw new InvalidOperationException("This change has been written: append entries inside the change that ChangeLog.WriteAsync runs.");
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
