using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Annotate.Web.Infrastructure;

/// <summary>
/// Guidelines and notes are Markdown written by users: raw HTML is disabled, and links or images that
/// point anywhere but http(s), mailto or this site are defused, so nothing in them can run script.
/// </summary>
public static class Markdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseTaskLists()
        .UseAutoLinks()
        .Build();

    public static string ToSafeHtml(string? markdown)
    {
        var document = Markdig.Markdown.Parse(markdown ?? "", Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
            if (!IsSafeUrl(link.Url)) link.Url = "#";
        foreach (var link in document.Descendants<AutolinkInline>())
            if (!IsSafeUrl(link.Url)) link.Url = "#";
        return document.ToHtml(Pipeline);
    }

    private static bool IsSafeUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return true;
        var trimmed = new string(url.Where(c => !char.IsControl(c) && !char.IsWhiteSpace(c)).ToArray());
        var colon = trimmed.IndexOf(':');
        var slash = trimmed.IndexOfAny(['/', '?', '#']);
        if (colon < 0 || (slash >= 0 && slash < colon)) return true; // relative
        var scheme = trimmed[..colon].ToLowerInvariant();
        return scheme is "http" or "https" or "mailto";
    }
}
