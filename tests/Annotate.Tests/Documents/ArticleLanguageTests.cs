using Annotate.Web.Features.Documents;

namespace Annotate.Tests.Documents;

public class ArticleLanguageTests
{
    [Theory]
    [InlineData("""{"lang":"ar"}""", "en", "ar")]
    [InlineData("""{"lang":"pt-BR","source":"x"}""", "en", "pt-BR")]
    [InlineData("""{}""", "de", "de")]
    [InlineData("""{"lang":""}""", "fr", "fr")]
    [InlineData("""{"lang":"<script>"}""", "fr", "fr")]
    [InlineData("""{"lang":42}""", "fr", "fr")]
    [InlineData("""{"lang":"english language"}""", null, "en")]
    [InlineData("not json", "nl", "nl")]
    [InlineData(null, "not a tag", "en")]
    public void The_language_comes_from_the_meta_then_the_project_then_English(string? meta, string? projectDefault, string expected) =>
        Assert.Equal(expected, ArticleLanguage.Of(meta, projectDefault));

    [Theory]
    [InlineData("ar", "rtl")]
    [InlineData("ar-EG", "rtl")]
    [InlineData("he", "rtl")]
    [InlineData("fa", "rtl")]
    [InlineData("ur", "rtl")]
    [InlineData("yi", "rtl")]
    [InlineData("az-Arab", "rtl")]
    [InlineData("ku", "ltr")]
    [InlineData("ckb", "rtl")]
    [InlineData("uz-Latn", "ltr")]
    [InlineData("en", "ltr")]
    [InlineData("ru", "ltr")]
    [InlineData("EN-gb", "ltr")]
    [InlineData("AR", "rtl")]
    public void Right_to_left_languages_and_scripts_are_drawn_right_to_left(string tag, string expected) =>
        Assert.Equal(expected, ArticleLanguage.DirectionOf(tag));
}
