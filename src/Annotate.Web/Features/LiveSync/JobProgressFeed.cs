using System.Text.Json;

namespace Annotate.Web.Features.LiveSync;

/// <summary>How far a background job is, as the `JobProgress` client method receives it.</summary>
public record JobProgressReport(string Kind, long Id, Jobs.JobStatus Status, int Done, int Total, string? Error = null);

/// <summary>
/// Publishes a job's progress to the managers watching its project, on every app node: the job runs on one node,
/// but the manager's page may be connected to another. Like changes, the report travels as a PostgreSQL NOTIFY;
/// each node's ChangeBroadcaster hears it and sends it to its own connections in the project's jobs group.
/// </summary>
public class JobProgressFeed(AppDbContext db)
{
    public const string Channel = "annotate_jobs";

    /// <summary>NOTIFY payloads stay under 8,000 bytes: a long error is cut here (the API has it whole).</summary>
    private const int MaxErrorLength = 1000;

    public virtual async Task PublishAsync(long projectId, JobProgressReport report, CancellationToken cancellationToken = default)
    {
        if (report.Error is { } error && CodePoints.Count(error) > MaxErrorLength)
            report = report with { Error = error[..CodePoints.ToUtf16Index(error, MaxErrorLength)] + "…" }; // never half a character
        var payload = JsonSerializer.Serialize(new { projectId, report }, JsonOptions.Api);
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {payload})", cancellationToken);
    }

    /// <summary>Reads a payload back: the project and the report as the client receives it.</summary>
    public static (long ProjectId, JsonElement Report)? Parse(string payload)
    {
        try
        {
            using var json = JsonDocument.Parse(payload);
            return (json.RootElement.GetProperty("projectId").GetInt64(), json.RootElement.GetProperty("report").Clone());
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
