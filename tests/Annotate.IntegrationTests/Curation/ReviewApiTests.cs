using static Annotate.IntegrationTests.Curation.CurationApi;

namespace Annotate.IntegrationTests.Curation;

/// <summary>The review API against a real PostgreSQL: units and kinds, each decision, undo and redo, the document's state.</summary>
public class ReviewApiTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    private const string Text = FourKindsText;

    private Task<SignedInClient> SignUp(string who) => factory.SignUpAsync(who);

    private Task<ReviewSetup> FourKindsAsync(string visibility = "open") => CurationApi.FourKindsAsync(SignUp, visibility);

    [Fact]
    public async Task The_review_shows_each_unit_with_its_kind_and_every_decision_builds_the_curated_layer()
    {
        var setup = await FourKindsAsync();
        var (rita, doc) = (setup.Reviewer.Http, setup.Docs[0]);
        var review = await ReviewAsync(rita, doc);
        Assert.Equal("not_started", review.GetProperty("state").GetString());
        Assert.Equal(Text, review.GetProperty("document").GetProperty("text").GetString());
        Assert.Equal(2, review.GetProperty("annotators").GetArrayLength());
        Assert.Equal(["agreed", "label", "boundary", "missing"], review.GetProperty("units").EnumerateArray().Select(u => u.GetProperty("kind").GetString()));
        Assert.Equal(4, review.GetProperty("open").GetInt32());
        var anaId = UserIdOf(review, "ana");
        var benId = UserIdOf(review, "ben");

        // Accept all agreed: the one agreed unit, in one decision.
        var merged = await DecidedAsync(rita, doc, new { action = "accept-agreed" });
        Assert.Equal(1, merged.GetProperty("merged").GetInt32());
        Assert.Equal(3, merged.GetProperty("open").GetInt32());
        // Her first decision on the document names her (its answer and its log entry are built before she has any other).
        Assert.StartsWith("rita-", merged.GetProperty("decision").GetProperty("reviewerName").GetString());

        // Accept ben's label, with a reason and a note; it records who, chosen and rejected.
        var label = UnitAt(review, 14);
        var accepted = await DecidedAsync(rita, doc, new { action = "accept", unit = Id(label), annotatorId = benId, reason = "annotator_slip", note = "Ben Jones is a firm here", version = Version(label) });
        var decision = accepted.GetProperty("decision");
        Assert.Equal("annotator_slip", decision.GetProperty("reason").GetString());
        Assert.Equal(benId, decision.GetProperty("chosen")[0].GetProperty("annotatorId").GetString());
        Assert.Equal(anaId, decision.GetProperty("rejected")[0].GetProperty("annotatorId").GetString());
        Assert.StartsWith("rita-", decision.GetProperty("reviewerName").GetString());
        Assert.Equal("ORGANIZATION", decision.GetProperty("result").GetProperty("spans")[0].GetProperty("label").GetString());

        // Edit ana's Paris to a FACILITY before accepting it.
        var boundary = UnitAt(review, 27);
        await DecidedAsync(rita, doc, new { action = "edit", unit = Id(boundary), annotatorId = anaId, span = new { start = 27, end = 32, label = "FACILITY" }, version = Version(boundary) });
        // "Nothing here" for the missing DATE.
        var missing = UnitAt(review, 36);
        await DecidedAsync(rita, doc, new { action = "reject", unit = Id(missing), reason = "guideline_gap", version = Version(missing) });
        // A span of the reviewer's own where nobody marked one.
        await DecidedAsync(rita, doc, new { action = "add", span = new { start = 10, end = 13, label = "EVENT", layer = "entity" } });

        review = await ReviewAsync(rita, doc);
        Assert.Equal(0, review.GetProperty("open").GetInt32());
        Assert.Equal("in_progress", review.GetProperty("state").GetString());
        Assert.Equal([("PERSON", 0, 9), ("EVENT", 10, 13), ("ORGANIZATION", 14, 23), ("FACILITY", 27, 32)], CuratedSpans(review));
        Assert.Equal(5, review.GetProperty("decisions").GetArrayLength());

        // The log holds each decision as curation_decided.
        var events = await rita.GetFromJsonAsync<JsonElement>($"/api/projects/{setup.ProjectId}/events?after=0");
        Assert.Equal(5, events.EnumerateArray().Count(e => e.GetProperty("kind").GetString() == "curation_decided"));

        // The reviewer's own span is no annotator's work: the editor's list and the "all" export do not have it.
        var listed = await rita.GetFromJsonAsync<JsonElement>($"/api/documents/{doc}/annotations");
        Assert.DoesNotContain(listed.EnumerateArray(), a => a.GetProperty("label").GetString() == "EVENT");
    }

    [Fact]
    public async Task A_decision_and_an_undo_answer_only_what_they_changed_and_an_edit_onto_a_curated_place_reuses_its_span()
    {
        var setup = await FourKindsAsync();
        var (rita, doc) = (setup.Reviewer.Http, setup.Docs[0]);
        var review = await ReviewAsync(rita, doc);
        static List<(string, int, long?)> Units(JsonElement outcome) => outcome.GetProperty("units").EnumerateArray()
            .Select(u => (u.GetProperty("id").GetString()!, u.GetProperty("version").GetInt32(), u.GetProperty("decision").ValueKind == JsonValueKind.Null ? (long?)null : u.GetProperty("decision").GetInt64())).ToList();
        static List<string> Added(JsonElement outcome) => outcome.GetProperty("curated").GetProperty("added").GetProperty("spans").EnumerateArray().Select(s => s.GetProperty("label").GetString()!).ToList();
        static long DecisionId(JsonElement outcome) => outcome.GetProperty("decision").GetProperty("id").GetInt64();

        // A span of the reviewer's own decides no unit; the document's curation starts with it.
        var own = await DecidedAsync(rita, doc, new { action = "add", span = new { start = 10, end = 13, label = "EVENT", layer = "entity" } });
        Assert.Empty(Units(own));
        Assert.Equal(["EVENT"], Added(own));
        Assert.Equal((4, "in_progress"), (own.GetProperty("open").GetInt32(), own.GetProperty("state").GetString()));

        // The merge answers its unit and its span, not the curated layer as a whole (the EVENT is not in it).
        var merged = await DecidedAsync(rita, doc, new { action = "accept-agreed" });
        Assert.Equal([(Id(UnitAt(review, 0)), 1, DecisionId(merged))], Units(merged));
        Assert.Equal(["PERSON"], Added(merged));
        Assert.Equal(3, merged.GetProperty("open").GetInt32());

        // An edit of the missing DATE onto the place of the reviewer's EVENT, outside the unit: it takes that span, adds none.
        var missing = UnitAt(review, 36);
        var edited = await DecidedAsync(rita, doc, new { action = "edit", unit = Id(missing), annotatorId = UserIdOf(review, "ana"), span = new { start = 10, end = 13, label = "EVENT" }, version = Version(missing) });
        Assert.Equal([(Id(missing), 1, DecisionId(edited))], Units(edited));
        Assert.Empty(Added(edited));
        Assert.Equal("EVENT", Assert.Single(edited.GetProperty("decision").GetProperty("result").GetProperty("spans").EnumerateArray()).GetProperty("label").GetString());
        Assert.Equal([("PERSON", 0, 9), ("EVENT", 10, 13)], CuratedSpans(await ReviewAsync(rita, doc)));

        // Undone, the edit removes nothing (it made nothing); the merge removes its PERSON and opens its unit at version 2.
        var unEdited = await (await rita.PostAsync($"/api/review/decisions/{DecisionId(edited)}/undo", null)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([(Id(missing), 2, null)], Units(unEdited));
        Assert.Empty(unEdited.GetProperty("curated").GetProperty("removed").GetProperty("spans").EnumerateArray());
        var unMerged = await (await rita.PostAsync($"/api/review/decisions/{DecisionId(merged)}/undo", null)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([(Id(UnitAt(review, 0)), 2, null)], Units(unMerged));
        Assert.Equal(merged.GetProperty("curated").GetProperty("added").GetProperty("spans")[0].GetProperty("id").GetGuid(),
            Assert.Single(unMerged.GetProperty("curated").GetProperty("removed").GetProperty("spans").EnumerateArray()).GetGuid());
        Assert.Equal(4, unMerged.GetProperty("open").GetInt32());
        Assert.Equal([("EVENT", 10, 13)], CuratedSpans(await ReviewAsync(rita, doc)));
    }

    [Fact]
    public async Task A_decision_on_a_unit_decided_meanwhile_or_on_a_stale_version_is_refused_with_the_current_state()
    {
        var setup = await FourKindsAsync();
        var (rita, doc) = (setup.Reviewer.Http, setup.Docs[0]);
        var lead = setup.Lead.Http;
        var review = await ReviewAsync(rita, doc);
        var unit = UnitAt(review, 14);
        var (anaId, benId) = (UserIdOf(review, "ana"), UserIdOf(review, "ben"));
        await DecidedAsync(lead, doc, new { action = "accept", unit = Id(unit), annotatorId = anaId, version = Version(unit) });
        var refused = await DecideAsync(rita, doc, new { action = "accept", unit = Id(unit), annotatorId = benId, version = Version(unit) });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("decided this unit meanwhile", problem.GetProperty("detail").GetString());
        Assert.Equal(1, problem.GetProperty("current").GetProperty("version").GetInt32());
        Assert.Equal("PERSON", problem.GetProperty("current").GetProperty("decision").GetProperty("result").GetProperty("spans")[0].GetProperty("label").GetString());
        // No version at all: refused as the editor refuses an edit without one.
        Assert.Equal(HttpStatusCode.BadRequest, (await DecideAsync(rita, doc, new { action = "reject", unit = Id(UnitAt(review, 36)) })).StatusCode);
        // Bad input changes nothing and says what to send.
        var bad = await DecideAsync(rita, doc, new { action = "accept", unit = Id(UnitAt(review, 36)), annotatorId = benId, version = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await DecideAsync(rita, doc, new { action = "reject", unit = Id(UnitAt(review, 36)), version = 0, reason = "because" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await DecideAsync(rita, doc, new { action = "add", span = new { start = 40, end = 99, label = "DATE", layer = "entity" } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await DecideAsync(rita, doc, new { action = "reject", unit = "e-0000000000000000", version = 0 })).StatusCode);
        Assert.Single(CuratedSpans(await ReviewAsync(rita, doc)));
    }

    [Fact]
    public async Task Undo_and_redo_work_across_page_loads_because_the_history_is_the_log()
    {
        var setup = await FourKindsAsync();
        var (rita, doc) = (setup.Reviewer.Http, setup.Docs[0]);
        var review = await ReviewAsync(rita, doc);
        var unit = UnitAt(review, 14);
        var made = await DecidedAsync(rita, doc, new { action = "accept", unit = Id(unit), annotatorId = UserIdOf(review, "ben"), version = 0 });
        var decisionId = made.GetProperty("decision").GetProperty("id").GetInt64();

        // A fresh load (another page, another day) still knows the decision and can undo it.
        review = await ReviewAsync(rita, doc);
        Assert.Equal(decisionId, review.GetProperty("decisions")[0].GetProperty("id").GetInt64());
        var undone = await (await rita.PostAsync($"/api/review/decisions/{decisionId}/undo", null)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(undone.GetProperty("decision").GetProperty("undone").GetBoolean());
        review = await ReviewAsync(rita, doc);
        Assert.Empty(CuratedSpans(review));
        Assert.Equal(JsonValueKind.Null, UnitAt(review, 14).GetProperty("decision").ValueKind);
        Assert.Equal(2, Version(UnitAt(review, 14)));
        Assert.Equal(HttpStatusCode.Conflict, (await rita.PostAsync($"/api/review/decisions/{decisionId}/undo", null)).StatusCode);

        var redone = await (await rita.PostAsync($"/api/review/decisions/{decisionId}/redo", null)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(decisionId, redone.GetProperty("decision").GetProperty("redoOf").GetInt64());
        review = await ReviewAsync(rita, doc);
        Assert.Equal([("ORGANIZATION", 14, 23)], CuratedSpans(review));
        Assert.Equal(HttpStatusCode.Conflict, (await rita.PostAsync($"/api/review/decisions/{decisionId}/redo", null)).StatusCode);
        var events = await rita.GetFromJsonAsync<JsonElement>($"/api/projects/{setup.ProjectId}/events?after=0");
        Assert.Single(events.EnumerateArray(), e => e.GetProperty("kind").GetString() == "curation_undone");
    }

    [Fact]
    public async Task Curation_makes_the_annotators_work_read_only_until_a_manager_reopens_and_curated_waits_for_every_unit()
    {
        var setup = await FourKindsAsync();
        var (rita, doc) = (setup.Reviewer.Http, setup.Docs[0]);
        var ana = setup.Annotators["ana"];
        var anaSpan = (await ana.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{doc}/annotations?annotator={UserIdOf(await ReviewAsync(rita, doc), "ana")}"))[0];
        await DecidedAsync(rita, doc, new { action = "accept-agreed" });

        var create = await ana.Http.PostAsJsonAsync($"/api/documents/{doc}/annotations", new { layer = "entity", label = "EVENT", start = 10, end = 13 });
        Assert.Equal(HttpStatusCode.Conflict, create.StatusCode);
        Assert.Contains("being curated", (await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await ana.Http.DeleteAsync($"/api/annotations/{anaSpan.GetProperty("id").GetGuid()}?version=1")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await ana.Http.PutAsJsonAsync($"/api/documents/{doc}/status", new { status = "in_progress" })).StatusCode);

        var early = await rita.PutAsJsonAsync($"/api/documents/{doc}/curation", new { state = "curated" });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        var problem = await early.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, problem.GetProperty("open").GetInt32());
        Assert.Contains("3 units are still open", problem.GetProperty("detail").GetString());

        var review = await ReviewAsync(rita, doc);
        foreach (var start in new[] { 14, 27, 36 })
            await DecidedAsync(rita, doc, new { action = "reject", unit = Id(UnitAt(review, start)), version = 0 });
        var curated = await (await rita.PutAsJsonAsync($"/api/documents/{doc}/curation", new { state = "curated" })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("curated", curated.GetProperty("state").GetString());
        // A curated document takes no more decisions until it is set back to in progress.
        Assert.Equal(HttpStatusCode.Conflict, (await DecideAsync(rita, doc, new { action = "add", span = new { start = 10, end = 13, label = "EVENT", layer = "entity" } })).StatusCode);

        // A reviewer cannot reopen for the annotators; the manager can.
        Assert.Equal(HttpStatusCode.Forbidden, (await rita.PutAsJsonAsync($"/api/documents/{doc}/curation", new { state = "reopened" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await rita.PutAsJsonAsync($"/api/documents/{doc}/curation", new { state = "done" })).StatusCode);
        (await setup.Lead.Http.PutAsJsonAsync($"/api/documents/{doc}/curation", new { state = "reopened" })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Created, (await ana.Http.PostAsJsonAsync($"/api/documents/{doc}/annotations", new { layer = "entity", label = "EVENT", start = 10, end = 13 })).StatusCode);
        // The review, read while the work was locked, reads it again once the annotators may edit: Ana's new span is in a unit.
        Assert.Contains((await ReviewAsync(rita, doc)).GetProperty("units").EnumerateArray().SelectMany(u => u.GetProperty("versions").EnumerateArray()),
            v => v.GetProperty("label").GetString() == "EVENT" && v.GetProperty("start").GetInt32() == 10);
    }

    [Fact]
    public async Task The_threshold_merge_takes_two_of_three_only_with_a_threshold_ties_never_and_never_overwrites_a_decision()
    {
        // "Ana met Ben in Rome and Oslo." Ana [0,3) Ben [8,11) Rome [15,19) Oslo [24,28).
        var setup = await ProjectAsync(SignUp, ["ana", "ben", "cem"], "open", "Ana met Ben in Rome and Oslo.");
        var (ana, ben, cem) = (setup.Annotators["ana"], setup.Annotators["ben"], setup.Annotators["cem"]);
        var (rita, doc) = (setup.Reviewer.Http, setup.Docs[0]);
        foreach (var who in new[] { ana, ben }) { await SpanAsync(who, doc, "PERSON", 0, 3); await SpanAsync(who, doc, "PERSON", 8, 11); await SpanAsync(who, doc, "LOCATION", 15, 19); }
        await SpanAsync(cem, doc, "ORGANIZATION", 0, 3); await SpanAsync(cem, doc, "ORGANIZATION", 8, 11); await SpanAsync(cem, doc, "LOCATION", 15, 19);
        // Oslo: a three-way tie of one vote each.
        await SpanAsync(ana, doc, "LOCATION", 24, 28); await SpanAsync(ben, doc, "ORGANIZATION", 24, 28); await SpanAsync(cem, doc, "FACILITY", 24, 28);
        foreach (var who in new[] { ana, ben, cem }) await FinishAsync(who, doc);
        var review = await ReviewAsync(rita, doc);
        Assert.Equal(["label", "label", "agreed", "label"], review.GetProperty("units").EnumerateArray().Select(u => u.GetProperty("kind").GetString()));

        // The reviewer decides Ben [8,11) for cem's ORGANIZATION first.
        var ben811 = UnitAt(review, 8);
        await DecidedAsync(rita, doc, new { action = "accept", unit = Id(ben811), annotatorId = UserIdOf(review, "cem"), version = 0 });

        // Without a threshold only the agreed Rome is merged.
        var plain = await DecidedAsync(rita, doc, new { action = "accept-agreed" });
        Assert.Equal(1, plain.GetProperty("merged").GetInt32());
        Assert.Equal([("ORGANIZATION", 8, 11), ("LOCATION", 15, 19)], CuratedSpans(await ReviewAsync(rita, doc)));
        // A threshold above two of three merges nothing.
        var strict = await DecidedAsync(rita, doc, new { action = "accept-agreed", threshold = new { annotators = 2, share = 0.7 } });
        Assert.Equal(0, strict.GetProperty("merged").GetInt32());
        Assert.Equal(JsonValueKind.Null, strict.GetProperty("decision").ValueKind);
        // With "at least 2 annotators and 60 %": Ana (2 of 3 for PERSON) is merged; Ben stays the reviewer's ORGANIZATION; the Oslo tie stays open.
        var merged = await DecidedAsync(rita, doc, new { action = "accept-agreed", threshold = new { annotators = 2, share = 0.6 } });
        Assert.Equal(1, merged.GetProperty("merged").GetInt32());
        review = await ReviewAsync(rita, doc);
        Assert.Equal([("PERSON", 0, 3), ("ORGANIZATION", 8, 11), ("LOCATION", 15, 19)], CuratedSpans(review));
        Assert.Equal(1, review.GetProperty("open").GetInt32());
        Assert.Equal(JsonValueKind.Null, UnitAt(review, 24).GetProperty("decision").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, (await DecideAsync(rita, doc, new { action = "accept-agreed", threshold = new { annotators = 0, share = 2 } })).StatusCode);
    }

    [Fact]
    public async Task Each_unit_shows_only_its_own_part_of_a_decision_that_decided_many_and_the_history_holds_it_whole()
    {
        var setup = await ProjectAsync(SignUp, ["ana", "ben"], "open", "Ana met Ben in Rome and Oslo.");
        var (ana, ben) = (setup.Annotators["ana"], setup.Annotators["ben"]);
        var (rita, doc) = (setup.Reviewer.Http, setup.Docs[0]);
        foreach (var who in new[] { ana, ben }) { await SpanAsync(who, doc, "PERSON", 0, 3); await SpanAsync(who, doc, "PERSON", 8, 11); await FinishAsync(who, doc); }
        var merged = await DecidedAsync(rita, doc, new { action = "accept-agreed" });
        Assert.Equal(2, merged.GetProperty("merged").GetInt32());

        var review = await ReviewAsync(rita, doc);
        var whole = Assert.Single(review.GetProperty("decisions").EnumerateArray());
        Assert.Equal(2, whole.GetProperty("units").GetArrayLength());
        Assert.Equal(2, whole.GetProperty("chosen").GetArrayLength());
        foreach (var (start, end) in new[] { (0, 3), (8, 11) })
        {
            var unit = UnitAt(review, start);
            var part = unit.GetProperty("decision");
            Assert.Equal(whole.GetProperty("id").GetInt64(), part.GetProperty("id").GetInt64());
            Assert.Equal([Id(unit)], part.GetProperty("units").EnumerateArray().Select(u => u.GetString()));
            Assert.All(part.GetProperty("chosen").EnumerateArray().Concat(part.GetProperty("rejected").EnumerateArray()), v => Assert.Equal(Id(unit), v.GetProperty("unit").GetString()));
            Assert.Single(part.GetProperty("chosen").EnumerateArray());
            var made = Assert.Single(part.GetProperty("result").GetProperty("spans").EnumerateArray());
            Assert.Equal((start, end), (made.GetProperty("start").GetInt32(), made.GetProperty("end").GetInt32()));
        }
    }

    [Fact]
    public async Task Accepting_a_link_between_two_articles_accepts_its_uncurated_ends_in_the_same_decision_and_the_curated_export_holds_it()
    {
        var setup = await ProjectAsync(SignUp, ["ana", "ben"], "open", "The ferry sank at noon.", "The ferry reached port safely.");
        var (ana, ben) = (setup.Annotators["ana"], setup.Annotators["ben"]);
        var (rita, docs) = (setup.Reviewer.Http, setup.Docs);
        var anaSank = await SpanAsync(ana, docs[0], "CLAIM", 0, 22, "claim");
        var anaSafe = await SpanAsync(ana, docs[1], "CLAIM", 0, 29, "claim");
        var benSank = await SpanAsync(ben, docs[0], "CLAIM", 0, 22, "claim");
        var benSafe = await SpanAsync(ben, docs[1], "CLAIM", 0, 29, "claim");
        await LinkAsync(ana, setup.ProjectId, "CONTRADICTS", anaSank, anaSafe);
        await LinkAsync(ben, setup.ProjectId, "SUPPORTS", benSank, benSafe);
        var review = await ReviewAsync(rita, docs[0]);
        var link = Assert.Single(review.GetProperty("links").EnumerateArray());
        Assert.Equal("type", link.GetProperty("kind").GetString());

        var outcome = await DecidedAsync(rita, docs[0], new { action = "accept", unit = Id(link), annotatorId = UserIdOf(review, "ana"), version = 0 });
        var decision = outcome.GetProperty("decision");
        Assert.Equal(3, decision.GetProperty("units").GetArrayLength()); // the link and the units of its two ends
        Assert.Equal(new[] { docs[0], docs[1] }, decision.GetProperty("documents").EnumerateArray().Select(d => d.GetInt64()).Order());
        Assert.Equal("CONTRADICTS", decision.GetProperty("result").GetProperty("relations")[0].GetProperty("type").GetString());
        // Both articles now show their end curated and decided by that one decision.
        var other = await ReviewAsync(rita, docs[1]);
        Assert.Equal([("CLAIM", 0, 29)], CuratedSpans(other));
        Assert.Equal(decision.GetProperty("id").GetInt64(), UnitAt(other, 0, "claim").GetProperty("decision").GetProperty("id").GetInt64());
        Assert.Equal("in_progress", other.GetProperty("state").GetString());
        Assert.Single(other.GetProperty("curated").GetProperty("relations").EnumerateArray());

        var export = await ExportLinesAsync(setup.Lead.Http, setup.ProjectId, new { format = "annotate-jsonl", scope = "curated" });
        var relations = export.Skip(1).SelectMany(l => l.TryGetProperty("relations", out var r) ? r.EnumerateArray() : Enumerable.Empty<JsonElement>()).ToList();
        var exported = Assert.Single(relations);
        Assert.Equal("CONTRADICTS", exported.GetProperty("type").GetString());
        var everyone = await ExportLinesAsync(setup.Lead.Http, setup.ProjectId, new { format = "annotate-jsonl", scope = "all" });
        Assert.Equal(4, everyone.Skip(1).Sum(l => l.GetProperty("spans").GetArrayLength())); // the annotators' four claims, no curated one

        // Consistency: nothing wrong with one curated contradiction.
        Assert.Empty((await rita.GetFromJsonAsync<JsonElement>($"/api/projects/{setup.ProjectId}/consistency")).EnumerateArray());
        // The conflict queue: nothing open is left in either article.
        Assert.Equal(0, (await rita.GetFromJsonAsync<JsonElement>($"/api/projects/{setup.ProjectId}/conflicts")).GetProperty("open").GetInt32());
        // Undoing the decision removes the link and both ends.
        (await rita.PostAsync($"/api/review/decisions/{decision.GetProperty("id").GetInt64()}/undo", null)).EnsureSuccessStatusCode();
        Assert.Empty(CuratedSpans(await ReviewAsync(rita, docs[1])));
        var queue = await rita.GetFromJsonAsync<JsonElement>($"/api/projects/{setup.ProjectId}/conflicts");
        // Each article has its claim unit open again, and the link between them is open on both.
        Assert.Equal(new[] { 2, 2 }, queue.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("open").GetInt32()));
    }

    [Fact]
    public async Task Every_review_route_is_for_reviewers_and_managers_annotators_get_403_and_strangers_404()
    {
        var setup = await FourKindsAsync("blind");
        var (rita, doc, projectId) = (setup.Reviewer.Http, setup.Docs[0], setup.ProjectId);
        var ana = setup.Annotators["ana"].Http;
        var stranger = (await SignUp("stranger")).Http;
        var review = await ReviewAsync(rita, doc);
        var decided = await DecidedAsync(rita, doc, new { action = "reject", unit = Id(UnitAt(review, 36)), version = 0 });
        var decisionId = decided.GetProperty("decision").GetProperty("id").GetInt64();
        var routes = new (string Name, Func<HttpClient, Task<HttpResponseMessage>> Call)[]
        {
            ("review", h => h.GetAsync($"/api/documents/{doc}/review")),
            ("decide", h => DecideAsync(h, doc, new { action = "accept-agreed" })),
            ("undo", h => h.PostAsync($"/api/review/decisions/{decisionId}/undo", null)),
            ("redo", h => h.PostAsync($"/api/review/decisions/{decisionId}/redo", null)),
            ("state", h => h.PutAsJsonAsync($"/api/documents/{doc}/curation", new { state = "in_progress" })),
            ("conflicts", h => h.GetAsync($"/api/projects/{projectId}/conflicts")),
            ("consistency", h => h.GetAsync($"/api/projects/{projectId}/consistency")),
        };
        foreach (var (name, call) in routes)
        {
            Assert.True(HttpStatusCode.Forbidden == (await call(ana)).StatusCode, $"{name}: an annotator");
            Assert.True(HttpStatusCode.NotFound == (await call(stranger)).StatusCode, $"{name}: a non-member");
        }
        // The same routes in order for the reviewer and the manager: each answers.
        foreach (var (name, call) in routes)
            Assert.True((await call(name is "undo" or "redo" ? rita : setup.Lead.Http)).IsSuccessStatusCode, $"{name}: a reviewer or manager");
        // Corrections: an annotator sees their own only; a stranger nothing.
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/projects/{projectId}/corrections")).StatusCode);
        var benId = UserIdOf(review, "ben");
        Assert.Equal(HttpStatusCode.Forbidden, (await ana.GetAsync($"/api/projects/{projectId}/corrections?annotator={benId}")).StatusCode);
        var own = await ana.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/corrections");
        Assert.Equal(UserIdOf(review, "ana"), Assert.Single(own.EnumerateArray()).GetProperty("annotatorId").GetString());
        // In the blind project the annotator's log holds no decision (they name other annotators' versions).
        var events = await ana.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events?after=0");
        Assert.DoesNotContain(events.EnumerateArray(), e => e.GetProperty("kind").GetString()!.StartsWith("curation_"));
    }

    [Fact]
    public async Task Corrections_give_each_annotators_precision_recall_and_f1_per_label_against_the_curated_layer()
    {
        var setup = await FourKindsAsync();
        var (rita, doc, projectId) = (setup.Reviewer.Http, setup.Docs[0], setup.ProjectId);
        var review = await ReviewAsync(rita, doc);
        var (anaId, benId) = (UserIdOf(review, "ana"), UserIdOf(review, "ben"));
        await DecidedAsync(rita, doc, new { action = "accept-agreed" });                                                   // PERSON [0,9)
        await DecidedAsync(rita, doc, new { action = "accept", unit = Id(UnitAt(review, 14)), annotatorId = benId, version = 0 }); // ORGANIZATION [14,23)
        await DecidedAsync(rita, doc, new { action = "accept", unit = Id(UnitAt(review, 27)), annotatorId = anaId, version = 0 }); // LOCATION [27,32)
        await DecidedAsync(rita, doc, new { action = "reject", unit = Id(UnitAt(review, 36)), version = 0, reason = "guideline_gap", note = "Weekdays are not dates here" }); // no DATE
        // Not curated yet: no document counts.
        Assert.Equal(0, (await rita.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/corrections?annotator={anaId}"))[0].GetProperty("documents").GetInt32());
        (await rita.PutAsJsonAsync($"/api/documents/{doc}/curation", new { state = "curated" })).EnsureSuccessStatusCode();

        var all = await setup.Lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/corrections");
        JsonElement Of(string id) => all.EnumerateArray().Single(a => a.GetProperty("annotatorId").GetString() == id);
        JsonElement Label(JsonElement who, string label) => who.GetProperty("labels").EnumerateArray().Single(l => l.GetProperty("label").GetString() == label);
        double? Figure(JsonElement score, string name) => score.GetProperty(name).ValueKind == JsonValueKind.Null ? null : score.GetProperty(name).GetDouble();

        // ana: PERSON {0-9, 14-23} against {0-9}: P 1/2, R 1/1, F1 2·1/3. ORGANIZATION: none of hers, one curated: R 0.
        // LOCATION exact. DATE hers, not curated: P 0. Overall 2 of her 4 match, of 3 curated: P 0.5, R 0.6667, F1 4/7.
        var ana = Of(anaId);
        Assert.Equal((0.5, 1.0, 0.6667), (Figure(Label(ana, "PERSON"), "precision"), Figure(Label(ana, "PERSON"), "recall"), Figure(Label(ana, "PERSON"), "f1")));
        Assert.Equal(((double?)null, 0.0, 0.0), (Figure(Label(ana, "ORGANIZATION"), "precision"), Figure(Label(ana, "ORGANIZATION"), "recall"), Figure(Label(ana, "ORGANIZATION"), "f1")));
        Assert.Equal(1.0, Figure(Label(ana, "LOCATION"), "f1"));
        Assert.Equal((0.0, (double?)null), (Figure(Label(ana, "DATE"), "precision"), Figure(Label(ana, "DATE"), "recall")));
        var overall = ana.GetProperty("overall");
        Assert.Equal((2, 2, 1), (overall.GetProperty("matched").GetInt32(), overall.GetProperty("extra").GetInt32(), overall.GetProperty("missed").GetInt32()));
        Assert.Equal((0.5, 0.6667, 0.5714), (Figure(overall, "precision"), Figure(overall, "recall"), Figure(overall, "f1")));
        // ben: PERSON and ORGANIZATION exact; his LOCATION [27,33) is one character long: 0.
        var ben = Of(benId);
        Assert.Equal(1.0, Figure(Label(ben, "ORGANIZATION"), "f1"));
        Assert.Equal(0.0, Figure(Label(ben, "LOCATION"), "f1"));
        Assert.Equal(0.6667, Figure(ben.GetProperty("overall"), "f1"));
        Assert.Equal(1, ben.GetProperty("documents").GetInt32());
        // Each difference marked by its kind: ana's extra PERSON over Ben Jones is a label difference, her DATE extra.
        Assert.Equal([("label", "PERSON", "ORGANIZATION"), ("extra", "DATE", null)], ana.GetProperty("differences").EnumerateArray()
            .Select(d => (d.GetProperty("kind").GetString()!, d.GetProperty("yours").GetProperty("label").GetString()!,
                d.GetProperty("curated").ValueKind == JsonValueKind.Null ? null : d.GetProperty("curated").GetProperty("label").GetString())));
        var benDifference = Assert.Single(ben.GetProperty("differences").EnumerateArray());
        Assert.Equal("boundary", benDifference.GetProperty("kind").GetString());
        // The reviewer's note on the rejected date reaches ana (whose version it rejected), not ben.
        var note = Assert.Single(ana.GetProperty("notes").EnumerateArray());
        Assert.Equal("Weekdays are not dates here", note.GetProperty("note").GetString());
        Assert.False(note.GetProperty("chosen").GetBoolean());
        Assert.Empty(ben.GetProperty("notes").EnumerateArray());
    }

    [Fact]
    public async Task With_anonymous_curation_reviewers_read_annotator_numbers_and_managers_read_names()
    {
        var setup = await FourKindsAsync();
        var (rita, doc) = (setup.Reviewer.Http, setup.Docs[0]);
        (await setup.Lead.Http.PatchAsJsonAsync($"/api/projects/{setup.ProjectId}", new { anonymousCuration = true })).EnsureSuccessStatusCode();
        var review = await ReviewAsync(rita, doc);
        Assert.Equal(["Annotator 1", "Annotator 2"], review.GetProperty("annotators").EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        Assert.All(review.GetProperty("units").EnumerateArray().SelectMany(u => u.GetProperty("versions").EnumerateArray()),
            v => Assert.StartsWith("Annotator ", v.GetProperty("annotatorName").GetString()));
        Assert.DoesNotContain("ana-", review.GetRawText());
        var managers = await ReviewAsync(setup.Lead.Http, doc);
        Assert.Contains(managers.GetProperty("annotators").EnumerateArray(), a => a.GetProperty("name").GetString()!.StartsWith("ana-"));
    }

    [Fact]
    public async Task Accept_all_agreed_merges_an_agreed_link_inside_an_article_and_every_format_with_links_exports_it()
    {
        // Two claims in one article, [0,22) and [24,53); both annotators mark them and link them the same way.
        const string text = "The ferry sank at noon. The ferry reached port safely.";
        var setup = await ProjectAsync(SignUp, ["ana", "ben"], "open", text);
        var (rita, doc) = (setup.Reviewer.Http, setup.Docs[0]);
        foreach (var who in setup.Annotators.Values)
        {
            var sank = await SpanAsync(who, doc, "CLAIM", 0, 22, "claim");
            var safe = await SpanAsync(who, doc, "CLAIM", 24, 53, "claim");
            await LinkAsync(who, setup.ProjectId, "CONTRADICTS", who == setup.Annotators["ana"] ? sank : safe, who == setup.Annotators["ana"] ? safe : sank);
            await FinishAsync(who, doc);
        }
        var review = await ReviewAsync(rita, doc);
        Assert.Equal("agreed", Assert.Single(review.GetProperty("links").EnumerateArray()).GetProperty("kind").GetString()); // drawn both ways, one contradiction
        var merged = await DecidedAsync(rita, doc, new { action = "accept-agreed" });
        Assert.Equal(3, merged.GetProperty("merged").GetInt32());
        Assert.Single(merged.GetProperty("curated").GetProperty("added").GetProperty("relations").EnumerateArray());
        (await rita.PutAsJsonAsync($"/api/documents/{doc}/curation", new { state = "curated" })).EnsureSuccessStatusCode();

        var lines = await ExportLinesAsync(setup.Lead.Http, setup.ProjectId, new { format = "annotate-jsonl", scope = "curated" });
        Assert.Equal("CONTRADICTS", Assert.Single(lines[1].GetProperty("relations").EnumerateArray()).GetProperty("type").GetString());
        Assert.Equal(2, lines[1].GetProperty("spans").GetArrayLength());
        foreach (var format in new[] { "doccano-jsonl", "label-studio-json", "brat" })
        {
            var file = await ExportBytesAsync(setup.Lead.Http, setup.ProjectId, new { format, scope = "curated" });
            var content = format == "brat"
                ? string.Concat(new System.IO.Compression.ZipArchive(new MemoryStream(file)).Entries.Where(e => e.FullName.EndsWith(".ann")).Select(e => new StreamReader(e.Open()).ReadToEnd()))
                : Encoding.UTF8.GetString(file);
            Assert.True(content.Contains("CONTRADICTS", StringComparison.OrdinalIgnoreCase), $"{format} holds the curated link");
        }
    }

    [Fact]
    public async Task The_conflict_queue_orders_by_open_units_or_by_the_latest_reports_lowest_agreement_and_filters_by_kind_and_label()
    {
        var setup = await ProjectAsync(SignUp, ["ana", "ben"], "open", "Ana met Ben in Rome and Oslo.", "Cem saw Dan.");
        var (ana, ben, docs) = (setup.Annotators["ana"], setup.Annotators["ben"], setup.Docs);
        // Article 0: four units, two of them label conflicts (exact F1 2·2/8 = 0.5). Article 1: one conflict (F1 0).
        await SpanAsync(ana, docs[0], "PERSON", 0, 3); await SpanAsync(ben, docs[0], "PERSON", 0, 3);
        await SpanAsync(ana, docs[0], "PERSON", 8, 11); await SpanAsync(ben, docs[0], "ORGANIZATION", 8, 11);
        await SpanAsync(ana, docs[0], "LOCATION", 15, 19); await SpanAsync(ben, docs[0], "LOCATION", 15, 19);
        await SpanAsync(ana, docs[0], "LOCATION", 24, 28); await SpanAsync(ben, docs[0], "ORGANIZATION", 24, 28);
        await SpanAsync(ana, docs[1], "PERSON", 0, 3); await SpanAsync(ben, docs[1], "ORGANIZATION", 0, 3);
        var rita = setup.Reviewer.Http;
        var byOpen = await rita.GetFromJsonAsync<JsonElement>($"/api/projects/{setup.ProjectId}/conflicts");
        Assert.Equal(new[] { (docs[0], 4), (docs[1], 1) }, byOpen.GetProperty("documents").EnumerateArray().Select(d => (d.GetProperty("id").GetInt64(), d.GetProperty("open").GetInt32())));
        Assert.Equal(5, byOpen.GetProperty("open").GetInt32());
        Assert.Equal(2, byOpen.GetProperty("documents")[0].GetProperty("kinds").GetProperty("label").GetInt32());

        var started = await setup.Lead.Http.PostAsJsonAsync($"/api/projects/{setup.ProjectId}/agreement", new { scope = "all" });
        await WaitForReportAsync(setup.Lead.Http, (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        var byAgreement = await rita.GetFromJsonAsync<JsonElement>($"/api/projects/{setup.ProjectId}/conflicts?order=agreement");
        Assert.Equal(new[] { (docs[1], 0.0), (docs[0], 0.5) }, byAgreement.GetProperty("documents").EnumerateArray().Select(d => (d.GetProperty("id").GetInt64(), d.GetProperty("agreement").GetDouble())));

        var onlyOrganization = await rita.GetFromJsonAsync<JsonElement>($"/api/projects/{setup.ProjectId}/conflicts?kind=label&label=organization");
        Assert.Equal(new[] { 2, 1 }, onlyOrganization.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("open").GetInt32()));
        Assert.Equal(HttpStatusCode.BadRequest, (await rita.GetAsync($"/api/projects/{setup.ProjectId}/conflicts?order=size")).StatusCode);
    }

    private static async Task<List<JsonElement>> ExportLinesAsync(HttpClient http, long projectId, object request) =>
        Encoding.UTF8.GetString(await ExportBytesAsync(http, projectId, request)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private static async Task<byte[]> ExportBytesAsync(HttpClient http, long projectId, object request) =>
        await http.GetByteArrayAsync($"/api/exports/{(await http.ExportAsync(projectId, request)).GetProperty("id").GetInt64()}/file");
}
