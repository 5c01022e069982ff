using Annotate.IntegrationTests.LiveSync;
using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.LiveSync;
using Annotate.Web.Infrastructure;

namespace Annotate.IntegrationTests.Annotations;

/// <summary>
/// Span creates of one project share a transaction and a commit (GroupCommit): every writer is still told its own
/// result or refusal, and the project's change log stays gapless and in commit order, also with two app nodes.
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private static readonly string Text = string.Concat(Enumerable.Repeat("Officials said 212 were rescued. ", 40));

    private readonly LiveFactory nodeA = LiveFactory.ServingOnly();
    private readonly LiveFactory nodeB = LiveFactory.ServingOnly();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await nodeA.DisposeAsync();
        await nodeB.DisposeAsync();
    }

    private static Task<HttpResponseMessage> CreateAsync(SignedInClient person, long document, int start, Guid? id = null) =>
        person.Http.PostAsJsonAsync($"/api/documents/{document}/annotations", new { id = id ?? Guid.NewGuid(), layer = "entity", label = "QUANTITY", start, end = start + 1 });

    /// <summary>The project's log: its sequences in order, and the ids of the spans it says were created.</summary>
    private async Task<(List<long> Sequences, List<Guid> Created)> LogAsync(long projectId)
    {
        await using var scope = nodeA.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var events = await db.ChangeEvents.Where(e => e.ProjectId == projectId).OrderBy(e => e.Sequence).Select(e => new { e.Sequence, e.Kind, e.SubjectId }).ToListAsync();
        var last = await db.Database.SqlQuery<long>($"SELECT last_sequence AS \"Value\" FROM project_sequences WHERE project_id = {projectId}").SingleAsync();
        Assert.Equal(events.Count, last);
        return (events.Select(e => e.Sequence).ToList(), events.Where(e => e.Kind == ChangeKind.AnnotationCreated).Select(e => e.SubjectId!.Value).ToList());
    }

    private static void AssertGapless(List<long> sequences) => Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);

    [Fact]
    public async Task Concurrent_writers_on_one_project_are_all_committed_with_a_gapless_log()
    {
        var lead = await nodeA.PersonAsync("lead");
        var (projectId, documents) = await LiveFactory.ProjectAsync(lead, "open", [], Text);
        const int writers = 16, each = 10;
        var ids = new List<Guid>();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(async w =>
        {
            for (var i = 0; i < each; i++)
            {
                var id = Guid.NewGuid();
                lock (ids) ids.Add(id);
                var response = await CreateAsync(lead, documents[0], w + writers * i, id);
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }
        }));

        var (sequences, created) = await LogAsync(projectId);
        AssertGapless(sequences);
        Assert.Equal(ids.Order(), created.Order());
        Assert.Equal(writers * each + 1, sequences.Count); // and one state change: the document went in progress once
    }

    [Fact]
    public async Task In_one_batch_a_refused_create_fails_alone_and_a_retry_gets_the_first_attempts_span()
    {
        var lead = await nodeA.PersonAsync("lead");
        var (projectId, documents) = await LiveFactory.ProjectAsync(lead, "open", [], Text);
        await using var scope = nodeA.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var userId = await db.Users.Where(u => u.Email == lead.Email).Select(u => u.Id).SingleAsync();
        Annotation Span(Guid id, int start) => new()
        {
            Id = id, ProjectId = projectId, DocumentId = documents[0], AnnotatorId = userId, Layer = AnnotationLayer.Entity, Label = "QUANTITY",
            Start = start, End = start + 1, Text = Text[start..(start + 1)], Version = 1, CreatedAt = Clock.Now, UpdatedAt = Clock.Now,
        };
        Guid first = Guid.NewGuid(), second = Guid.NewGuid();
        PendingCreate[] batch =
        [
            new(projectId, Span(first, 0)),
            new(projectId, Span(first, 5)),          // the first's uuid for another span: refused
            new(projectId, Span(second, 9)),
            new(projectId, Span(first, 0)),                // a retry of the first: told what the first stored
            new(projectId, Span(Guid.NewGuid(), 9)), // the second's span again under a new uuid: refused
        ];
        var outcomes = await GroupCommit.WriteAsync(scope.ServiceProvider.GetRequiredService<ChangeLog>(), projectId, batch);

        Assert.Equal(new[] { true, false, true, false, false }, outcomes.Select(o => o.Result.Created));
        Assert.Equal(new[] { false, true, false, false, true }, outcomes.Select(o => o.Refusal is not null));
        Assert.Contains("already used", outcomes[1].Refusal!.Message);
        Assert.Contains("already marked", outcomes[4].Refusal!.Message);
        Assert.Equal(first, outcomes[3].Result.View.Id);

        var (sequences, created) = await LogAsync(projectId);
        AssertGapless(sequences);
        Assert.Equal(new[] { first, second }, created);
        Assert.Equal(3, sequences.Count); // in progress, then the two spans

        // Over HTTP a retry of the first create answers 200 with the stored span, and adds nothing to the log.
        var retried = await CreateAsync(lead, documents[0], 0, first);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(3, (await LogAsync(projectId)).Sequences.Count);
    }

    [Fact]
    public async Task Concurrent_refusals_among_writers_refuse_only_their_own_create()
    {
        var lead = await nodeA.PersonAsync("lead");
        var (projectId, documents) = await LiveFactory.ProjectAsync(lead, "open", [], Text);
        // 16 writers, every one of them also sending a span another writer sends: one of each pair wins.
        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(w => CreateAsync(lead, documents[0], w % 16)));
        Assert.Equal(16, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(16, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        var (sequences, created) = await LogAsync(projectId);
        AssertGapless(sequences);
        Assert.Equal(16, created.Count);
    }

    [Fact]
    public async Task One_hub_connections_calls_run_side_by_side_and_share_commits_each_told_its_own_span()
    {
        var lead = await nodeA.PersonAsync("lead");
        var (projectId, documents) = await LiveFactory.ProjectAsync(lead, "open", [], Text);
        await using var live = await nodeA.LiveAsync(lead);
        const int creates = 64;
        var ids = Enumerable.Range(0, creates).Select(_ => Guid.NewGuid()).ToArray();
        // Sent at once on one connection, as a script pre-annotating through the hub would: none waits for another's answer.
        var answers = await Task.WhenAll(ids.Select((id, i) => live.CallAsync("CreateAnnotation", documents[0],
            new { id, layer = "entity", label = "QUANTITY", start = i, end = i + 1 })));
        Assert.All(answers.Zip(ids), pair =>
        {
            Assert.True(pair.First.GetProperty("ok").GetBoolean());
            Assert.Equal(pair.Second, pair.First.GetProperty("value").GetProperty("id").GetGuid());
        });
        var (sequences, created) = await LogAsync(projectId);
        AssertGapless(sequences);
        Assert.Equal(ids.Order(), created.Order());
        // Entries of one commit carry one time: had the hub run the connection's calls one after another, each create
        // would have been a commit of its own.
        await using var scope = nodeA.Services.CreateAsyncScope();
        var commits = await scope.ServiceProvider.GetRequiredService<AppDbContext>().ChangeEvents
            .Where(e => e.ProjectId == projectId && e.Kind == ChangeKind.AnnotationCreated).Select(e => e.CreatedAt).Distinct().CountAsync();
        Assert.InRange(commits, 1, creates - 1);
    }

    [Fact]
    public async Task Two_nodes_writing_one_project_keep_its_log_gapless()
    {
        var lead = await nodeA.PersonAsync("lead");
        var ben = await nodeB.PersonAsync("ben");
        var (projectId, documents) = await LiveFactory.ProjectAsync(lead, "open", [(ben, "annotator")], Text);
        const int writers = 8, each = 10;
        await Task.WhenAll(Enumerable.Range(0, 2 * writers).Select(async w =>
        {
            var person = w % 2 == 0 ? lead : ben; // the lead writes through node A, Ben through node B
            for (var i = 0; i < each; i++)
                Assert.Equal(HttpStatusCode.Created, (await CreateAsync(person, documents[0], w + 2 * writers * i)).StatusCode);
        }));
        var (sequences, created) = await LogAsync(projectId);
        AssertGapless(sequences);
        Assert.Equal(2 * writers * each, created.Count);
    }

    [Fact]
    public async Task Batches_of_several_projects_share_one_transaction_each_project_with_its_own_gapless_log()
    {
        var lead = await nodeA.PersonAsync("lead");
        var (first, firstDocuments) = await LiveFactory.ProjectAsync(lead, "open", [], Text);
        var (second, secondDocuments) = await LiveFactory.ProjectAsync(lead, "open", [], Text);
        var (archived, archivedDocuments) = await LiveFactory.ProjectAsync(lead, "open", [], Text);
        await using var scope = nodeA.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ChangeLog>().SetArchivedAsync(archived, Clock.Now);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var userId = await db.Users.Where(u => u.Email == lead.Email).Select(u => u.Id).SingleAsync();
        Annotation Span(long project, long document, int start, string label = "QUANTITY", int length = 1) => new()
        {
            Id = Guid.NewGuid(), ProjectId = project, DocumentId = document, AnnotatorId = userId, Layer = AnnotationLayer.Entity, Label = label,
            Start = start, End = start + length, Text = Text[start..(start + length)], Version = 1, CreatedAt = Clock.Now, UpdatedAt = Clock.Now,
        };
        var groupCommit = nodeA.Services.GetRequiredService<GroupCommit>();
        PendingCreate made = new(first, Span(first, firstDocuments[0], 0)), unknown = new(first, Span(first, firstDocuments[0], 3, "NO SUCH LABEL")),
            other = new(second, Span(second, secondDocuments[0], 0)), readOnly = new(archived, Span(archived, archivedDocuments[0], 0));
        await groupCommit.CommitTogetherAsync([(second, [other]), (archived, [readOnly]), (first, [made, unknown])]);

        Assert.True((await made.Done.Task).Created);
        Assert.True((await other.Done.Task).Created);
        var refusal = await Assert.ThrowsAsync<ProblemException>(() => unknown.Done.Task);
        Assert.Contains("NO SUCH LABEL", refusal.Message);
        // The archived project's create alone is refused, as archived; the others' commit beside it.
        Assert.Equal(409, (await Assert.ThrowsAsync<ProblemException>(() => readOnly.Done.Task)).Status);
        Assert.Empty((await LogAsync(archived)).Sequences);
        foreach (var project in new[] { first, second })
        {
            var (sequences, created) = await LogAsync(project);
            AssertGapless(sequences);
            Assert.Equal(2, sequences.Count); // the document went in progress, then its one span
        }
        // One transaction wrote both projects' entries: rows a transaction inserted carry its id.
        var transactions = await db.Database.SqlQuery<long>($"SELECT count(DISTINCT xmin::text)::bigint AS \"Value\" FROM change_events WHERE project_id IN ({first}, {second})").SingleAsync();
        Assert.Equal(1, transactions);

        // A failure the checks did not foresee (here a span the database refuses: it ends where it starts) fails the
        // shared transaction; each project's batch is then written apart, so the other project's create still commits.
        var broken = Span(first, firstDocuments[0], 6, length: 0);
        PendingCreate failing = new(first, broken), sound = new(second, Span(second, secondDocuments[0], 9));
        await groupCommit.CommitTogetherAsync([(first, [failing]), (second, [sound])]);
        Assert.True((await sound.Done.Task).Created);
        await Assert.ThrowsAnyAsync<Exception>(() => failing.Done.Task);
        Assert.Equal(2, (await LogAsync(first)).Sequences.Count);
        var (afterSequences, afterCreated) = await LogAsync(second);
        AssertGapless(afterSequences);
        Assert.Contains(sound.Annotation.Id, afterCreated);
    }

    [Fact]
    public async Task Concurrent_writers_on_many_projects_are_all_committed_each_log_gapless()
    {
        var lead = await nodeA.PersonAsync("lead");
        var projects = new List<(long Project, long Document)>();
        for (var p = 0; p < 8; p++)
        {
            var (project, documents) = await LiveFactory.ProjectAsync(lead, "open", [], Text);
            projects.Add((project, documents[0]));
        }
        const int writersEach = 2, each = 10;
        await Task.WhenAll(projects.SelectMany(p => Enumerable.Range(0, writersEach).Select(async w =>
        {
            for (var i = 0; i < each; i++)
                Assert.Equal(HttpStatusCode.Created, (await CreateAsync(lead, p.Document, w + writersEach * i)).StatusCode);
        })));
        foreach (var (project, _) in projects)
        {
            var (sequences, created) = await LogAsync(project);
            AssertGapless(sequences);
            Assert.Equal(writersEach * each, created.Count);
        }
    }

    [Fact]
    public async Task An_archived_project_refuses_every_create_of_a_batch()
    {
        var lead = await nodeA.PersonAsync("lead");
        var (projectId, documents) = await LiveFactory.ProjectAsync(lead, "open", [], Text);
        await using (var scope = nodeA.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ChangeLog>().SetArchivedAsync(projectId, Clock.Now);
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(w => CreateAsync(lead, documents[0], w)));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Conflict, a.StatusCode));
        Assert.Empty((await LogAsync(projectId)).Sequences);
    }
}
