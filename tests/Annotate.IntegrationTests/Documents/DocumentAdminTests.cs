using Annotate.IntegrationTests.LiveSync;
using Annotate.Web.Features.LiveSync;
using Npgsql;

namespace Annotate.IntegrationTests.Documents;

/// <summary>Managers rename and delete documents; both reach open pages live, and a deletion leaves no readable trace.</summary>
public class DocumentAdminTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    private const string First = "The ministry said 40 villages were shelled near the river on Monday.";
    private const string Second = "Residents said no village near the river was shelled on Monday at all.";

    private async Task<(SignedInClient Lead, SignedInClient Ana, SignedInClient Rita, SignedInClient Outsider, long ProjectId, long[] Docs)> ProjectAsync(string visibility = "open")
    {
        var lead = await factory.PersonAsync("lead");
        var ana = await factory.PersonAsync("ana");
        var rita = await factory.PersonAsync("rita");
        var outsider = await factory.PersonAsync("outsider");
        var (projectId, docs) = await LiveFactory.ProjectAsync(lead, visibility, [(ana, "annotator"), (rita, "reviewer")], First, Second);
        return (lead, ana, rita, outsider, projectId, docs);
    }

    private static async Task<Guid> ClaimAsync(SignedInClient person, long documentId, int start, int end)
    {
        var created = await (await person.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", new { layer = "claim", label = "CLAIM", start, end }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        return created.GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task A_manager_renames_a_document_open_pages_hear_it_and_bad_titles_and_other_roles_are_refused()
    {
        var (lead, ana, rita, outsider, projectId, docs) = await ProjectAsync("blind");
        await using var anaLive = await factory.LiveAsync(ana);
        await anaLive.JoinAsync(docs[0]);

        var renamed = await lead.Http.PatchAsJsonAsync($"/api/documents/{docs[0]}", new { title = "  Shelling near the river  " });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("Shelling near the river", (await renamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal("Shelling near the river", (await ana.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{docs[0]}")).GetProperty("title").GetString());
        // A blind annotator hears of it too: a new title is nobody's work.
        await anaLive.WaitUntilAsync(c => c.Events.Any(e => e.Kind == "document_renamed"));
        var heard = anaLive.Events.Single(e => e.Kind == "document_renamed").Data;
        Assert.Equal(docs[0], heard.GetProperty("documentId").GetInt64());
        Assert.Equal("Shelling near the river", heard.GetProperty("title").GetString());

        foreach (var (title, says) in new[] { ("   ", "needs a title"), (new string('x', 501), "at most 500"), ("bad\u0000title", "contains") })
        {
            var refused = await lead.Http.PatchAsJsonAsync($"/api/documents/{docs[0]}", new { title });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(says, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await ana.Http.PatchAsJsonAsync($"/api/documents/{docs[0]}", new { title = "Mine" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await rita.Http.PatchAsJsonAsync($"/api/documents/{docs[0]}", new { title = "Mine" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.Http.PatchAsJsonAsync($"/api/documents/{docs[0]}", new { title = "Mine" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await lead.Http.PatchAsJsonAsync("/api/documents/999999999", new { title = "Mine" })).StatusCode);
        Assert.Equal("Shelling near the river", (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{docs[0]}")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Deleting_a_document_takes_its_spans_and_links_redacts_its_log_and_tells_both_articles_pages()
    {
        var (lead, ana, rita, outsider, projectId, docs) = await ProjectAsync();
        var villages = await ClaimAsync(ana, docs[0], 18, 49);   // "40 villages were shelled near th"
        var denial = await ClaimAsync(ana, docs[1], 0, 41);
        var alsoHere = await ClaimAsync(ana, docs[0], 0, 16);
        foreach (var (from, to) in new[] { (denial, villages), (villages, alsoHere) })
            (await ana.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type = "CONTRADICTS", from, to })).EnsureSuccessStatusCode();
        var secret = (await ana.Http.GetFromJsonAsync<JsonElement>($"/api/annotations/{villages}")).GetProperty("text").GetString()!;
        await using var onFirst = await factory.LiveAsync(ana);
        await onFirst.JoinAsync(docs[0]);
        await using var onSecond = await factory.LiveAsync(rita);
        await onSecond.JoinAsync(docs[1]);
        Assert.Single(onSecond.Relations);

        foreach (var refused in new[] { ana, rita })
            Assert.Equal(HttpStatusCode.Forbidden, (await refused.Http.DeleteAsync($"/api/documents/{docs[0]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.Http.DeleteAsync($"/api/documents/{docs[0]}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await lead.Http.DeleteAsync($"/api/documents/{docs[0]}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await lead.Http.GetAsync($"/api/documents/{docs[0]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await lead.Http.GetAsync($"/api/annotations/{villages}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await lead.Http.DeleteAsync($"/api/documents/{docs[0]}")).StatusCode);
        Assert.Empty((await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/relations")).EnumerateArray());
        var left = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items");
        Assert.Equal([docs[1]], left.EnumerateArray().Select(d => d.GetProperty("id").GetInt64()));
        // The other article keeps its claim; the link from it to the deleted article's claim is gone, and its page heard so.
        Assert.Equal(HttpStatusCode.OK, (await lead.Http.GetAsync($"/api/annotations/{denial}")).StatusCode);
        await onSecond.WaitUntilAsync(c => c.Relations.Count == 0);
        await onFirst.WaitUntilAsync(c => c.Events.Any(e => e.Kind == "document_deleted"));

        // The log keeps every sequence and kind; what the deleted article's entries said is gone.
        var events = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events?after=0")).EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.DoesNotContain(secret, string.Join("\n", events.Select(e => e.GetRawText())));
        Assert.DoesNotContain("40 villages", string.Join("\n", events.Select(e => e.GetRawText())));
        var ofFirst = events.Where(e => e.GetProperty("documentId").GetInt64() == docs[0] && e.GetProperty("kind").GetString() != "document_deleted").ToList();
        Assert.Contains(ofFirst, e => e.GetProperty("kind").GetString() == "annotation_created");
        Assert.All(ofFirst, e => Assert.Equal("""{"redacted":true}""", e.GetProperty("data").GetRawText()));
        var crossLink = events.Single(e => e.GetProperty("kind").GetString() == "relation_created" && e.GetProperty("documentId").GetInt64() == docs[1]);
        Assert.Equal("""{"redacted":true}""", crossLink.GetProperty("data").GetRawText());
        // The second article's own span is untouched.
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "annotation_created" && e.GetProperty("data").TryGetProperty("id", out var id) && id.GetGuid() == denial);
    }

    [Fact]
    public async Task The_append_only_trigger_allows_exactly_the_redaction_of_a_deleted_documents_entries()
    {
        var (lead, ana, _, _, projectId, docs) = await ProjectAsync();
        await ClaimAsync(ana, docs[0], 18, 49);
        await ClaimAsync(ana, docs[1], 0, 41);
        Assert.Equal(HttpStatusCode.NoContent, (await lead.Http.DeleteAsync($"/api/documents/{docs[0]}")).StatusCode);

        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var redacted = ChangeEvent.Redacted;
        foreach (var sql in new[]
        {
            // A live document's entries cannot be redacted.
            $"UPDATE change_events SET data = '{redacted}'::json WHERE project_id = {projectId} AND document_id = {docs[1]}",
            // A deleted document's entries: only to exactly the redacted text, and nothing else may change with it.
            $"UPDATE change_events SET data = '{{\"redacted\":false}}'::json WHERE project_id = {projectId} AND document_id = {docs[0]}",
            $"UPDATE change_events SET data = '{redacted}'::json, kind = 'annotation_deleted' WHERE project_id = {projectId} AND document_id = {docs[0]}",
            $"UPDATE change_events SET data = '{redacted}'::json, actor_id = owner_id || 'x' WHERE project_id = {projectId} AND document_id = {docs[0]}",
            $"UPDATE change_events SET data = '{redacted}'::json, document_id = NULL WHERE project_id = {projectId} AND document_id = {docs[0]}",
            $"UPDATE change_events SET kind = kind WHERE project_id = {projectId}",
            $"DELETE FROM change_events WHERE project_id = {projectId} AND document_id = {docs[0]}",
        })
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.Database.ExecuteSqlRawAsync("SET LOCAL lock_timeout = '5s'");
            // Raw SQL reads braces as placeholders: doubled, they stay braces.
            var refused = await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync(sql.Replace("{", "{{").Replace("}", "}}")));
            Assert.Contains("append-only", refused.MessageText);
            await transaction.RollbackAsync();
        }
        // Redacting a deleted document's entry once more is the same redaction, and allowed.
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            var again = await db.Database.ExecuteSqlAsync(
                $"UPDATE change_events SET data = {redacted}::json WHERE project_id = {projectId} AND document_id = {docs[0]} AND kind <> 'document_deleted'");
            Assert.True(again > 0);
            await transaction.RollbackAsync();
        }
        var kinds = await db.ChangeEvents.AsNoTracking().Where(e => e.ProjectId == projectId && e.DocumentId == docs[1]).Select(e => e.Data).ToListAsync();
        Assert.All(kinds, data => Assert.NotEqual(redacted, data));
    }

    [Fact]
    public async Task Deletion_removes_the_documents_row_from_agreement_reports_and_the_projects_exports()
    {
        var (lead, ana, _, _, projectId, docs) = await ProjectAsync();
        await ClaimAsync(ana, docs[0], 18, 49);
        var export = await (await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/exports", new { format = "annotate-jsonl" }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        using (var scope = factory.Services.CreateScope())
        {
            // A finished report naming both documents, as the agreement job writes them.
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var result = JsonSerializer.Serialize(new { documents = new[] { new { documentId = docs[0], title = "doc0" }, new { documentId = docs[1], title = "doc1" } }, spanF1 = 0.5 });
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO agreement_reports (project_id, scope, reason, status, done, total, attempts, result, created_at)
                VALUES ({projectId}, 'all', 'manual', 'succeeded', 1, 1, 1, {result}::jsonb, now())
                """);
        }
        Assert.Equal(HttpStatusCode.NoContent, (await lead.Http.DeleteAsync($"/api/documents/{docs[0]}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await lead.Http.GetAsync($"/api/exports/{export.GetProperty("id").GetInt64()}")).StatusCode);
        using var check = factory.Services.CreateScope();
        var reports = await check.ServiceProvider.GetRequiredService<AppDbContext>().AgreementReports.AsNoTracking()
            .Where(r => r.ProjectId == projectId).Select(r => r.Result).ToListAsync();
        var report = JsonDocument.Parse(Assert.Single(reports)!).RootElement;
        Assert.Equal([docs[1]], report.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("documentId").GetInt64()));
        Assert.Equal(0.5, report.GetProperty("spanF1").GetDouble());
    }
}
