using Annotate.Testing;
using Annotate.Web.Infrastructure;

namespace Annotate.Tests.Offsets;

public class CodePointsTests
{
    private const string Flags = "Go 🇸🇾 now é!"; // a flag is two regional indicators, each outside the BMP

    [Fact]
    public void Counts_code_points_not_utf16_units()
    {
        Assert.Equal(12, CodePoints.Count(Flags));
        Assert.Equal(14, Flags.Length);
        Assert.Equal(0, CodePoints.Count(""));
    }

    [Fact]
    public void Slices_like_python()
    {
        // Python: "Go 🇸🇾 now é!"[3:5] == "🇸🇾", [6:9] == "now"
        Assert.Equal("🇸🇾", CodePoints.Slice(Flags, 3, 5));
        Assert.Equal("now", CodePoints.Slice(Flags, 6, 9));
        Assert.Equal("é!", CodePoints.Slice(Flags, 10, 12));
        Assert.Equal("", CodePoints.Slice(Flags, 12, 12));
        Assert.Throws<ArgumentOutOfRangeException>(() => CodePoints.Slice(Flags, 10, 13));
    }

    [Fact]
    public void Converts_utf16_indices_and_refuses_the_middle_of_a_pair()
    {
        Assert.Equal(3, CodePoints.FromUtf16Index(Flags, 3));
        Assert.Null(CodePoints.FromUtf16Index(Flags, 4)); // between the halves of 🇸
        Assert.Equal(4, CodePoints.FromUtf16Index(Flags, 5));
        Assert.Equal(6, CodePoints.FromUtf16Index(Flags, 8));
        Assert.Equal(12, CodePoints.FromUtf16Index(Flags, Flags.Length));
        Assert.Null(CodePoints.FromUtf16Index(Flags, Flags.Length + 1));
        Assert.Equal(8, CodePoints.ToUtf16Index(Flags, 6));
    }

    [Fact]
    public void Corpus_article_002_has_the_lengths_its_readme_states()
    {
        var text = File.ReadAllText(Corpus.PathOf("002"));
        Assert.Equal(5709, CodePoints.Count(text));
        Assert.Equal(5719, text.Length);
        // Every code point offset maps to a UTF-16 index and back, even after the flags.
        for (var i = 0; i <= 5709; i += 7)
            Assert.Equal(i, CodePoints.FromUtf16Index(text, CodePoints.ToUtf16Index(text, i)));
    }

    [Fact]
    public void Finds_what_cannot_be_stored()
    {
        Assert.Null(CodePoints.FindInvalidCharacter(Flags));
        Assert.Contains("NUL", CodePoints.FindInvalidCharacter("a\0b"));
        Assert.Contains("unpaired surrogate", CodePoints.FindInvalidCharacter("a\ud83c b"));
    }
}
