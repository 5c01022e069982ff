using Annotate.Web.Features.Demo;

namespace Annotate.IntegrationTests.Platform;

/// <summary>
/// The demo a newcomer meets after `./annotate up`: the seeded work of both demo annotators (samples/demo-work.json),
/// applied through the app's write path, with its disagreements, finishes, agreement report and cross-article links.
/// </summary>
[Collection(DemoSeedCollection.Name)]
public class DemoWorkTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    private async Task<(HttpClient Lead, long ProjectId, Dictionary<string, long> Docs)> SeededAsync()
    {
        var samples = OperationsTests.FindSamples();
        using (var scope = factory.Services.CreateScope())
        {
            var seeder = scope.ServiceProvider.GetRequiredService<DemoSeeder>();
            await seeder.SeedAsync(samples, CancellationToken.None);
            var outcome = await DemoSeeding.ApplyWorkAsync(scope.ServiceProvider, seeder, samples, CancellationToken.None);
            Assert.Empty(Assert.IsType<DemoWork.Outcome>(outcome).Skipped); // every quote, label and link of the file resolves
        }
        var lead = factory.CreateClient();
        await AnnotateFactory.AuthorizeAsync(lead, DemoSeeder.Accounts[0].Email, DemoSeeder.Password);
        var demo = Assert.Single((await lead.GetFromJsonAsync<JsonElement>("/api/projects")).EnumerateArray(), p => p.GetProperty("name").GetString()!.StartsWith("Demo:"));
        var projectId = demo.GetProperty("id").GetInt64();
        var documents = (await lead.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items");
        long Titled(string start) => documents.EnumerateArray().Single(d => d.GetProperty("title").GetString()!.StartsWith(start)).GetProperty("id").GetInt64();
        return (lead, projectId, new() { ["gazette"] = Titled("Ferry Fire"), ["times"] = Titled("Morning Tern blaze"), ["radio"] = Titled("Coast Guard:") });
    }

    private static async Task<List<JsonElement>> SpansAsync(HttpClient http, long documentId) =>
        (await http.GetFromJsonAsync<JsonElement>($"/api/documents/{documentId}/annotations")).EnumerateArray().ToList();

    /// <summary>A list answer, bare or paged ({items, ...}).</summary>
    private static IEnumerable<JsonElement> ItemsOf(JsonElement answer) =>
        answer.ValueKind == JsonValueKind.Array ? answer.EnumerateArray() : answer.GetProperty("items").EnumerateArray();

    private static string By(JsonElement span) => span.GetProperty("annotatorName").GetString()!;
    private static string Text(JsonElement span) => span.GetProperty("text").GetString()!;
    private static string Label(JsonElement span) => span.GetProperty("label").GetString()!;

    [Fact]
    public async Task The_seeded_demo_has_both_annotators_work_with_each_kind_of_disagreement_and_a_finished_agreement_report()
    {
        var (lead, projectId, docs) = await SeededAsync();

        // Both annotators on every article, entities and claims.
        foreach (var doc in docs.Values)
        {
            var spans = await SpansAsync(lead, doc);
            foreach (var who in new[] { "Ana Annotator", "Ben Annotator" })
            {
                Assert.Contains(spans, s => By(s) == who && s.GetProperty("layer").GetString() == "entity");
                Assert.Contains(spans, s => By(s) == who && s.GetProperty("layer").GetString() == "claim");
            }
        }
        // Handed out as the file says: assigned mode, each article to both annotators, each assignment logged.
        var project = await lead.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}");
        Assert.Equal("assigned", project.GetProperty("assignment").GetString());
        Assert.Equal(2, project.GetProperty("annotatorsPerDocument").GetInt32());
        var assignments = await lead.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/assignments");
        var pairs = ItemsOf(assignments).Where(a => a.GetProperty("kind").GetString() == "annotate")
            .Select(a => (a.GetProperty("documentId").GetInt64(), a.GetProperty("userName").GetString())).ToHashSet();
        foreach (var doc in docs.Values)
            foreach (var who in new[] { "Ana Annotator", "Ben Annotator" })
                Assert.Contains((doc, who), pairs);

        // The demo reviewer is to curate the two finished articles: her My work lists them, and their review pages have units.
        var rita = factory.CreateClient();
        await AnnotateFactory.AuthorizeAsync(rita, "rita@demo.test", DemoSeeder.Password);
        var toCurate = (await rita.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/my-work")).GetProperty("toCurate").EnumerateArray()
            .Select(c => c.GetProperty("documentId").GetInt64()).ToList();
        Assert.Equal(new[] { docs["gazette"], docs["times"] }.Order(), toCurate.Order());
        foreach (var doc in toCurate)
            Assert.NotEmpty((await rita.GetFromJsonAsync<JsonElement>($"/api/documents/{doc}/review")).GetProperty("units").EnumerateArray());
        Assert.Contains($"/documents/{docs["gazette"]}/review", await rita.GetStringAsync($"/projects/{projectId}/my-work"));

        var gazette = await SpansAsync(lead, docs["gazette"]);
        var times = await SpansAsync(lead, docs["times"]);
        // A label conflict: the same span, two labels.
        Assert.Equal("FACILITY", Label(times.Single(s => By(s) == "Ana Annotator" && Text(s) == "St. Aldric Hospital")));
        Assert.Equal("ORGANIZATION", Label(times.Single(s => By(s) == "Ben Annotator" && Text(s) == "St. Aldric Hospital")));
        // A boundary conflict: one label, overlapping spans that end alike and start apart.
        var anaCaptain = gazette.Single(s => By(s) == "Ana Annotator" && Label(s) == "PERSON");
        var benCaptain = gazette.Single(s => By(s) == "Ben Annotator" && Label(s) == "PERSON");
        Assert.Equal(("Captain Ilse Brandvold", "Ilse Brandvold"), (Text(anaCaptain), Text(benCaptain)));
        Assert.Equal(anaCaptain.GetProperty("end").GetInt32(), benCaptain.GetProperty("end").GetInt32());
        Assert.True(anaCaptain.GetProperty("start").GetInt32() < benCaptain.GetProperty("start").GetInt32());
        // A missing span: Ana's "14 crew" has no entity of Ben's overlapping it.
        var crew = gazette.Single(s => Text(s) == "14 crew");
        Assert.Equal("Ana Annotator", By(crew));
        Assert.DoesNotContain(gazette, s => By(s) == "Ben Annotator" && s.GetProperty("layer").GetString() == "entity"
            && s.GetProperty("start").GetInt32() < crew.GetProperty("end").GetInt32() && crew.GetProperty("start").GetInt32() < s.GetProperty("end").GetInt32());
        // Offsets count code points and quotes land where they say: each span's text is the article's text there.
        var article = await lead.GetFromJsonAsync<JsonElement>($"/api/documents/{docs["gazette"]}");
        var text = article.GetProperty("text").GetString()!;
        foreach (var span in gazette)
            Assert.Equal(Text(span), Annotate.Web.Infrastructure.CodePoints.Slice(text, span.GetProperty("start").GetInt32(), span.GetProperty("end").GetInt32()));

        // Links: a contradiction across two articles both made, and one only Ana made.
        var relations = (await lead.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/relations")).EnumerateArray().ToList();
        bool Links(JsonElement r, string who, string from, string to) => By(r) == who && r.GetProperty("type").GetString() == "CONTRADICTS"
            && r.GetProperty("fromText").GetString()!.Contains(from) && r.GetProperty("toText").GetString()!.Contains(to);
        foreach (var who in new[] { "Ana Annotator", "Ben Annotator" })
        {
            var passengers = Assert.Single(relations, r => Links(r, who, "All 212 passengers", "around 180 passengers"));
            Assert.Equal((docs["gazette"], docs["times"]), (passengers.GetProperty("fromDocumentId").GetInt64(), passengers.GetProperty("toDocumentId").GetInt64()));
        }
        Assert.Single(relations, r => Links(r, "Ana Annotator", "fuel pump", "galley"));
        Assert.DoesNotContain(relations, r => Links(r, "Ben Annotator", "fuel pump", "galley"));

        // Both finished the first two articles; the third is still in progress for both.
        foreach (var (name, expected) in new[] { ("gazette", "finished"), ("radio", "in_progress") })
        {
            var states = (await lead.GetFromJsonAsync<JsonElement>($"/api/documents/{docs[name]}/states")).EnumerateArray().ToList();
            foreach (var who in new[] { "Ana Annotator", "Ben Annotator" })
                Assert.Equal(expected, states.Single(s => s.GetProperty("userName").GetString() == who).GetProperty("status").GetString());
        }

        // The change log has each of them, as the app's own writes do (so live pages heard of them).
        var events = (await lead.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events?after=0")).EnumerateArray().ToList();
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "annotation_created" && e.GetProperty("subjectId").GetGuid() == crew.GetProperty("id").GetGuid());
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "relation_created");
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "document_state_changed");

        // One agreement report, computed by the job: over the two articles both finished, for the pair Ana-Ben.
        var report = await WaitForReportAsync(lead, projectId);
        var result = report.GetProperty("result");
        Assert.Equal(2, result.GetProperty("documents").GetInt32());
        var pair = Assert.Single(result.GetProperty("pairs").EnumerateArray());
        var exact = pair.GetProperty("spanF1Exact").GetDouble();
        Assert.True(exact is > 0.5 and < 1, $"exact span F1 {exact}: the seeded work agrees mostly, not wholly");
        var page = await lead.GetStringAsync($"/projects/{projectId}/agreement");
        Assert.DoesNotContain("data-testid=\"no-report\"", page);
        Assert.Contains("Annotator by annotator", page);
        using (var scope = factory.Services.CreateScope())
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<AppDbContext>().AgreementReports.CountAsync(r => r.ProjectId == projectId));

        // The compare view opens on the first two articles with their claims and the link between them.
        var compare = await lead.GetStringAsync($"/projects/{projectId}/compare");
        Assert.Contains("the fire started in a fuel pump", compare);
        Assert.Contains("began in the galley", compare);
        Assert.Contains(relations.Single(r => Links(r, "Ana Annotator", "fuel pump", "galley")).GetProperty("id").GetGuid().ToString(), compare);
    }

    private static Task<JsonElement> WaitForReportAsync(HttpClient http, long projectId) =>
        http.WaitForJobAsync($"/api/projects/{projectId}/agreement");

    [Fact]
    public async Task Seeding_again_adds_nothing_and_keeps_what_people_changed()
    {
        var (_, projectId, docs) = await SeededAsync();
        var ana = factory.CreateClient();
        await AnnotateFactory.AuthorizeAsync(ana, "ana@demo.test", DemoSeeder.Password);
        var ben = factory.CreateClient();
        await AnnotateFactory.AuthorizeAsync(ben, "ben@demo.test", DemoSeeder.Password);

        // People work on the demo: Ana deletes a span and edits another, Ben deletes his one-sided link and reopens an article.
        var radio = await SpansAsync(ana, docs["radio"]);
        var station = radio.Single(s => By(s) == "Ana Annotator" && Text(s) == "Bay Radio");
        (await ana.DeleteAsync($"/api/annotations/{station.GetProperty("id")}?version={station.GetProperty("version")}")).EnsureSuccessStatusCode();
        var guard = radio.Single(s => By(s) == "Ana Annotator" && Text(s) == "Kestrel Bay Coast Guard");
        (await ana.PatchAsJsonAsync($"/api/annotations/{guard.GetProperty("id")}", new { label = "LOCATION", version = guard.GetProperty("version").GetInt32() })).EnsureSuccessStatusCode();
        var duration = (await ben.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/relations")).EnumerateArray()
            .Single(r => By(r) == "Ben Annotator" && r.GetProperty("toText").GetString()!.Contains("under control within the hour"));
        (await ben.DeleteAsync($"/api/relations/{duration.GetProperty("id")}?version={duration.GetProperty("version")}")).EnsureSuccessStatusCode();
        (await ben.PutAsJsonAsync($"/api/documents/{docs["times"]}/status", new { status = "in_progress" })).EnsureSuccessStatusCode();
        // The lead takes one article to curate away from the demo reviewer: it stays away.
        var lead = factory.CreateClient();
        await AnnotateFactory.AuthorizeAsync(lead, DemoSeeder.Accounts[0].Email, DemoSeeder.Password);
        var ritaId = ItemsOf(await lead.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/assignments"))
            .First(a => a.GetProperty("kind").GetString() == "curate").GetProperty("userId").GetString();
        (await lead.PutAsJsonAsync($"/api/projects/{projectId}/assignments",
            new { documents = new[] { docs["times"] }, users = new[] { ritaId }, kind = "curate", assigned = false })).EnsureSuccessStatusCode();

        async Task<(int Annotations, int Relations, long Events, int Reports)> CountAsync()
        {
            using var scope = factory.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            return (await db.Annotations.CountAsync(a => a.ProjectId == projectId), await db.Relations.CountAsync(r => r.ProjectId == projectId),
                await db.ChangeEvents.CountAsync(e => e.ProjectId == projectId), await db.AgreementReports.CountAsync(r => r.ProjectId == projectId));
        }
        var before = await CountAsync();

        // A second and a third start of ./annotate up.
        for (var start = 0; start < 2; start++)
        {
            using var scope = factory.Services.CreateScope();
            var seeder = scope.ServiceProvider.GetRequiredService<DemoSeeder>();
            Assert.False(await seeder.SeedAsync(OperationsTests.FindSamples(), CancellationToken.None));
            var outcome = await DemoSeeding.ApplyWorkAsync(scope.ServiceProvider, seeder, OperationsTests.FindSamples(), CancellationToken.None);
            Assert.Equal((0, 0, 0, false), (outcome!.Spans, outcome.Links, outcome.Finished, outcome.ReportQueued));
        }

        Assert.Equal(before, await CountAsync());
        radio = await SpansAsync(ana, docs["radio"]);
        Assert.DoesNotContain(radio, s => Text(s) == "Bay Radio" && By(s) == "Ana Annotator");
        var edited = radio.Single(s => s.GetProperty("id").GetGuid() == guard.GetProperty("id").GetGuid());
        Assert.Equal(("LOCATION", 2), (Label(edited), edited.GetProperty("version").GetInt32()));
        Assert.DoesNotContain((await ben.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/relations")).EnumerateArray(),
            r => r.GetProperty("id").GetGuid() == duration.GetProperty("id").GetGuid());
        Assert.Equal([docs["gazette"]], ItemsOf(await lead.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/assignments"))
            .Where(a => a.GetProperty("kind").GetString() == "curate").Select(a => a.GetProperty("documentId").GetInt64()));
        // Given back by hand, as the other test of this shared demo expects to find it.
        (await lead.PutAsJsonAsync($"/api/projects/{projectId}/assignments",
            new { documents = new[] { docs["times"] }, users = new[] { ritaId }, kind = "curate", assigned = true })).EnsureSuccessStatusCode();
        var states = (await ben.GetFromJsonAsync<JsonElement>($"/api/documents/{docs["times"]}/states")).EnumerateArray();
        Assert.Equal("in_progress", states.Single(s => s.GetProperty("userName").GetString() == "Ben Annotator").GetProperty("status").GetString());
    }

    [Fact]
    public void Quotes_resolve_to_code_points_by_occurrence()
    {
        const string text = "🚢 Tern and Tern";
        Assert.Equal((2, 6), DemoWork.Locate(text, "Tern", 1));   // after the emoji: code points, not UTF-16 units
        Assert.Equal((11, 15), DemoWork.Locate(text, "Tern", 2));
        Assert.Equal((-1, -1), DemoWork.Locate(text, "Tern", 3));
        Assert.Equal(DemoWork.StableId(1, "Ana@Demo.test", "span", "x"), DemoWork.StableId(1, "ana@demo.test", "span", "x"));
        Assert.NotEqual(DemoWork.StableId(1, "ana@demo.test", "span", "x"), DemoWork.StableId(2, "ana@demo.test", "span", "x"));
    }
}

/// <summary>The tests that seed the demo share one database's demo accounts: they run one after another.</summary>
[CollectionDefinition(Name)]
public class DemoSeedCollection
{
    public const string Name = "Demo seed";
}
