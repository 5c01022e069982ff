using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Infrastructure;

/// <summary>
/// Every failure ends as a message a person can act on: problem details for API and hub clients,
/// a plain page for browsers. Stack traces go to the log only, never to the caller.
/// Exceptions (ExceptionHandler) and bare status codes (status code pages) are both written through the
/// platform's IProblemDetailsService, whose one writer (ProblemWriter) picks JSON or a page and whose
/// customisation adds the trace id, so every refusal reads the same whoever wrote it.
/// </summary>
public static class ErrorHandling
{
    public static void AddAnnotateErrorHandling(this IServiceCollection services)
    {
        // Registered before AddProblemDetails' default writer, so it is the one asked first (and it always answers).
        services.AddSingleton<IProblemDetailsWriter, ProblemWriter>();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            context.ProblemDetails.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<ExceptionHandler>();
    }

    public static void UseAnnotateErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(async statusContext =>
        {
            var context = statusContext.HttpContext;
            var status = context.Response.StatusCode;
            var (title, detail) = status switch
            {
                // A form the framework refused before any page saw it: an expired token, or a NUL in a field.
                400 => ("The request could not be accepted",
                    "Reload the page and send it again. If what you typed holds a control character such as NUL (U+0000), remove it first."),
                401 => ("Sign in required", "Sign in, or send an 'Authorization: Bearer' token from POST /api/auth/login."),
                403 => ("Not allowed", "Your role does not allow this."),
                404 => ("Not found", "Nothing is here, or you are not a member of the project it belongs to."),
                405 => ("Method not allowed", $"{context.Request.Method} is not supported on this address."),
                413 => ("Too large", "The request is larger than the server accepts."),
                415 => ("Unsupported media type", "Send JSON (Content-Type: application/json), or multipart/form-data for file uploads."),
                _ => (ReasonPhrase(status), ReasonPhrase(status) + "."),
            };
            await WriteProblemAsync(context, status, title, detail);
        });
    }

    /// <summary>Turns an exception into its answer, logs what needs a person's attention, and writes it.</summary>
    private sealed class ExceptionHandler(IProblemDetailsService problems, ILogger<ExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception error, CancellationToken cancel)
        {
            var (status, title, detail) = Describe(error, context);
            if (status == 503)
                logger.LogWarning("Database unavailable on {Method} {Path}: {Message}", context.Request.Method, context.Request.Path, error.Message);
            else if (status >= 500)
                logger.LogError(error, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            if (context.Response.HasStarted) return true; // nothing more can be said; the log has it
            context.Response.StatusCode = status;
            if (status == 503) context.Response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString();
            var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
            if (error is ProblemException refusal)
                foreach (var (name, value) in refusal.Members()) problem.Extensions[name] = value;
            await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = error });
            return true;
        }
    }

    private static (int Status, string Title, string Detail) Describe(Exception error, HttpContext context) => error switch
    {
        ProblemException problem => (problem.Status, problem.Title, problem.Detail),
        BadHttpRequestException bad when bad.StatusCode == 413 => (413, "Too large", TooLarge(context)),
        BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message),
        InvalidDataException data => (400, "Bad request", data.Message),
        JsonException => (400, "Malformed JSON", "The request body is not valid JSON."),
        // Two people changed the same row at the same moment (an account, say): the later one is told, not a 500.
        // The same for a row two requests created at once (Identity's account tokens, say): the app checks for
        // duplicates before writing, so a unique violation that reaches here is such a race.
        DbUpdateConcurrencyException or DbUpdateException { InnerException: Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation } } =>
            (409, "Conflict", "Someone changed this at the same moment; nothing of yours was saved. Reload and try again."),
        _ when DatabaseOutage.Is(error) => (503, DatabaseOutage.Title, DatabaseOutage.Detail),
        OperationCanceledException => (499, "Cancelled", "The request was cancelled."),
        _ => (500, "Something went wrong on our side",
            "The error was logged. Try again; if it happens again, report it with the trace id."),
    };

    /// <summary>Says which limit was passed: a single change's (span and link writes) or an upload's.</summary>
    public static string TooLarge(HttpContext context)
    {
        // The route's own limit (RequestSizeLimit sets it on the request); the endpoint is gone by the time errors are handled.
        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (limit == Features.Annotations.ChangeBudget.MaxBytes)
            return $"One change may be at most {limit:N0} bytes of JSON (a note and a checked text of 10,000 characters each, attributes of 10,000); shorten the note or attributes, or leave out \"text\".";
        if (limit == BodyLimits.SmallBytes(context.RequestServices.GetRequiredService<IConfiguration>()))
            return $"A request to this address may be at most {limit:N0} bytes (setting Limits__MaxBodyKilobytes); only imports take large uploads.";
        return "The upload is larger than the server accepts; split it or raise Import__MaxFileMegabytes.";
    }

    public static bool WantsProblemJson(HttpContext context)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs") || path.StartsWithSegments("/healthz")) return true;
        var accept = context.Request.Headers.Accept.ToString();
        return !accept.Contains("text/html", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Writes a refusal the way every other one is written (problem details, or a page for browsers).</summary>
    public static Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        if (context.Response.HasStarted) return Task.CompletedTask;
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }

    /// <summary>
    /// The one writer of problems: JSON for the API, the hub and scripts (whatever their Accept header, since an
    /// API caller that asked for HTML still reads JSON better than a page), a plain page for browsers.
    /// </summary>
    private sealed class ProblemWriter(Microsoft.Extensions.Options.IOptions<ProblemDetailsOptions> options) : IProblemDetailsWriter
    {
        public bool CanWrite(ProblemDetailsContext context) => true;

        public async ValueTask WriteAsync(ProblemDetailsContext problemContext)
        {
            // A writer applies the customisation itself (the platform's default writer does the same): the trace id.
            options.Value.CustomizeProblemDetails?.Invoke(problemContext);
            var context = problemContext.HttpContext;
            var problem = problemContext.ProblemDetails;
            if (WantsProblemJson(context))
            {
                context.Response.ContentType = "application/problem+json";
                await context.Response.WriteAsync(JsonSerializer.Serialize(problem, JsonOptions.Api));
                return;
            }
            var traceId = problem.Extensions.TryGetValue("traceId", out var id) ? id?.ToString() ?? "" : "";
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync($"""
                <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>{Encode(problem.Title ?? "")} - Annotate</title><link rel="stylesheet" href="/lib/bootstrap/css/bootstrap.min.css"></head>
                <body class="container py-5"><h1 class="h3">{Encode(problem.Title ?? "")}</h1><p>{Encode(problem.Detail ?? "")}</p>
                <p><a href="/projects">Back to your projects</a></p><p class="text-muted small">Trace id {Encode(traceId)}</p></body></html>
                """);
        }
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
}
