using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Projects;
using Annotate.Web.Infrastructure;
using ProblemDetails = Microsoft.AspNetCore.Mvc.ProblemDetails;

namespace Annotate.Testing;

/// <summary>
/// The steps most tests take before the one they check, through the public API as a client would: a project with
/// members and articles, a span, a link, a member's id, a finished job, a refusal's problem details. Answers are read
/// into the app's own view records with the app's own JSON options, so a renamed field breaks here, once.
/// </summary>
public static class TestDriver
{
    /// <summary>A new project of <paramref name="lead"/> (its manager), with the given members in their roles.</summary>
    public static async Task<long> ProjectAsync(this SignedInClient lead, string? name = null, string visibility = "open",
        params (SignedInClient Who, string Role)[] members)
    {
        var created = await lead.Http.PostAsJsonAsync("/api/projects", new { name = name ?? "Project " + Guid.NewGuid().ToString("N")[..8], visibility });
        var id = (await created.ReadAsync<JsonElement>()).GetProperty("id").GetInt64();
        foreach (var (who, role) in members) await lead.AddMemberAsync(id, who.Email, role);
        return id;
    }

    public static async Task AddMemberAsync(this SignedInClient lead, long projectId, string email, string role = "annotator") =>
        await (await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email, role })).ReadAsync<MemberView>();

    /// <summary>Imports plain-text articles (file name, text) and answers their ids in the order given.</summary>
    public static async Task<long[]> DocumentsAsync(this SignedInClient lead, long projectId, params (string FileName, string Text)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (fileName, text) in files) form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "files", fileName);
        var imported = await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).ReadAsync<JsonElement>();
        var ids = imported.GetProperty("created").EnumerateArray()
            .ToDictionary(c => c.GetProperty("file").GetString()!, c => c.GetProperty("id").GetInt64());
        return files.Select(f => ids[f.FileName]).ToArray();
    }

    /// <summary>
    /// Imports one file whose spans are kept as <paramref name="annotations"/> says ("curated", "pre-annotations",
    /// "member:EMAIL"...); answers the ids of the articles it created, in the file's order.
    /// </summary>
    public static async Task<long[]> AnnotatedImportAsync(this SignedInClient lead, long projectId, string fileName, string content, string annotations)
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes(content)), "files", fileName }, { new StringContent(annotations), "annotations" },
        };
        var imported = await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).ReadAsync<JsonElement>();
        return imported.GetProperty("created").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()).ToArray();
    }

    /// <summary>A span made by <paramref name="who"/> (offsets in code points).</summary>
    public static async Task<AnnotationView> SpanAsync(this SignedInClient who, long documentId, string layer, string label, int start, int end,
        string? note = null, object? attributes = null) =>
        await (await who.Http.PostAsJsonAsync($"/api/documents/{documentId}/annotations", new { layer, label, start, end, note, attributes }))
            .ReadAsync<AnnotationView>();

    /// <summary>A link of <paramref name="type"/> (contradicts, supports, ...) from one claim to another, in one article or two.</summary>
    public static async Task<RelationView> LinkAsync(this SignedInClient who, long projectId, string type, Guid from, Guid to, string? note = null) =>
        await (await who.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { type, from, to, note })).ReadAsync<RelationView>();

    public static async Task<string> MemberIdAsync(this SignedInClient manager, long projectId, string email)
    {
        var members = await (await manager.Http.GetAsync($"/api/projects/{projectId}/members")).ReadAsync<List<MemberView>>();
        return members.Single(m => string.Equals(m.Email, email, StringComparison.OrdinalIgnoreCase)).UserId;
    }

    /// <summary>
    /// Polls a job's address (an export's or an agreement report's) until it has succeeded, and answers it. A failure,
    /// a cancellation or the deadline fails the test with what the job said.
    /// </summary>
    public static async Task<JsonElement> WaitForJobAsync(this HttpClient http, string url, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var last = "(no answer yet)";
        while (DateTime.UtcNow < deadline)
        {
            var response = await http.GetAsync(url);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var job = await response.Content.ReadFromJsonAsync<JsonElement>(JsonOptions.Api);
                last = job.GetRawText();
                switch (job.GetProperty("status").GetString())
                {
                    case "succeeded": return job;
                    case "failed" or "cancelled": throw new InvalidOperationException($"The job at {url} ended without succeeding: {last}");
                }
            }
            await Task.Delay(150);
        }
        throw new TimeoutException($"The job at {url} did not finish in {seconds} s; last seen: {last}");
    }

    /// <summary>Starts an export of <paramref name="projectId"/> and answers it once its job has succeeded (its "id" names its file).</summary>
    public static async Task<JsonElement> ExportAsync(this HttpClient http, long projectId, object request)
    {
        var started = await (await http.PostAsJsonAsync($"/api/projects/{projectId}/exports", request)).ReadAsync<JsonElement>();
        return await http.WaitForJobAsync($"/api/exports/{started.GetProperty("id").GetInt64()}", seconds: 60);
    }

    /// <summary>A refusal's problem details, after checking it is one (status and media type).</summary>
    public static async Task<ProblemDetails> ProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != status) throw new InvalidOperationException($"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            throw new InvalidOperationException($"Expected problem details, got {response.Content.Headers.ContentType}: {body}");
        return JsonSerializer.Deserialize<ProblemDetails>(body, JsonOptions.Api)!;
    }

    /// <summary>A successful answer read as <typeparamref name="T"/>; anything else fails with the body, which says why.</summary>
    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(JsonOptions.Api))!;
    }
}
