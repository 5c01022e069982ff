using Annotate.Web.Features.Exports;
using static Annotate.Tests.Exports.ExportFixture;

namespace Annotate.Tests.Exports;

public class ExportWriterTests
{
    [Fact]
    public void An_unknown_format_is_refused_with_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => ExportWriter.Create("csv", new MemoryStream(), Settings("csv")));
        Assert.Contains("'csv'", error.Message);
        Assert.All(ExportWriter.Formats, format => Assert.Contains(format, error.Message));
        Assert.Equal(["annotate-jsonl", "doccano-jsonl", "spacy-jsonl", "label-studio-json", "brat", "conll"], ExportWriter.Formats);
    }

    [Theory]
    [InlineData("annotate-jsonl", ".jsonl", "application/x-ndjson")]
    [InlineData("doccano-jsonl", ".jsonl", "application/x-ndjson")]
    [InlineData("spacy-jsonl", ".jsonl", "application/x-ndjson")]
    [InlineData("label-studio-json", ".json", "application/json")]
    [InlineData("brat", ".zip", "application/zip")]
    [InlineData("conll", ".conll", "text/plain; charset=utf-8")]
    public void Each_format_names_its_file(string format, string extension, string contentType)
    {
        var writer = ExportWriter.Create(format, new MemoryStream(), Settings(format));
        // The download's media type follows from the file's extension (one place: the exports API).
        Assert.Equal((extension, contentType), (writer.FileExtension, ExportsApiController.ContentTypeOf("export" + writer.FileExtension)));
    }

    [Fact]
    public async Task Calls_out_of_order_are_refused()
    {
        var document = Document(1, "t", "Text.", []);
        var writer = ExportWriter.Create("spacy-jsonl", new MemoryStream(), Settings("spacy-jsonl"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(document));
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.EndAsync());
        await writer.BeginAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.BeginAsync());
        await writer.WriteAsync(document);
        await writer.EndAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(document));
    }

    [Fact]
    public async Task Json_keeps_non_ascii_readable()
    {
        var text = "Hay’at “Tahrir” é <b>";
        var output = await WriteTextAsync("spacy-jsonl", [Document(1, "t", text, [])]);
        Assert.Equal("{\"text\":\"Hay’at “Tahrir” é <b>\",\"spans\":[]}\n", output);
    }
}
