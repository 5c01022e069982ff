using Annotate.Web.Features.Workflow;
using Microsoft.AspNetCore.Hosting;

namespace Annotate.IntegrationTests.Workflow;

/// <summary>A clock the test moves: the app reads time through the TimeProvider it is given.</summary>
public sealed class ManualClock : TimeProvider
{
    private readonly DateTimeOffset start = DateTimeOffset.UtcNow;
    private TimeSpan offset;
    public void Advance(TimeSpan by) { lock (this) offset += by; }
    public override DateTimeOffset GetUtcNow() { lock (this) return start + (DateTimeOffset.UtcNow - start) + offset; }
}

/// <summary>The app with a clock the test controls.</summary>
public sealed class ClockFactory : AnnotateFactory
{
    public ManualClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

public class DynamicAssignmentTests(ClockFactory factory) : IClassFixture<ClockFactory>
{
    private async Task<(SignedInClient Manager, long ProjectId, long[] Documents, SignedInClient[] Annotators)> ProjectAsync(int documents, int annotators, object settings)
    {
        var manager = await factory.SignUpAsync("manager");
        var projectId = await manager.ProjectAsync("Dynamic " + Guid.NewGuid());
        var people = new List<SignedInClient>();
        for (var i = 0; i < annotators; i++)
        {
            var person = await factory.SignUpAsync($"annotator{i}");
            (await manager.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = person.Email, role = "annotator" })).EnsureSuccessStatusCode();
            people.Add(person);
        }
        var form = new MultipartFormDataContent();
        for (var i = 0; i < documents; i++) form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes($"Article {i}: officials said {i} were rescued.")), "files", $"a{i}.txt");
        var created = await (await manager.Http.PostAsync($"/api/projects/{projectId}/documents", form)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        (await Work.PatchAsync(manager, projectId, settings)).EnsureSuccessStatusCode();
        return (manager, projectId, created.GetProperty("created").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()).ToArray(), people.ToArray());
    }

    private static async Task<JsonElement> NextAsync(SignedInClient who, long projectId, long? current = null)
    {
        var response = await who.Http.PostAsJsonAsync($"/api/projects/{projectId}/next-document", new { current });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static long? DocumentOf(JsonElement next) => next.GetProperty("documentId").ValueKind == JsonValueKind.Null ? null : next.GetProperty("documentId").GetInt64();

    private async Task<Dictionary<long, List<string>>> AnnotatorsByDocumentAsync(long projectId)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return (await db.Assignments.Where(a => a.ProjectId == projectId && a.Kind == AssignmentKind.Annotate).ToListAsync())
            .GroupBy(a => a.DocumentId).ToDictionary(g => g.Key, g => g.Select(a => a.UserId).ToList());
    }

    [Fact]
    public async Task Three_annotators_pressing_next_at_once_never_put_a_third_on_a_document()
    {
        var (_, projectId, documents, annotators) = await ProjectAsync(documents: 4, annotators: 3, new { assignment = "dynamic", annotatorsPerDocument = 2 });
        var current = new long?[3];
        // Four rounds of all three at once, each finishing what they were handed first: 12 presses for 4 x 2 = 8 places.
        for (var round = 0; round < 4; round++)
        {
            for (var i = 0; i < 3; i++)
                if (current[i] is { } done) (await annotators[i].Http.PutAsJsonAsync($"/api/documents/{done}/status", new { status = "finished" })).EnsureSuccessStatusCode();
            var answers = await Task.WhenAll(annotators.Select((a, i) => NextAsync(a, projectId, current[i])));
            for (var i = 0; i < 3; i++) current[i] = DocumentOf(answers[i]);
        }
        var byDocument = await AnnotatorsByDocumentAsync(projectId);
        Assert.All(byDocument.Values, people => Assert.True(people.Count <= 2, $"{people.Count} annotators on one document"));
        Assert.All(byDocument.Values, people => Assert.Equal(people.Count, people.Distinct().Count()));
        Assert.Equal(8, byDocument.Values.Sum(p => p.Count));
        Assert.Equal(documents.Order(), byDocument.Keys.Order());

        // A single document wanted by three at the same moment: two get it, the third is told none is free.
        var (_, single, singleDocs, three) = await ProjectAsync(documents: 1, annotators: 3, new { assignment = "dynamic", annotatorsPerDocument = 2 });
        var race = await Task.WhenAll(three.Select(a => NextAsync(a, single)));
        Assert.Equal(2, race.Count(r => DocumentOf(r) == singleDocs[0]));
        Assert.Single(race, r => DocumentOf(r) is null);
        Assert.Equal(2, (await AnnotatorsByDocumentAsync(single))[singleDocs[0]].Count);
    }

    [Fact]
    public async Task Next_document_returns_the_unfinished_one_first_and_an_annotator_sees_only_what_was_handed_to_them()
    {
        var (_, projectId, documents, annotators) = await ProjectAsync(documents: 3, annotators: 1, new { assignment = "dynamic", annotatorsPerDocument = 1 });
        var ana = annotators[0];
        Assert.Empty((await ana.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items").EnumerateArray());
        var first = await NextAsync(ana, projectId);
        Assert.Equal(documents[0], DocumentOf(first));
        Assert.True(first.GetProperty("handed").GetBoolean());
        // Pressing again without finishing: the same one (it is still hers to do), not a second.
        var again = await NextAsync(ana, projectId);
        Assert.Equal(documents[0], DocumentOf(again));
        Assert.False(again.GetProperty("handed").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await ana.Http.GetAsync($"/api/documents/{documents[1]}")).StatusCode);

        (await ana.Http.PutAsJsonAsync($"/api/documents/{documents[0]}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        var second = await NextAsync(ana, projectId, documents[0]);
        Assert.Equal(documents[1], DocumentOf(second));
        var work = await ana.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/my-work");
        Assert.Equal(2, work.GetProperty("items").GetArrayLength());
        Assert.Equal(1, work.GetProperty("counts").GetProperty("finished").GetInt32());
        Assert.Equal(1, work.GetProperty("counts").GetProperty("new").GetInt32());
        Assert.Equal("dynamic", work.GetProperty("assignment").GetString());
        Assert.Equal(2, (await ana.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task An_abandoned_document_is_handed_on_after_the_timeout_and_what_the_first_did_stays_theirs()
    {
        var (manager, projectId, documents, annotators) = await ProjectAsync(documents: 1, annotators: 2, new { assignment = "dynamic", annotatorsPerDocument = 1, releaseAfterMinutes = 30 });
        var (ana, ben) = (annotators[0], annotators[1]);
        Assert.Equal(documents[0], DocumentOf(await NextAsync(ana, projectId)));
        var span = await Work.ClaimAsync(ana, documents[0]);

        // Within the timeout nothing is free for Ben.
        factory.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Null(DocumentOf(await NextAsync(ben, projectId)));
        // Past it (Ana touched it last when she made her span), her place is handed to Ben.
        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        var handed = await NextAsync(ben, projectId);
        Assert.Equal(documents[0], DocumentOf(handed));
        Assert.True(handed.GetProperty("handed").GetBoolean());

        var byDocument = await AnnotatorsByDocumentAsync(projectId);
        Assert.Single(byDocument[documents[0]]);
        Assert.Equal(HttpStatusCode.OK, (await ben.Http.GetAsync($"/api/documents/{documents[0]}")).StatusCode);
        // Ana keeps her access to the work she did: she opens it and sees her span, but adds no new ones (not hers to annotate now).
        Assert.Equal(HttpStatusCode.OK, (await ana.Http.GetAsync($"/api/documents/{documents[0]}")).StatusCode);
        var hers = await ana.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{documents[0]}/annotations");
        Assert.Contains(hers.EnumerateArray(), a => a.GetProperty("id").GetGuid() == span);
        var another = await ana.Http.PostAsJsonAsync($"/api/documents/{documents[0]}/annotations", new { layer = "claim", label = "CLAIM", start = 33, end = 44 });
        Assert.Equal(HttpStatusCode.NotFound, another.StatusCode);
        // Nor does she move its state: her place is Ben's now (409, and her state is as she left it).
        foreach (var status in new[] { "finished", "in_progress" })
        {
            var refused = await ana.Http.PutAsJsonAsync($"/api/documents/{documents[0]}/status", new { status });
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("released", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        }
        var states = await manager.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{documents[0]}/states");
        Assert.DoesNotContain(states.EnumerateArray(), s => s.GetProperty("userId").GetString() != byDocument[documents[0]][0] && s.GetProperty("status").GetString() == "finished");
        // Her span is still hers; the log says her place was released (and by whose Next document).
        var spans = await manager.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{documents[0]}/annotations");
        var kept = Assert.Single(spans.EnumerateArray());
        Assert.Equal(span, kept.GetProperty("id").GetGuid());
        Assert.NotEqual(kept.GetProperty("annotatorId").GetString(), byDocument[documents[0]][0]);
        var events = await manager.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events");
        var released = Assert.Single(events.EnumerateArray(), e => e.GetProperty("kind").GetString() == "assignment_removed");
        Assert.Equal("released", released.GetProperty("data").GetProperty("reason").GetString());
        Assert.Equal(kept.GetProperty("annotatorId").GetString(), released.GetProperty("ownerId").GetString());

        // A finished document is not released, however long it waits (six hours here: sign-in tokens last eight).
        (await ben.Http.PutAsJsonAsync($"/api/documents/{documents[0]}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        factory.Clock.Advance(TimeSpan.FromHours(6));
        Assert.Null(DocumentOf(await NextAsync(ana, projectId)));
    }

    [Fact]
    public async Task Spread_gives_each_document_N_annotators_balanced_within_one()
    {
        var (manager, projectId, documents, annotators) = await ProjectAsync(documents: 7, annotators: 5, new { assignment = "assigned" });
        var response = await manager.Http.PostAsJsonAsync($"/api/projects/{projectId}/assignments/spread", new { annotatorsPerDocument = 2 });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(14, result.GetProperty("added").GetInt32());
        var byDocument = await AnnotatorsByDocumentAsync(projectId);
        Assert.Equal(documents.Order(), byDocument.Keys.Order());
        Assert.All(byDocument.Values, people => Assert.Equal(2, people.Distinct().Count()));
        var loads = byDocument.Values.SelectMany(p => p).GroupBy(u => u).Select(g => g.Count()).ToList();
        Assert.Equal(5, loads.Count);
        Assert.True(loads.Max() - loads.Min() <= 1, string.Join(",", loads));
        // Deterministic and idempotent: spreading again adds nothing; raising N tops up evenly.
        Assert.Equal(0, (await (await manager.Http.PostAsJsonAsync($"/api/projects/{projectId}/assignments/spread", new { annotatorsPerDocument = 2 })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("added").GetInt32());
        Assert.Equal(7, (await (await manager.Http.PostAsJsonAsync($"/api/projects/{projectId}/assignments/spread", new { annotatorsPerDocument = 3 })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("added").GetInt32());
        loads = (await AnnotatorsByDocumentAsync(projectId)).Values.SelectMany(p => p).GroupBy(u => u).Select(g => g.Count()).ToList();
        Assert.True(loads.Max() - loads.Min() <= 1, string.Join(",", loads));
        // Each annotator sees their own documents, and only their own assignments.
        var mine = await annotators[0].Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/assignments");
        Assert.NotEmpty(mine.EnumerateArray());
        var myDocuments = (await annotators[0].Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetInt64()).Order();
        Assert.Equal(mine.EnumerateArray().Select(a => a.GetProperty("documentId").GetInt64()).Order(), myDocuments);
        Assert.Single(mine.EnumerateArray().Select(a => a.GetProperty("userId").GetString()).Distinct());

        // More than there are annotators, or outside 1..50: refused, nothing added.
        var tooMany = await manager.Http.PostAsJsonAsync($"/api/projects/{projectId}/assignments/spread", new { annotatorsPerDocument = 6 });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("5", (await tooMany.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await manager.Http.PostAsJsonAsync($"/api/projects/{projectId}/assignments/spread", new { annotatorsPerDocument = 0 })).StatusCode);
        // Annotators may not assign.
        Assert.Equal(HttpStatusCode.Forbidden, (await annotators[0].Http.PostAsJsonAsync($"/api/projects/{projectId}/assignments/spread", new { annotatorsPerDocument = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await annotators[0].Http.PutAsJsonAsync($"/api/projects/{projectId}/assignments",
            new { documents, users = new[] { "x" }, assigned = true })).StatusCode);
    }

    [Fact]
    public async Task Managers_assign_in_bulk_reviewers_to_curate_and_every_change_is_logged()
    {
        var (manager, projectId, documents, annotators) = await ProjectAsync(documents: 3, annotators: 2, new { assignment = "assigned" });
        var reviewer = await factory.SignUpAsync("reviewer");
        (await manager.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = reviewer.Email, role = "reviewer" })).EnsureSuccessStatusCode();
        var ids = new List<string>();
        foreach (var person in annotators.Append(reviewer)) ids.Add(await Work.UserIdAsync(manager, projectId, person.Email));

        var set = await manager.Http.PutAsJsonAsync($"/api/projects/{projectId}/assignments", new { documents, users = ids.Take(2), assigned = true });
        var answer = await set.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(6, answer.GetProperty("changed").GetInt32());
        Assert.Equal(6, answer.GetProperty("assignments").GetArrayLength());
        var unset = await manager.Http.PutAsJsonAsync($"/api/projects/{projectId}/assignments", new { documents = documents.Take(2), users = ids.Take(1), assigned = false });
        Assert.Equal(2, (await unset.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("changed").GetInt32());
        await Work.AssignAsync(manager, projectId, documents, [ids[2]], kind: "curate");
        // An annotator does not curate; an unknown kind, document or person is named; nothing of such a change is kept.
        var wrong = await manager.Http.PutAsJsonAsync($"/api/projects/{projectId}/assignments", new { documents, users = ids, kind = "curate", assigned = true });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await manager.Http.PutAsJsonAsync($"/api/projects/{projectId}/assignments", new { documents, users = ids, kind = "judge", assigned = true })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await manager.Http.PutAsJsonAsync($"/api/projects/{projectId}/assignments", new { documents = new[] { 999_999_999L }, users = ids, assigned = true })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await manager.Http.PutAsJsonAsync($"/api/projects/{projectId}/assignments", new { documents, users = new[] { "nobody" }, assigned = true })).StatusCode);

        var all = await manager.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/assignments");
        Assert.Equal(4, all.EnumerateArray().Count(a => a.GetProperty("kind").GetString() == "annotate"));
        Assert.Equal(3, all.EnumerateArray().Count(a => a.GetProperty("kind").GetString() == "curate"));
        var events = (await manager.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events")).EnumerateArray().ToList();
        Assert.Equal(9, events.Count(e => e.GetProperty("kind").GetString() == "assignment_added"));
        var removed = events.Where(e => e.GetProperty("kind").GetString() == "assignment_removed").ToList();
        Assert.Equal(2, removed.Count);
        Assert.All(removed, e => Assert.Equal("unassigned", e.GetProperty("data").GetProperty("reason").GetString()));
        // The reviewer still sees every document (curating needs them all), and their own assignments only.
        Assert.Equal(3, (await reviewer.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items").GetArrayLength());
        Assert.All((await reviewer.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/assignments")).EnumerateArray(),
            a => Assert.Equal("curate", a.GetProperty("kind").GetString()));
    }
}
