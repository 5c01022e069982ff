using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Exports;
using static Annotate.Tests.Exports.ExportFixture;

namespace Annotate.Tests.Exports;

public class StreamingTests
{
    private const int Count = 2_000;

    /// <summary>Documents made on demand, each with an emoji, spans of both layers and relations inside and across.</summary>
    private static IEnumerable<ExportDocument> Generated()
    {
        ExportSpan? previousClaim = null;
        for (var i = 1; i <= Count; i++)
        {
            var text = $"Article {i}: rebels 🇸🇾 entered Aleppo on day {i}.\nThe army said {i} villages fell.";
            var aleppo = Span(text, "Aleppo", "LOCATION");
            var claim = Span(text, $"The army said {i} villages fell.", "CLAIM", "claim");
            var entered = Span(text, $"rebels 🇸🇾 entered Aleppo on day {i}.", "CLAIM", "claim", annotator: "Bo");
            List<ExportRelation> relations = [Relation("SUPPORTS", claim, i, entered, i)];
            if (previousClaim is not null) relations.Add(Relation("CONTRADICTS", claim, i, previousClaim, i - 1));
            previousClaim = claim;
            yield return Document(i, $"Article {i}", text, [aleppo, claim, entered], relations);
        }
    }

    [Theory]
    [InlineData("annotate-jsonl")]
    [InlineData("doccano-jsonl")]
    [InlineData("spacy-jsonl")]
    [InlineData("label-studio-json")]
    [InlineData("brat")]
    [InlineData("conll")]
    public async Task Two_thousand_documents_stream_to_a_non_seekable_stream(string format)
    {
        var output = new NonSeekableStream();
        var writer = ExportWriter.Create(format, output, Settings(format, OffsetUnit.Utf16));
        await writer.BeginAsync();
        foreach (var document in Generated())
        {
            var before = output.Written;
            await writer.WriteAsync(document);
            // The document has reached the stream by the time WriteAsync returns: nothing waits for the end.
            Assert.True(output.Written > before, $"document {document.Id} was not written out");
        }
        await writer.EndAsync();

        var bytes = output.ToArray();
        switch (format)
        {
            case "brat":
                using (var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read))
                {
                    Assert.Equal(2 * Count + 1, zip.Entries.Count);
                    Assert.NotNull(zip.GetEntry($"{Count}.ann"));
                    Assert.NotNull(zip.GetEntry("annotation.conf"));
                }
                break;
            case "label-studio-json":
                Assert.Equal(Count, Json(Encoding.UTF8.GetString(bytes)).GetArrayLength());
                break;
            case "conll":
                Assert.Equal(Count, Encoding.UTF8.GetString(bytes).Split('\n').Count(l => l == "-DOCSTART- -X- O O"));
                break;
            default:
                var lines = JsonLines(Encoding.UTF8.GetString(bytes));
                Assert.Equal(format == "annotate-jsonl" ? Count + 1 : Count, lines.Count);
                Assert.All(lines, line => Assert.Equal(JsonValueKind.Object, line.ValueKind));
                break;
        }
    }

    [Fact]
    public void Writers_keep_no_collection_of_documents()
    {
        // Belt and braces for the assertion above: no writer has a field that could hold documents, spans or relations.
        var fieldTypes = typeof(ExportWriter).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(ExportWriter)))
            .SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public))
            .Select(f => f.FieldType)
            .ToList();
        Assert.NotEmpty(fieldTypes);
        Assert.DoesNotContain(fieldTypes, t => t.IsGenericType && t.GetGenericArguments().Any(a => a == typeof(ExportDocument) || a == typeof(ExportSpan) || a == typeof(ExportRelation)));
        Assert.DoesNotContain(fieldTypes, t => t == typeof(ExportDocument) || t.IsArray);
    }
}
