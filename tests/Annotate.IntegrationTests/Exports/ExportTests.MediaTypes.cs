namespace Annotate.IntegrationTests.Exports;

/// <summary>Each export file is downloaded with the media type of what it is.</summary>
public partial class ExportTests
{
    [Theory]
    [InlineData("annotate-jsonl", false, "application/x-ndjson")]
    [InlineData("doccano-jsonl", false, "application/x-ndjson")]
    [InlineData("label-studio-json", false, "application/json")]
    [InlineData("conll", false, "text/plain")]
    [InlineData("brat", false, "application/zip")]
    [InlineData("brat", true, "application/zip")] // already a zip: not compressed again
    [InlineData("label-studio-json", true, "application/gzip")]
    [InlineData("conll", true, "application/gzip")]
    public async Task Each_file_is_sent_with_its_media_type(string format, bool gzip, string type)
    {
        var (lead, ana, projectId, _, _) = await ProjectAsync();
        var file = await ExportFileAsync(lead.Http, projectId, new { format, gzip, scope = $"annotator:{ana.Email}" });
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal(type, file.Content.Headers.ContentType?.MediaType);
        if (type == "text/plain") Assert.Equal("utf-8", file.Content.Headers.ContentType?.CharSet);
        var bytes = await file.Content.ReadAsByteArrayAsync();
        if (type == "application/gzip") Assert.Equal(new byte[] { 0x1F, 0x8B }, bytes[..2]);
        if (type == "application/zip") Assert.Equal("PK"u8.ToArray(), bytes[..2]);
    }
}
