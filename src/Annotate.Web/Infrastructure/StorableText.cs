using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Annotate.Web.Features.Annotations;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.SignalR;

namespace Annotate.Web.Infrastructure;

/// <summary>
/// One check, at every door (MVC actions, the sign-in API, hub methods), for text PostgreSQL cannot store: a NUL
/// character (refused by text and jsonb) or a lone UTF-16 surrogate (no UTF-8 encoding exists). Without it such
/// input reached the database and answered 500 after half a request's work; with it the caller gets a 400 that
/// names the field, before anything runs. It walks what the request bound: strings, JSON values (keys too),
/// lists and our own request records.
/// </summary>
public static class StorableText
{
    private const int MaxDepth = 64;

    /// <summary>The first field of <paramref name="value"/> (named from <paramref name="name"/>) that cannot be stored, with why.</summary>
    public static (string Field, string Problem)? Find(string name, object? value) =>
        // Every request of every door is walked: the first walk names nothing (no string is made for a field that is
        // fine), and only a refusal walks again to name the field.
        Find(null, value, 0) is null ? null : Find(name, value, 0);

    /// <param name="path">The field's name as the caller wrote it, or null to walk without naming (see above).</param>
    private static (string Field, string Problem)? Find(string? path, object? value, int depth)
    {
        if (value is null || depth > MaxDepth) return null;
        switch (value)
        {
            case string text:
                return CodePoints.FindInvalidCharacter(text) is { } problem ? (path ?? "", problem) : null;
            case JsonElement element:
                return FindInJson(path, element, depth);
            case IFormFile or IFormFileCollection or Stream or CancellationToken:
                return null; // files are checked line by line by their importer
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    var key = Convert.ToString(entry.Key) ?? "";
                    if (CodePoints.FindInvalidCharacter(key) is { } badKey) return (path ?? "", $"a key that contains {badKey}");
                    if (Find(path is null ? null : $"{path}.{key}", entry.Value, depth + 1) is { } found) return found;
                }
                return null;
            case IEnumerable items:
                var index = 0;
                foreach (var item in items)
                {
                    if (Find(path is null ? null : $"{path}[{index}]", item, depth + 1) is { } found) return found;
                    index++;
                }
                return null;
        }
        var type = value.GetType();
        if (!IsOurs(type)) return null;
        foreach (var property in PropertiesOf(type))
        {
            var field = path is null ? null : path.Length == 0 ? CamelCase(property.Name) : $"{path}.{CamelCase(property.Name)}";
            if (Find(field, property.GetValue(value), depth + 1) is { } found) return found;
        }
        return null;
    }

    private static (string Field, string Problem)? FindInJson(string? path, JsonElement element, int depth)
    {
        if (depth > MaxDepth) return null;
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                // The reader refuses to unescape a lone surrogate ("\ud800"); PostgreSQL's jsonb refuses it and "\u0000" too.
                try { return CodePoints.FindInvalidCharacter(element.GetString()!) is { } problem ? (path ?? "", problem) : null; }
                catch (InvalidOperationException) { return (path ?? "", "an unpaired surrogate"); }
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string key;
                    try { key = property.Name; }
                    catch (InvalidOperationException) { return (path ?? "", "a key that contains an unpaired surrogate"); }
                    if (CodePoints.FindInvalidCharacter(key) is { } badKey) return (path ?? "", $"a key that contains {badKey}");
                    if (FindInJson(path is null ? null : $"{path}.{key}", property.Value, depth + 1) is { } found) return found;
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindInJson(path is null ? null : $"{path}[{index}]", item, depth + 1) is { } found) return found;
                    index++;
                }
                return null;
            default:
                return null;
        }
    }

    /// <summary>The message a person reads: which field, what is in it, what to do.</summary>
    public static string Describe((string Field, string Problem) found) =>
        $"\"{found.Field}\" contains {found.Problem}. Remove that character and send again; nothing was changed.";

    /// <summary>The 400 answer: problem details whose "errors" name the field, as the framework's validation errors do.</summary>
    public static ProblemException Refusal((string Field, string Problem) found) => ProblemException.Invalid(Describe(found),
        found.Field, $"Contains {found.Problem}.");

    /// <summary>Checks the arguments of one call, by parameter name.</summary>
    public static (string Field, string Problem)? FindInArguments(IEnumerable<(string Name, object? Value)> arguments)
    {
        foreach (var (name, value) in arguments)
        {
            // A request body is named by its own fields (as clients wrote them), a plain parameter by its name.
            var path = value is null || value is string || value is JsonElement || !IsOurs(value.GetType()) ? name : "";
            if (Find(path, value) is { } found) return found;
        }
        return null;
    }

    private static bool IsOurs(Type type) =>
        type.Namespace?.StartsWith("Annotate.", StringComparison.Ordinal) == true && !type.IsEnum && !type.IsPrimitive
        || type.Namespace?.StartsWith("Microsoft.AspNetCore.Identity", StringComparison.Ordinal) == true && type.IsClass;

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    private static PropertyInfo[] PropertiesOf(Type type) => Properties.GetOrAdd(type, t =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray());

    private static string CamelCase(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];
}

/// <summary>Runs the check on every MVC action's bound arguments (query, route, form and JSON body).</summary>
public sealed class StorableTextActionFilter : IAsyncActionFilter
{
    public Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        if (StorableText.FindInArguments(context.ActionArguments.Select(a => (a.Key, a.Value))) is { } found)
            throw StorableText.Refusal(found); // answered by the error handler: problem details for the API, a page for browsers
        return next();
    }
}

/// <summary>The same check for minimal API endpoints (Identity's /api/auth).</summary>
public sealed class StorableTextEndpointFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var parameters = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>()?.GetParameters();
        var arguments = context.Arguments.Select((value, i) => (parameters is not null && i < parameters.Length ? parameters[i].Name ?? $"argument{i}" : $"argument{i}", value));
        if (StorableText.FindInArguments(arguments) is { } found) throw StorableText.Refusal(found);
        return next(context);
    }
}

/// <summary>The same check for hub methods: a change answers ok: false with 400, like the writer's own refusals.</summary>
public sealed class StorableTextHubFilter : IHubFilter
{
    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var parameters = invocationContext.HubMethod.GetParameters();
        var arguments = invocationContext.HubMethodArguments.Select((value, i) => (i < parameters.Length ? parameters[i].Name ?? $"argument{i}" : $"argument{i}", value));
        if (StorableText.FindInArguments(arguments) is { } found)
        {
            var detail = StorableText.Describe(found);
            if (invocationContext.HubMethod.ReturnType == typeof(Task<ChangeResult>))
                return ValueTask.FromResult<object?>(new ChangeResult(false, StatusCodes.Status400BadRequest, null, "Invalid request", detail, null));
            throw new HubException(detail);
        }
        return next(invocationContext);
    }
}
