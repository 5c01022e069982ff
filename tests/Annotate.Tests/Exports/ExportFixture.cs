using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Exports;
using Annotate.Web.Infrastructure;

namespace Annotate.Tests.Exports;

/// <summary>Builds export documents from phrases and runs a writer over them.</summary>
internal static class ExportFixture
{
    public static readonly DateTimeOffset CreatedAt = new(2024, 12, 1, 10, 0, 0, TimeSpan.Zero);

    public static ExportSettings Settings(string format, OffsetUnit offsets = OffsetUnit.Codepoint) =>
        new(format, "all", false, offsets, CreatedAt, 7, "Aleppo offensive");

    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static readonly JsonElement NoAttributes = Json("{}");

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>A span over the <paramref name="occurrence"/>-th <paramref name="phrase"/> found after <paramref name="after"/>.</summary>
    public static ExportSpan Span(string text, string phrase, string label, string layer = "entity", string annotator = "Ana",
        string? after = null, string? note = null, JsonElement? attributes = null)
    {
        var from = after is null ? 0 : text.IndexOf(after, StringComparison.Ordinal);
        Assert.True(from >= 0, $"anchor '{after}' not found");
        var index = text.IndexOf(phrase, from, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{phrase}' not found");
        var start = CodePoints.FromUtf16Index(text, index)!.Value;
        var end = start + CodePoints.Count(phrase);
        Assert.Equal(phrase, CodePoints.Slice(text, start, end));
        return new ExportSpan(Guid.NewGuid(), start, end, phrase, layer, label, annotator, attributes ?? NoAttributes, note);
    }

    public static ExportRelation Relation(string type, ExportSpan from, long fromDocument, ExportSpan to, long toDocument,
        string annotator = "Ana", string? note = null) =>
        new(Guid.NewGuid(), type, from.Id, to.Id, fromDocument, toDocument, annotator, note);

    public static ExportDocument Document(long id, string title, string text, IReadOnlyList<ExportSpan> spans, IReadOnlyList<ExportRelation>? relations = null) =>
        new(id, title, "https://news.example/" + id, new DateTimeOffset(2024, 11, 27, 9, 30, 0, TimeSpan.Zero), text, Sha256(text), spans, relations ?? []);

    public static async Task<byte[]> WriteAsync(string format, IEnumerable<ExportDocument> documents, OffsetUnit offsets = OffsetUnit.Codepoint)
    {
        using var output = new MemoryStream();
        var writer = ExportWriter.Create(format, output, Settings(format, offsets));
        await writer.BeginAsync();
        foreach (var document in documents) await writer.WriteAsync(document);
        await writer.EndAsync();
        return output.ToArray();
    }

    public static async Task<string> WriteTextAsync(string format, IEnumerable<ExportDocument> documents, OffsetUnit offsets = OffsetUnit.Codepoint)
    {
        var bytes = await WriteAsync(format, documents, offsets);
        Assert.False(bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]), "no byte-order mark");
        return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
    }

    public static List<JsonElement> JsonLines(string output)
    {
        Assert.EndsWith("\n", output);
        Assert.DoesNotContain('\r', output);
        return output[..^1].Split('\n').Select(Json).ToList();
    }

    /// <summary>The slice of <paramref name="text"/> in the export's unit: Python's text[start:end] or JavaScript's.</summary>
    public static string Slice(string text, int start, int end, OffsetUnit unit) =>
        unit == OffsetUnit.Utf16 ? text.Substring(start, end - start) : CodePoints.Slice(text, start, end);

    /// <summary>
    /// The JSON lines with what legitimately changes between two exports of the same annotations made neutral:
    /// ids (numbered by first appearance, so equal structure gives equal numbers) and the creation time.
    /// </summary>
    public static string WithoutIdsAndTimes(string jsonLines)
    {
        var numbers = new Dictionary<string, int>();
        void Walk(JsonNode? node)
        {
            if (node is JsonArray array) foreach (var item in array) Walk(item);
            if (node is not JsonObject obj) return;
            foreach (var (name, value) in obj.ToList())
            {
                if (name is "id" or "from" or "to" or "toDocument" or "from_id" or "to_id" && value is JsonValue)
                {
                    var raw = value.ToJsonString();
                    if (!numbers.TryGetValue(raw, out var number)) numbers[raw] = number = numbers.Count + 1;
                    obj[name] = $"id{number}";
                }
                else if (name == "createdAt") obj[name] = "time";
                else Walk(value);
            }
        }
        return string.Join('\n', jsonLines.TrimEnd('\n').Split('\n').Select(line =>
        {
            var node = JsonNode.Parse(line);
            Walk(node);
            return node!.ToJsonString();
        }));
    }
}

/// <summary>A write-only, forward-only stream, like an HTTP response or a pipe; it counts what went through.</summary>
internal sealed class NonSeekableStream : Stream
{
    private readonly MemoryStream inner = new();
    public long Written => inner.Length;
    public byte[] ToArray() => inner.ToArray();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
}
