namespace Annotate.IntegrationTests.Agreement;

public class QuickDebounceFactory : AnnotateFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Agreement:DebounceSeconds", "1")];
}

/// <summary>Project agreement reports computed by the Hangfire job, checked against figures worked out by hand.</summary>
public class AgreementReportTests(QuickDebounceFactory factory) : IClassFixture<QuickDebounceFactory>
{
    // "Ana Smith met Ben Jones in Paris." A: PERSON Ana Smith, PERSON Ben Jones, LOCATION Paris.
    // B: PERSON Ana Smith, ORGANIZATION Ben Jones, LOCATION "Paris." (one character longer).
    private const string Text = "Ana Smith met Ben Jones in Paris.";

    private async Task<(SignedInClient Lead, SignedInClient A, SignedInClient B, SignedInClient Reviewer, long ProjectId, long[] Docs)> SetUpAsync()
    {
        var lead = await factory.SignUpAsync("lead");
        var a = await factory.SignUpAsync("a");
        var b = await factory.SignUpAsync("b");
        var reviewer = await factory.SignUpAsync("reviewer");
        var projectId = await lead.ProjectAsync("Agreement " + Guid.NewGuid());
        foreach (var (who, role) in new[] { (a, "annotator"), (b, "annotator"), (reviewer, "reviewer") })
            (await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = who.Email, role })).EnsureSuccessStatusCode();
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes(Text)), "files", "one.txt" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("An unfinished second article.")), "files", "two.txt" },
        };
        var docs = (await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("created").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()).ToArray();
        async Task Span(SignedInClient who, long doc, string label, int start, int end) =>
            (await who.Http.PostAsJsonAsync($"/api/documents/{doc}/annotations", new { layer = "entity", label, start, end })).EnsureSuccessStatusCode();
        await Span(a, docs[0], "PERSON", 0, 9); await Span(a, docs[0], "PERSON", 14, 23); await Span(a, docs[0], "LOCATION", 27, 32);
        await Span(b, docs[0], "PERSON", 0, 9); await Span(b, docs[0], "ORGANIZATION", 14, 23); await Span(b, docs[0], "LOCATION", 27, 33);
        await Span(a, docs[1], "EVENT", 0, 2);
        return (lead, a, b, reviewer, projectId, docs);
    }

    private static Task<JsonElement> WaitForAsync(HttpClient http, long reportId) =>
        http.WaitForJobAsync($"/api/agreement-reports/{reportId}");

    [Fact]
    public async Task A_report_over_finished_documents_matches_the_hand_computed_figures()
    {
        var (lead, a, b, reviewer, projectId, docs) = await SetUpAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await lead.Http.GetAsync($"/api/projects/{projectId}/agreement")).StatusCode);
        foreach (var who in new[] { a, b }) (await who.Http.PutAsJsonAsync($"/api/documents/{docs[0]}/status", new { status = "finished" })).EnsureSuccessStatusCode();

        var started = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/agreement", new { scope = "finished" });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var reportId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await WaitForAsync(lead.Http, reportId);

        var latest = await reviewer.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/agreement");
        Assert.Equal("finished", latest.GetProperty("scope").GetString());
        var result = latest.GetProperty("result");
        Assert.Equal(1, result.GetProperty("documents").GetInt32()); // the second article is not finished by two
        var pair = Assert.Single(result.GetProperty("pairs").EnumerateArray());
        Assert.Equal(0.3333, pair.GetProperty("spanF1Exact").GetDouble());               // 2·1/(3+3)
        Assert.Equal(0.6667, pair.GetProperty("spanF1ExactIgnoringLabel").GetDouble());  // 2·2/6
        Assert.Equal(0.6667, pair.GetProperty("spanF1Overlap").GetDouble());             // Ana Smith, Paris
        Assert.Equal(1.0, pair.GetProperty("spanF1OverlapIgnoringLabel").GetDouble());
        // Tokens: Ana Smith met Ben Jones in Paris . -> agreement 5/8, chance (4·2+3·2+1·2)/64: kappa 0.5.
        Assert.Equal(0.5, pair.GetProperty("tokenCohenKappa").GetDouble());
        // Krippendorff's alpha: D_o = 6/16, D_e = (16² − (6²+5²+2²+3²))/(16·15) = 182/240, alpha = 1 − 0.375/0.7583 = 0.5055.
        Assert.Equal(0.5055, result.GetProperty("overall").GetProperty("tokenAlpha").GetDouble());
        Assert.Equal(0.6667, result.GetProperty("perLabel").GetProperty("PERSON").GetProperty("spanF1Exact").GetDouble()); // A has 2 PERSON spans, B 1, one matches: 2·1/3
        var document = result.GetProperty("perDocument")[0];
        Assert.Equal(docs[0], document.GetProperty("documentId").GetInt64());
        Assert.True(document.GetProperty("alphaU").GetProperty("LOCATION").GetDouble() < 1);

        var csv = await reviewer.Http.GetStringAsync($"/api/agreement-reports/{reportId}/csv");
        Assert.StartsWith("section,subject,measure,value", csv);
        Assert.Contains("overall,all,tokenAlpha,0.5055", csv);
        var retry = await lead.Http.PostAsync($"/api/agreement-reports/{reportId}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
    }

    /// <summary>A project of a new manager with these annotators (by name) and one document per text.</summary>
    private async Task<(SignedInClient Lead, Dictionary<string, SignedInClient> People, long ProjectId, long[] Docs)> ProjectAsync(string[] annotators, params string[] texts)
    {
        var lead = await factory.SignUpAsync("lead");
        var people = new Dictionary<string, SignedInClient>();
        foreach (var name in annotators) people[name] = await factory.SignUpAsync(name);
        var projectId = await lead.ProjectAsync("Agreement " + Guid.NewGuid());
        foreach (var who in people.Values)
            (await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = who.Email, role = "annotator" })).EnsureSuccessStatusCode();
        var form = new MultipartFormDataContent();
        for (var i = 0; i < texts.Length; i++) form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(texts[i])), "files", $"doc{i}.txt");
        var docs = (await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("created").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()).ToArray();
        return (lead, people, projectId, docs);
    }

    private static async Task<Guid> SpanAsync(SignedInClient who, long doc, string layer, string label, int start, int end) =>
        (await (await who.Http.PostAsJsonAsync($"/api/documents/{doc}/annotations", new { layer, label, start, end }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

    private static async Task<(long ReportId, JsonElement Result)> ComputeAsync(SignedInClient lead, long projectId, string scope)
    {
        var started = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/agreement", new { scope });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var reportId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        return (reportId, (await WaitForAsync(lead.Http, reportId)).GetProperty("result"));
    }

    private static JsonElement PairOf(JsonElement result, string name1, string name2) =>
        Assert.Single(result.GetProperty("pairs").EnumerateArray(), p =>
            new[] { p.GetProperty("aName").GetString(), p.GetProperty("bName").GetString() }.Order().SequenceEqual(new[] { name1, name2 }.Order()));

    private static string NameOf(SignedInClient who) => who.Email.Split('@')[0];

    [Fact]
    public async Task Token_measures_per_label_fleiss_and_pairwise_unitizing_alpha_match_the_hand_computed_figures()
    {
        // "Ana met Ben in Rome." Tokens: Ana [0,3) met [4,7) Ben [8,11) in [12,14) Rome [15,19) . [19,20).
        // A: PERSON Ana, PERSON Ben, LOCATION Rome.  B: PERSON Ana, LOCATION Rome.  C: PERSON Ana, PERSON "Be" [8,10), ORGANIZATION Rome.
        var (lead, people, projectId, docs) = await ProjectAsync(["a", "b", "c"], "Ana met Ben in Rome.");
        var (a, b, c) = (people["a"], people["b"], people["c"]);
        await SpanAsync(a, docs[0], "entity", "PERSON", 0, 3); await SpanAsync(a, docs[0], "entity", "PERSON", 8, 11); await SpanAsync(a, docs[0], "entity", "LOCATION", 15, 19);
        await SpanAsync(b, docs[0], "entity", "PERSON", 0, 3); await SpanAsync(b, docs[0], "entity", "LOCATION", 15, 19);
        await SpanAsync(c, docs[0], "entity", "PERSON", 0, 3); await SpanAsync(c, docs[0], "entity", "PERSON", 8, 10); await SpanAsync(c, docs[0], "entity", "ORGANIZATION", 15, 19);
        foreach (var who in new[] { a, b, c }) (await who.Http.PutAsJsonAsync($"/api/documents/{docs[0]}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        var (reportId, result) = await ComputeAsync(lead, projectId, "finished");

        // Token labels (outermost entity span or O), one row per annotator:
        //   A: PERSON O PERSON O LOCATION     O
        //   B: PERSON O O      O LOCATION     O
        //   C: PERSON O PERSON O ORGANIZATION O
        // Fleiss (m = 3): P_i = 1, 1, 1/3, 1, 1/3, 1, so P̄ = 14/18; of 18 ratings PERSON 5, O 10, LOCATION 2, ORGANIZATION 1,
        // P̄_e = (25 + 100 + 4 + 1)/324 = 130/324; kappa = (14/18 − 130/324)/(1 − 130/324) = 0.6289.
        var overall = result.GetProperty("overall");
        Assert.Equal(0.6289, overall.GetProperty("tokenFleissKappa").GetDouble());
        // Cohen per pair: A/B p_o 5/6, p_e (2·1 + 3·4 + 1·1)/36 = 15/36: 15/21 = 0.7143; A/C p_o 5/6, p_e 13/36: 17/23 = 0.7391;
        // B/C p_o 4/6, p_e 14/36: 10/22 = 0.4545. Overall (and the document's) is their mean, 0.6360.
        Assert.Equal(0.7143, PairOf(result, NameOf(a), NameOf(b)).GetProperty("tokenCohenKappa").GetDouble());
        Assert.Equal(0.636, overall.GetProperty("tokenCohenKappa").GetDouble());

        // Per label, a token is "in" when the annotator's span with that label covers its first character.
        // PERSON: A in at Ana, Ben; B at Ana; C at Ana, Ben ("Be" covers B). Units: {3 in}, {2 in, 1 out} and four {3 out}.
        //   Fleiss: P̄ = (5 + 1/3)/6 = 16/18, p_in = 5/18, P̄_e = (25 + 169)/324; kappa = 0.7231.
        //   Alpha: o_in,in = 3 + 1, o_in,out = o_out,in = 1, o_out,out = 12; D_o = 2/18, D_e = 2·5·13/(18·17); alpha = 0.7385.
        //   Cohen: A/B p_o 5/6, p_e (2·1 + 4·5)/36 = 22/36: 8/14; A/C 1; B/C 8/14; mean 0.7143.
        var person = result.GetProperty("perLabel").GetProperty("PERSON");
        Assert.Equal(0.7231, person.GetProperty("tokenFleissKappa").GetDouble());
        Assert.Equal(0.7385, person.GetProperty("tokenAlpha").GetDouble());
        Assert.Equal(0.7143, person.GetProperty("tokenCohenKappa").GetDouble());
        // LOCATION: units {in, in, out} and five {out, out, out}. Fleiss: P̄ = 16/18, p_in = 2/18, P̄_e = (4 + 256)/324: 0.4375.
        // Cohen: A/B 1, A/C 0 (p_o = p_e = 5/6), B/C 0: mean 0.3333.
        var location = result.GetProperty("perLabel").GetProperty("LOCATION");
        Assert.Equal(0.4375, location.GetProperty("tokenFleissKappa").GetDouble());
        Assert.Equal(0.3333, location.GetProperty("tokenCohenKappa").GetDouble());
        // ORGANIZATION: only C marks it. A/B never do, so they are left out of the mean (their kappa would be 1 by the
        // no-variation convention); A/C and B/C are 0.
        Assert.Equal(0.0, result.GetProperty("perLabel").GetProperty("ORGANIZATION").GetProperty("tokenCohenKappa").GetDouble());

        // Alpha-U of A and B alone (R = 2, L = 20). PERSON: A [0,3) [8,11), B [0,3); the unit [8,11) lies in B's gap:
        //   D_o = 2·3²/(2·1·20²) = 0.0225; D_e = (2/20)·3·[2·(2·27 − 27 + 3)/3 + 9·((5−2) + (9−2) + (17−2))]/(40·39 − 3·6) = 73.5/1542.
        // LOCATION: both [15,19): D_o = 0; D_e = (2/20)·2·[1·(128 − 48 + 4)/3 + 16·2·(15 − 3)]/(1560 − 2·12) = 82.4/1536.
        // alpha-U = 1 − mean D_o / mean D_e = 1 − 0.01125/0.0506556 = 0.7779.
        Assert.Equal(0.7779, PairOf(result, NameOf(a), NameOf(b)).GetProperty("alphaU").GetDouble());

        // The document: span F1 means over its three pairs. Exact: A/B 2·2/5, A/C 2·1/6 ("Be" is not Ben), B/C 2·1/5: 0.5111.
        // Overlap: A/B 0.8, A/C 2·2/6, B/C 0.4: 0.6222. Fleiss and Cohen as above (one document).
        var document = Assert.Single(result.GetProperty("perDocument").EnumerateArray());
        Assert.Equal(0.5111, document.GetProperty("spanF1Exact").GetDouble());
        Assert.Equal(0.6222, document.GetProperty("spanF1Overlap").GetDouble());
        Assert.Equal(0.6289, document.GetProperty("tokenFleissKappa").GetDouble());
        Assert.Equal(0.636, document.GetProperty("tokenCohenKappa").GetDouble());

        var csv = (await lead.Http.GetStringAsync($"/api/agreement-reports/{reportId}/csv")).Split('\n');
        var subject = $"{docs[0]} doc0";
        Assert.Contains($"document,{subject},spanF1Overlap,0.6222", csv);
        Assert.Contains($"document,{subject},tokenFleissKappa,0.6289", csv);
        Assert.Contains($"document,{subject},tokenCohenKappa,0.636", csv);
        Assert.Contains("label,PERSON,tokenFleissKappa,0.7231", csv);
        Assert.Contains("overall,all,tokenCohenKappa,0.636", csv);
        Assert.Contains(csv, line => line.StartsWith("pair,") && line.EndsWith(",alphaU,0.7779"));
    }

    [Fact]
    public async Task Link_agreement_is_split_into_contradicts_and_supports_and_leaves_other_relation_types_out()
    {
        // X: "Troops won. Troops lost. Rebels fled. Rebels stayed."  Y: "Rebels left."  Both annotators mark the same claims.
        var (lead, people, projectId, docs) = await ProjectAsync(["a", "b"], "Troops won. Troops lost. Rebels fled. Rebels stayed.", "Rebels left.");
        using (var scope = factory.Services.CreateScope())
        {
            // A third relation type, to show that link agreement counts only contradicts and supports.
            var db = scope.ServiceProvider.GetRequiredService<Annotate.Web.Data.AppDbContext>();
            db.LabelDefinitions.Add(new Annotate.Web.Features.Projects.LabelDefinition { ProjectId = projectId, Kind = Annotate.Web.Features.Projects.LabelKind.Relation, Name = "CAUSES", Colour = "#123456", SortOrder = 20 });
            await db.SaveChangesAsync();
        }
        var claims = new Dictionary<string, Dictionary<string, Guid>>();
        foreach (var (name, who) in people)
            claims[name] = new()
            {
                ["c1"] = await SpanAsync(who, docs[0], "claim", "CLAIM", 0, 11), ["c2"] = await SpanAsync(who, docs[0], "claim", "CLAIM", 12, 24),
                ["c3"] = await SpanAsync(who, docs[0], "claim", "CLAIM", 25, 37), ["c4"] = await SpanAsync(who, docs[0], "claim", "CLAIM", 38, 52),
                ["d1"] = await SpanAsync(who, docs[1], "claim", "CLAIM", 0, 12),
            };
        async Task Link(string name, string type, string from, string to) =>
            (await people[name].Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type, from = claims[name][from], to = claims[name][to] })).EnsureSuccessStatusCode();
        await Link("a", "contradicts", "c1", "c2"); await Link("a", "contradicts", "c3", "c4"); await Link("a", "contradicts", "c4", "d1");
        await Link("a", "supports", "c1", "c3"); await Link("a", "supports", "c2", "c4");
        await Link("a", "causes", "c1", "c4");
        // B draws c1–c2 and c4–d1 the other way round: a contradiction has no direction, so they match. B's c3 → c1 is
        // not A's c1 → c3: a support has one.
        await Link("b", "contradicts", "c2", "c1"); await Link("b", "contradicts", "d1", "c4");
        await Link("b", "supports", "c3", "c1"); await Link("b", "supports", "c2", "c4");

        var (_, result) = await ComputeAsync(lead, projectId, "all");
        Assert.Equal(2, result.GetProperty("documents").GetInt32());
        // CONTRADICTS: A 3, B 2, matched 2 (c1–c2, c4–d1): 2·2/5 = 0.8. SUPPORTS: A 2, B 2, matched 1 (c2 → c4): 2·1/4 = 0.5.
        // Both: 2·3/(5 + 4) = 0.6667 (with A's CAUSES link it would be 2·3/10).
        var overall = result.GetProperty("overall");
        Assert.Equal(0.8, overall.GetProperty("linkF1Contradicts").GetDouble());
        Assert.Equal(0.5, overall.GetProperty("linkF1Supports").GetDouble());
        Assert.Equal(0.6667, overall.GetProperty("linkF1").GetDouble());
        var pair = PairOf(result, NameOf(people["a"]), NameOf(people["b"]));
        Assert.Equal(0.8, pair.GetProperty("linkF1Contradicts").GetDouble());
        Assert.Equal(0.5, pair.GetProperty("linkF1Supports").GetDouble());
        Assert.Equal(0.6667, pair.GetProperty("linkF1").GetDouble());
        var contradicts = pair.GetProperty("linksByType").GetProperty("CONTRADICTS");
        Assert.Equal(2, contradicts.GetProperty("matched").GetInt32());
        Assert.Equal(5, contradicts.GetProperty("inA").GetInt32() + contradicts.GetProperty("inB").GetInt32());
        Assert.Equal(9, pair.GetProperty("links").GetProperty("inA").GetInt32() + pair.GetProperty("links").GetProperty("inB").GetInt32());
    }

    [Fact]
    public async Task Only_managers_start_reports_and_annotators_cannot_read_them()
    {
        var (lead, a, _, reviewer, projectId, _) = await SetUpAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await a.Http.PostAsJsonAsync($"/api/projects/{projectId}/agreement", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.Http.PostAsJsonAsync($"/api/projects/{projectId}/agreement", new { })).StatusCode);
        var started = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/agreement", new { scope = "all" });
        var reportId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.Forbidden, (await a.Http.GetAsync($"/api/agreement-reports/{reportId}")).StatusCode);
        var outsider = await factory.SignUpAsync("outsider");
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.Http.GetAsync($"/api/agreement-reports/{reportId}")).StatusCode);
        var report = await WaitForAsync(lead.Http, reportId);
        Assert.Equal(1, report.GetProperty("result").GetProperty("documents").GetInt32()); // scope all: the article with two annotators
        var bad = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/agreement", new { scope = "everything" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task A_failed_report_is_listed_with_its_reason_and_a_retry_runs_it_again()
    {
        var (lead, a, b, _, projectId, docs) = await SetUpAsync();
        foreach (var who in new[] { a, b }) (await who.Http.PutAsJsonAsync($"/api/documents/{docs[0]}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        long reportId;
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Annotate.Web.Data.AppDbContext>();
            var failed = new Annotate.Web.Features.Agreement.AgreementReport
            {
                ProjectId = projectId, Scope = Annotate.Web.Features.Agreement.AgreementScope.Finished, Reason = Annotate.Web.Features.Agreement.JobReason.Manual,
                Status = Annotate.Web.Features.Jobs.JobStatus.Failed, Error = "The node running it was stopped.", CreatedAt = DateTimeOffset.UtcNow,
            };
            db.AgreementReports.Add(failed);
            await db.SaveChangesAsync();
            reportId = failed.Id;
        }
        var page = await lead.Http.GetStringAsync("/jobs");
        Assert.Contains("The node running it was stopped.", page);
        Assert.Contains($"/jobs/agreement/{reportId}/retry", page);
        var outsider = await factory.SignUpAsync("outsider");
        Assert.DoesNotContain("The node running it was stopped.", await outsider.Http.GetStringAsync("/jobs"));
        Assert.Equal(HttpStatusCode.Forbidden, (await a.Http.PostAsync($"/api/agreement-reports/{reportId}/retry", null)).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await lead.Http.PostAsync($"/api/agreement-reports/{reportId}/retry", null)).StatusCode);
        var report = await WaitForAsync(lead.Http, reportId);
        Assert.Equal("retry", report.GetProperty("reason").GetString());
        Assert.Equal(1, report.GetProperty("result").GetProperty("documents").GetInt32());
    }

    [Fact]
    public async Task Finishing_a_document_schedules_a_report_a_little_later()
    {
        var (lead, a, b, _, projectId, docs) = await SetUpAsync();
        foreach (var who in new[] { a, b }) (await who.Http.PutAsJsonAsync($"/api/documents/{docs[0]}/status", new { status = "finished" })).EnsureSuccessStatusCode();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var response = await lead.Http.GetAsync($"/api/projects/{projectId}/agreement");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var report = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal("finished", report.GetProperty("reason").GetString());
                Assert.Equal(1, report.GetProperty("result").GetProperty("documents").GetInt32());
                return;
            }
            await Task.Delay(250);
        }
        Assert.Fail("No report was made after the document was finished.");
    }
}
