using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Annotate.Web.Infrastructure;

/// <summary>
/// Reads JSON strings as they were sent, even "\ud800" (a lone surrogate), which the framework's reader refuses
/// with an exception that surfaced as a 500 (API) or "Error binding arguments" (hub). A .NET string can hold a lone
/// surrogate, so the request binds and <see cref="StorableText"/> refuses it with a 400 naming the field.
/// </summary>
public sealed class FaithfulStringConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
            throw new JsonException($"Expected a string, found {reader.TokenType}.");
        try { return reader.GetString(); }
        catch (InvalidOperationException) { return Unescape(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan); }
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Read(ref reader, typeToConvert, options)!;

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    /// <summary>JSON's escapes undone without judging the result: \uXXXX becomes that UTF-16 unit, paired or not.</summary>
    internal static string Unescape(ReadOnlySpan<byte> raw)
    {
        var text = new StringBuilder(raw.Length);
        var run = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != (byte)'\\') continue;
            text.Append(Encoding.UTF8.GetString(raw[run..i]));
            var escape = (char)raw[++i];
            if (escape == 'u')
            {
                text.Append((char)int.Parse(Encoding.ASCII.GetString(raw.Slice(i + 1, 4)), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 4;
            }
            else text.Append(escape switch { 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', _ => escape });
            run = i + 1;
        }
        text.Append(Encoding.UTF8.GetString(raw[run..]));
        return text.ToString();
    }
}
