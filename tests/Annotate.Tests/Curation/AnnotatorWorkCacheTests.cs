using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Curation;

namespace Annotate.Tests.Curation;

public class AnnotatorWorkCacheTests
{
    private static AnnotatorWork Work(int spans) => new(Enumerable.Range(0, spans)
        .Select(i => new Annotation { Id = Guid.NewGuid(), AnnotatorId = "ana", Label = "PERSON", Start = i, End = i + 1, Text = "x" }).ToList());

    private static AnnotatorWorkCache.Token Token(int spans) => new(CurationState.InProgress, DateTimeOffset.UnixEpoch, spans, 0);

    [Fact]
    public void The_documents_kept_longest_ago_are_forgotten_once_the_spans_would_pass_the_bound()
    {
        var cache = new AnnotatorWorkCache();
        var quarter = AnnotatorWorkCache.SpanCapacity / 4;
        for (var document = 1; document <= 4; document++) cache.Keep(document, Token(quarter), Work(quarter));
        Assert.All(Enumerable.Range(1, 4), d => Assert.NotNull(cache.Get(d, Token(quarter))));

        // Document 1 is kept again (read anew), so 2 is now the oldest: a fifth document makes room by forgetting it alone.
        cache.Keep(1, Token(quarter), Work(quarter));
        cache.Keep(5, Token(quarter), Work(quarter));
        Assert.Null(cache.Kept(2));
        Assert.All(new long[] { 1, 3, 4, 5 }, d => Assert.NotNull(cache.Kept(d)));

        // One document as large as the bound pushes out every other.
        cache.Keep(6, Token(AnnotatorWorkCache.SpanCapacity), Work(AnnotatorWorkCache.SpanCapacity));
        Assert.NotNull(cache.Kept(6));
        Assert.All(new long[] { 1, 3, 4, 5 }, d => Assert.Null(cache.Kept(d)));
    }

    [Fact]
    public void A_document_larger_than_the_bound_is_not_kept_and_forgets_nothing()
    {
        var cache = new AnnotatorWorkCache();
        cache.Keep(1, Token(10), Work(10));
        cache.Keep(2, Token(AnnotatorWorkCache.SpanCapacity + 1), Work(AnnotatorWorkCache.SpanCapacity + 1));
        Assert.Null(cache.Kept(2));
        Assert.NotNull(cache.Get(1, Token(10)));
    }
}
