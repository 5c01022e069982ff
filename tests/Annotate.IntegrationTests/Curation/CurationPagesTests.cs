using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Relations;
using static Annotate.IntegrationTests.Curation.CurationApi;

namespace Annotate.IntegrationTests.Curation;

/// <summary>The project-wide curation pages: the conflict queue, the consistency checks and "How was I corrected".</summary>
public class CurationPagesTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    private const string Text = FourKindsText;

    /// <summary>The four kinds in the first article; the second has nothing to curate.</summary>
    private Task<ReviewSetup> TwoAnnotatorsAsync() => FourKindsAsync(factory.SignUpAsync, "open", "A second article with nothing in it yet.");

    [Fact]
    public async Task The_pages_check_roles_annotators_get_403_on_review_pages_strangers_404_and_corrections_show_annotators_only_their_own()
    {
        var setup = await TwoAnnotatorsAsync();
        var (projectId, ana, ben) = (setup.ProjectId, setup.Annotators["ana"], setup.Annotators["ben"]);
        var stranger = await factory.SignUpAsync("stranger");
        foreach (var page in new[] { "conflicts", "consistency" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await ana.Http.GetAsync($"/projects/{projectId}/{page}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync($"/projects/{projectId}/{page}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await setup.Reviewer.Http.GetAsync($"/projects/{projectId}/{page}")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync($"/projects/{projectId}/corrections")).StatusCode);
        var review = await ReviewAsync(setup.Reviewer.Http, setup.Docs[0]);
        Assert.Equal(HttpStatusCode.Forbidden, (await ana.Http.GetAsync($"/projects/{projectId}/corrections?annotator={UserIdOf(review, "ben")}")).StatusCode);

        // Curate: the agreed PERSON, ben's ORGANIZATION, ana's LOCATION, no DATE.
        var rita = setup.Reviewer.Http;
        await DecidedAsync(rita, setup.Docs[0], new { action = "accept-agreed" });
        await DecidedAsync(rita, setup.Docs[0], new { action = "accept", unit = Id(UnitAt(review, 14)), annotatorId = UserIdOf(review, "ben"), version = 0 });
        await DecidedAsync(rita, setup.Docs[0], new { action = "accept", unit = Id(UnitAt(review, 27)), annotatorId = UserIdOf(review, "ana"), version = 0 });
        await DecidedAsync(rita, setup.Docs[0], new { action = "reject", unit = Id(UnitAt(review, 36)), version = 0, reason = "annotator_slip", note = "Not <b>a</b> date" });
        (await rita.PutAsJsonAsync($"/api/documents/{setup.Docs[0]}/curation", new { state = "curated" })).EnsureSuccessStatusCode();

        // ana's own view: her figures and differences, never ben's; the note renders inert.
        var own = await ana.Http.GetStringAsync($"/projects/{projectId}/corrections");
        Assert.Contains("How was I corrected", own);
        Assert.Single(Sections(own));
        Assert.DoesNotContain(ben.Email.Split('@')[0], own);
        Assert.Contains("data-kind=\"label\"", own);
        Assert.Contains("data-kind=\"extra\"", own);
        Assert.Contains("Not &lt;b&gt;a&lt;/b&gt; date", own);
        // ana's PERSON: 1 of her 2 kept, the one curated PERSON found: P 0.50, R 1.00, F1 0.67.
        Assert.Matches("data-label=\"PERSON\"[^§]*?<td class=\"text-end\">1</td><td class=\"text-end\">1</td><td class=\"text-end\">0</td>\\s*<td class=\"text-end\">0.50</td><td class=\"text-end\">1.00</td><td class=\"text-end\">0.67</td>", own);
        // The manager sees everyone; picking one shows that one.
        Assert.Equal(2, Sections(await setup.Lead.Http.GetStringAsync($"/projects/{projectId}/corrections")).Count);
        Assert.Single(Sections(await setup.Lead.Http.GetStringAsync($"/projects/{projectId}/corrections?annotator={UserIdOf(review, "ben")}")));
    }

    private static List<string> Sections(string html) =>
        System.Text.RegularExpressions.Regex.Matches(html, "data-testid=\"corrections-person\" data-annotator=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public async Task The_conflict_queue_page_lists_documents_with_open_units_filters_them_and_names_annotators_by_number_when_curation_is_anonymous()
    {
        var setup = await TwoAnnotatorsAsync();
        var (projectId, rita) = (setup.ProjectId, setup.Reviewer.Http);
        var page = await rita.GetStringAsync($"/projects/{projectId}/conflicts");
        Assert.Contains($"<tr data-document=\"{setup.Docs[0]}\">", page);
        Assert.DoesNotContain($"<tr data-document=\"{setup.Docs[1]}\">", page);
        Assert.Contains("4 open unit(s) in 1 document(s)", page);
        Assert.Contains($"href=\"/documents/{setup.Docs[0]}/review\" data-testid=\"curate-next\"", page);
        Assert.Contains("1 open unit(s) in 1 document(s) matching", await rita.GetStringAsync($"/projects/{projectId}/conflicts?kind=label"));
        Assert.Contains("0 open unit(s) in 0 document(s) matching", await rita.GetStringAsync($"/projects/{projectId}/conflicts?label=FACILITY"));
        var review = await ReviewAsync(rita, setup.Docs[0]);
        Assert.Contains("1 open unit(s) in 1 document(s) matching", await rita.GetStringAsync($"/projects/{projectId}/conflicts?kind=missing&annotator={UserIdOf(review, "ana")}"));
        Assert.Equal(HttpStatusCode.BadRequest, (await rita.GetAsync($"/projects/{projectId}/conflicts?order=sideways")).StatusCode);

        // The annotator filter names them as the review page does: numbers for a reviewer with anonymous curation, names for managers.
        Assert.Contains(setup.Annotators["ana"].Email.Split('@')[0], page);
        (await setup.Lead.Http.PatchAsJsonAsync($"/api/projects/{projectId}", new { anonymousCuration = true })).EnsureSuccessStatusCode();
        var anonymous = await rita.GetStringAsync($"/projects/{projectId}/conflicts");
        Assert.Contains(">Annotator 1</option>", anonymous);
        Assert.DoesNotContain(setup.Annotators["ana"].Email.Split('@')[0], anonymous);
        Assert.Contains(setup.Annotators["ana"].Email.Split('@')[0], await setup.Lead.Http.GetStringAsync($"/projects/{projectId}/conflicts"));
        // The project page links the queue for reviewers (its count is filled from the API), not for annotators.
        Assert.Contains("data-testid=\"conflicts-link\"", await rita.GetStringAsync($"/projects/{projectId}"));
        Assert.DoesNotContain("data-testid=\"conflicts-link\"", await setup.Annotators["ana"].Http.GetStringAsync($"/projects/{projectId}"));
    }

    [Fact]
    public async Task The_consistency_page_lists_a_claim_pair_curated_as_both_contradicting_and_supporting_with_a_link_to_each_end()
    {
        var setup = await ProjectAsync(factory.SignUpAsync, ["ana"], "open", Text);
        var (projectId, doc) = (setup.ProjectId, setup.Docs[0]);
        Assert.Contains("data-testid=\"consistency-empty\"", await setup.Reviewer.Http.GetStringAsync($"/projects/{projectId}/consistency"));
        // An adjudicated dataset imported as it was: two curated claims linked both ways.
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var owner = db.ProjectMembers.First(m => m.ProjectId == projectId && m.Role == Web.Features.Projects.ProjectRole.Manager).UserId;
            var now = DateTimeOffset.UtcNow;
            Annotation Claim(int start, int end) => new()
            {
                Id = Guid.NewGuid(), ProjectId = projectId, DocumentId = doc, AnnotatorId = owner, Layer = AnnotationLayer.Claim, Label = "CLAIM",
                Start = start, End = end, Text = Text[start..end], Attributes = "{}", Version = 1, Origin = AnnotationOrigin.Curated, CreatedAt = now, UpdatedAt = now,
            };
            var (a, b) = (Claim(0, 9), Claim(14, 23));
            db.Annotations.AddRange(a, b);
            foreach (var type in new[] { "CONTRADICTS", "SUPPORTS" })
                db.Relations.Add(new Relation { Id = Guid.NewGuid(), ProjectId = projectId, Type = type, FromId = a.Id, ToId = b.Id, AnnotatorId = owner, Version = 1, CreatedAt = now, UpdatedAt = now });
            await db.SaveChangesAsync();
        }
        var page = await setup.Lead.Http.GetStringAsync($"/projects/{projectId}/consistency");
        Assert.Contains("data-kind=\"contradicts_and_supports\"", page);
        Assert.Contains("contradicts, supports", page);
        Assert.Contains("“Ana Smith”", page);
        Assert.Contains("“Ben Jones”", page);
        Assert.Contains($"href=\"/documents/{doc}/review\"", page);
    }
}
