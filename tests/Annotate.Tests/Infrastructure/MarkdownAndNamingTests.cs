using Annotate.Web.Data;
using Annotate.Web.Infrastructure;

namespace Annotate.Tests.Infrastructure;

public class MarkdownAndNamingTests
{
    [Theory]
    [InlineData("<script>alert(1)</script>", "<script>")]
    [InlineData("[x](javascript:alert(1))", "javascript:")]
    [InlineData("[x]( JaVaScRiPt:alert(1))", "alert(1)")]
    [InlineData("![i](data:text/html;base64,PHNjcmlwdD4=)", "data:")]
    [InlineData("<img src=x onerror=alert(1)>", "<img")]
    [InlineData("text {onclick=alert(1)}", "onclick=\"")]
    public void Markdown_never_lets_markup_or_script_urls_through(string markdown, string forbidden) =>
        Assert.DoesNotContain(forbidden, Markdown.ToSafeHtml(markdown), StringComparison.OrdinalIgnoreCase);

    [Fact]
    public void Markdown_still_renders_ordinary_formatting_and_links()
    {
        var html = Markdown.ToSafeHtml("# Title\n\n**bold** [site](https://example.org) [rel](/projects/1)\n\n| a | b |\n|---|---|\n| 1 | 2 |");
        Assert.Contains("<h1", html);
        Assert.Contains("<strong>bold</strong>", html);
        Assert.Contains("href=\"https://example.org\"", html);
        Assert.Contains("href=\"/projects/1\"", html);
        Assert.Contains("<table>", html);
    }

    [Theory]
    [InlineData("AspNetUsers", "asp_net_users")]
    [InlineData("ProjectId", "project_id")]
    [InlineData("PK_AspNetUsers", "pk_asp_net_users")]
    [InlineData("InProgress", "in_progress")]
    [InlineData("Sha256", "sha256")]
    public void Names_become_snake_case(string name, string expected) => Assert.Equal(expected, SnakeCaseNaming.ToSnakeCase(name));
}
