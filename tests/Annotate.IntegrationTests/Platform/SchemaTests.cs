using Npgsql;

namespace Annotate.IntegrationTests.Platform;

/// <summary>The database the migrations build is the one the code expects, and it guards what must not change.</summary>
public class SchemaTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    [Fact]
    public void The_model_has_no_change_that_lacks_a_migration()
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // A model change without `./annotate migration add NAME` would otherwise show up only as odd query failures.
        Assert.False(db.Database.HasPendingModelChanges(), "The EF model differs from the last migration: run ./annotate migration add NAME.");
        Assert.Empty(db.Database.GetPendingMigrations());
    }

    [Fact]
    public async Task The_change_log_refuses_updates_deletes_and_truncation()
    {
        var lead = await factory.SignUpAsync("lead");
        var projectId = await lead.ProjectAsync("Log " + Guid.NewGuid());
        var form = new MultipartFormDataContent { { new ByteArrayContent("The ferry burned on Monday."u8.ToArray()), "files", "a.txt" } };
        var documentId = (await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("created")[0].GetProperty("id").GetInt64();
        (await lead.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", new { layer = "entity", label = "EVENT", start = 4, end = 10 })).EnsureSuccessStatusCode();

        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        foreach (var sql in new[]
        {
            $"UPDATE change_events SET kind = kind WHERE project_id = {projectId}",
            $"DELETE FROM change_events WHERE project_id = {projectId}",
            "TRUNCATE change_events CASCADE",
        })
        {
            // Each attempt in a transaction that is rolled back, and that gives up rather than wait long for a lock:
            // the database is shared with the other test classes, and TRUNCATE would lock the whole log.
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.Database.ExecuteSqlRawAsync("SET LOCAL lock_timeout = '5s'");
            var refused = await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync(sql));
            Assert.Contains("append-only", refused.MessageText);
            await transaction.RollbackAsync();
        }
        var events = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events?after=0");
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("kind").GetString() == "annotation_created");
    }
}
