using System.Text.Json;
using Annotate.Web.Data;
using Annotate.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Annotate.Web.Features.LiveSync;

/// <summary>
/// Writes changes of one project together with their log entries, in one transaction:
/// 1. lock the project's counter row (FOR UPDATE): writers of one project queue here, so sequences are
///    handed out in the order the transactions will commit, without gaps;
/// 2. run the change and append its events;
/// 3. store the events, move the counter and queue a NOTIFY (PostgreSQL delivers it only on commit);
/// 4. commit. Every app node LISTENs and broadcasts what the log says (see ChangeBroadcaster).
/// </summary>
public class ChangeLog(AppDbContext db)
{
    public const string Channel = "annotate_changes";

    private readonly List<ChangeEvent> pending = [];
    private long projectId;
    private long lastSequence;

    /// <remarks>
    /// Inside a transaction the caller already holds (an import), the change joins it: the caller commits, and
    /// the NOTIFY, the counter and the entries become visible together with the rest of its work, or not at all.
    /// </remarks>
    public async Task<T> WriteAsync<T>(long project, Func<Task<T>> change)
    {
        var joined = db.Database.CurrentTransaction is not null;
        await using var transaction = joined ? null : await db.Database.BeginTransactionAsync();
        projectId = project;
        pending.Clear();
        lastSequence = await LockCounterAsync(project);
        var result = await change();
        if (pending.Count > 0)
        {
            db.ChangeEvents.AddRange(pending);
            await db.Database.ExecuteSqlAsync($"UPDATE project_sequences SET last_sequence = {lastSequence} WHERE project_id = {project}");
            // The first sequence of this change: a node that has not seen the project yet starts there.
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {$"{project}:{pending[0].Sequence}"})");
        }
        await db.SaveChangesAsync();
        if (transaction is not null) await transaction.CommitAsync();
        pending.Clear();
        return result;
    }

    /// <summary>Appends an event to the change being written (only inside <see cref="WriteAsync{T}"/>).</summary>
    public ChangeEvent Append(ChangeKind kind, long? documentId, long? otherDocumentId, Guid? subjectId, string ownerId, string actorId, object data)
    {
        var change = new ChangeEvent
        {
            ProjectId = projectId,
            Sequence = ++lastSequence,
            Kind = kind,
            DocumentId = documentId,
            OtherDocumentId = otherDocumentId == documentId ? null : otherDocumentId,
            SubjectId = subjectId,
            OwnerId = ownerId,
            ActorId = actorId,
            Data = JsonSerializer.Serialize(data, JsonOptions.Api),
            CreatedAt = Clock.Now,
        };
        pending.Add(change);
        return change;
    }

    private async Task<long> LockCounterAsync(long project)
    {
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO project_sequences (project_id, last_sequence) VALUES ({project}, 0) ON CONFLICT (project_id) DO NOTHING");
        var current = await db.Database
            .SqlQuery<long>($"SELECT last_sequence AS \"Value\" FROM project_sequences WHERE project_id = {project} FOR UPDATE")
            .ToListAsync();
        return current[0];
    }
}
