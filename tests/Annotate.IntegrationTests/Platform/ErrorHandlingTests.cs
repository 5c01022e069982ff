using Microsoft.AspNetCore.Mvc.Testing;

namespace Annotate.IntegrationTests.Platform;

/// <summary>
/// Refusals are written through the platform's problem details service: every one carries the trace id a person
/// can report, what a refusal holds beyond its detail (the current state, the fields at fault) reaches the caller,
/// and a browser gets a page, not JSON.
/// </summary>
public class ErrorHandlingTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    [Fact]
    public async Task A_stale_edit_is_answered_with_the_current_state_and_a_trace_id()
    {
        var lead = await factory.SignUpAsync("errors");
        var project = await lead.ProjectAsync();
        var document = (await lead.DocumentsAsync(project, ("a.txt", "The Coast Guard rescued 212 people.")))[0];
        var span = await lead.SpanAsync(document, "entity", "ORGANIZATION", 4, 15);
        (await lead.Http.PatchAsJsonAsync($"/api/annotations/{span.Id}", new { label = "LOCATION", version = span.Version })).EnsureSuccessStatusCode();

        var stale = await lead.Http.PatchAsJsonAsync($"/api/annotations/{span.Id}", new { label = "PERSON", version = span.Version });
        var problem = await stale.ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("LOCATION", ((JsonElement)problem.Extensions["current"]!).GetProperty("label").GetString());
        Assert.False(string.IsNullOrEmpty(((JsonElement)problem.Extensions["traceId"]!).GetString()));
        Assert.Equal($"/api/annotations/{span.Id}", problem.Instance);
    }

    [Fact]
    public async Task A_field_error_names_the_field_and_a_bare_status_gets_a_trace_id_too()
    {
        var lead = await factory.SignUpAsync("errors");
        var project = await lead.ProjectAsync();
        var spread = await lead.Http.PostAsJsonAsync($"/api/projects/{project}/assignments/spread", new { annotatorsPerDocument = 0 });
        var problem = await spread.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(((JsonElement)problem.Extensions["errors"]!).TryGetProperty("annotatorsPerDocument", out _));
        Assert.True(problem.Extensions.ContainsKey("traceId"));

        var missing = await lead.Http.GetAsync("/api/no-such-route");
        var notFound = await missing.ProblemAsync(HttpStatusCode.NotFound);
        Assert.True(notFound.Extensions.ContainsKey("traceId"));
    }

    [Fact]
    public async Task A_browser_gets_a_page_with_the_trace_id_and_no_stack_trace()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/no-such-page");
        request.Headers.Accept.ParseAdd("text/html");
        var page = await factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Trace id", html);
        Assert.DoesNotContain("   at ", html);
    }

    [Fact]
    public async Task Simultaneous_changes_to_one_account_are_refused_as_a_conflict_not_a_server_error()
    {
        // Identity refuses a concurrent update of one user; that refusal reaches the caller as a 409 it can retry.
        var user = await factory.SignUpAsync("errors");
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            user.Http.PostAsJsonAsync("/api/auth/manage/2fa", new { resetSharedKey = true })));
        Assert.All(answers, answer => Assert.True((int)answer.StatusCode < 500, $"answered {(int)answer.StatusCode}"));
        Assert.Contains(answers, answer => answer.IsSuccessStatusCode);
    }
}
