using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.IntegrationTests.Agreement;

public class QuickDebounceFactory : AnnotateFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Agreement:DebounceSeconds", "1")];
}

/// <summary>Project agreement reports computed by the Quartz job, checked against figures worked out by hand.</summary>
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
        var project = await (await lead.Http.PostAsJsonAsync("/api/projects", new { name = "Agreement " + Guid.NewGuid() })).Content.ReadFromJsonAsync<JsonElement>();
        var projectId = project.GetProperty("id").GetInt64();
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

    private static async Task<JsonElement> WaitForAsync(HttpClient http, long reportId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var report = await http.GetFromJsonAsync<JsonElement>($"/api/agreement-reports/{reportId}");
            var status = report.GetProperty("status").GetString();
            if (status == "succeeded") return report;
            Assert.NotEqual("failed", status);
            await Task.Delay(200);
        }
        throw new TimeoutException($"Report {reportId} did not finish.");
    }

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
                Status = Annotate.Web.Features.Agreement.JobStatus.Failed, Error = "The node running it was stopped.", CreatedAt = DateTimeOffset.UtcNow,
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
