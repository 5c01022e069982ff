using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

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

    /// <summary>
    /// For JSON inside a page's script element. Every Unicode letter is written as itself (the default encoder writes
    /// \uXXXX for each non-ASCII one, which made a CJK article's page twice its size); the encoder still escapes
    /// &lt;, &gt;, &amp; and quotes, so no &lt;/script&gt; or &lt;!-- in the data can end or alter the element.
    /// </summary>
    public static readonly JsonSerializerOptions Page = Create(JavaScriptEncoder.Create(UnicodeRanges.All));

    private static JsonSerializerOptions Create(JavaScriptEncoder? encoder = null)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = encoder };
        ApplyTo(options);
        return options;
    }
}
