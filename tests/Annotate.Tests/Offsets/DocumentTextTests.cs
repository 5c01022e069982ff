using Annotate.Testing;
using Annotate.Web.Features.Documents;
using Annotate.Web.Infrastructure;

namespace Annotate.Tests.Offsets;

/// <summary>The write path's in-memory texts slice by code points exactly as the scan over the whole text does.</summary>
public class DocumentTextTests
{
    [Fact]
    public void Slices_around_flags_like_python()
    {
        var text = new DocumentText("Go 🇸🇾 now é!");
        Assert.Equal(12, text.Length);
        Assert.Equal("🇸🇾", text.Slice(3, 5));
        Assert.Equal("🇾", text.Slice(4, 5));
        Assert.Equal("now", text.Slice(6, 9));
        Assert.Equal("é!", text.Slice(10, 12));
        Assert.Equal("", text.Slice(12, 12));
    }

    [Fact]
    public void Agrees_with_the_scan_on_every_span_of_every_corpus_article()
    {
        foreach (var file in Corpus.Files)
        {
            var whole = File.ReadAllText(file);
            var text = new DocumentText(whole);
            Assert.Equal(CodePoints.Count(whole), text.Length);
            // Every start, with spans of 1 to 40 code points: the flag emoji of article 002 included.
            for (var start = 0; start < text.Length; start++)
                foreach (var width in new[] { 1, 2, 7, 40 })
                    if (start + width <= text.Length)
                        Assert.Equal(CodePoints.Slice(whole, start, start + width), text.Slice(start, start + width));
        }
    }
}
