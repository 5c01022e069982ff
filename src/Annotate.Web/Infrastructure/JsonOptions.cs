using System.Text.Json;
using System.Text.Json.Serialization;

namespace Annotate.Web.Infrastructure;

public static class JsonOptions
{
    /// <summary>camelCase members, snake_case enum words ('in_progress'), as the database and exports spell them.</summary>
    public static void ApplyTo(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.Converters.Add(new FaithfulStringConverter());
    }

    public static readonly JsonSerializerOptions Api = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ApplyTo(options);
        return options;
    }
}
