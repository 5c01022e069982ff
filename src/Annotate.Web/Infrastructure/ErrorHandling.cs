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
/// </summary>
public static class ErrorHandling
{
    public static void UseAnnotateErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = async context =>
            {
                var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                var (status, title, detail, extensions) = Describe(error, context);
                if (status == 503) context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Annotate.Errors")
                    .LogWarning("Database unavailable on {Method} {Path}: {Message}", context.Request.Method, context.Request.Path, error?.Message);
                else if (status >= 500)
                {
                    var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Annotate.Errors");
                    logger.LogError(error, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
                }
                context.Response.StatusCode = status;
                if (status == 503) context.Response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString();
                await WriteAsync(context, status, title, detail, extensions);
            },
        });
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
            await WriteAsync(context, status, title, detail, null);
        });
    }

    private static (int Status, string Title, string Detail, object? Extensions) Describe(Exception? error, HttpContext context) => error switch
    {
        ProblemException problem => (problem.Status, problem.Title, problem.Detail, problem.Extensions),
        BadHttpRequestException bad when bad.StatusCode == 413 => (413, "Too large", TooLarge(context), null),
        BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message, null),
        InvalidDataException data => (400, "Bad request", data.Message, null),
        JsonException => (400, "Malformed JSON", "The request body is not valid JSON.", null),
        _ when DatabaseOutage.Is(error) => (503, DatabaseOutage.Title, DatabaseOutage.Detail, null),
        OperationCanceledException => (499, "Cancelled", "The request was cancelled.", null),
        _ => (500, "Something went wrong on our side",
            "The error was logged. Try again; if it happens again, report it with the trace id.", null),
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
        context.Response.StatusCode = status;
        return WriteAsync(context, status, title, detail, null);
    }

    private static async Task WriteAsync(HttpContext context, int status, string title, string detail, object? extensions)
    {
        if (context.Response.HasStarted) return;
        var traceId = Activity.Current?.Id ?? context.TraceIdentifier;
        if (WantsProblemJson(context))
        {
            var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Instance = context.Request.Path };
            problem.Extensions["traceId"] = traceId;
            if (extensions is not null)
            {
                foreach (var property in JsonSerializer.SerializeToElement(extensions, JsonOptions.Api).EnumerateObject())
                    problem.Extensions[property.Name] = property.Value;
            }
            context.Response.ContentType = "application/problem+json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(problem, JsonOptions.Api));
            return;
        }
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync($"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{Encode(title)} - Annotate</title><link rel="stylesheet" href="/lib/bootstrap/css/bootstrap.min.css"></head>
            <body class="container py-5"><h1 class="h3">{Encode(title)}</h1><p>{Encode(detail)}</p>
            <p><a href="/projects">Back to your projects</a></p><p class="text-muted small">Trace id {Encode(traceId)}</p></body></html>
            """);
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
}
