using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Curation;

namespace Annotate.Tests.Curation;

public class ReviewUnitsTests
{
    private static readonly HashSet<string> AnaBen = ["ana", "ben"];

    private static UnitSpan Span(string who, string label, int start, int end, AnnotationLayer layer = AnnotationLayer.Entity) =>
        new(who, Guid.NewGuid(), layer, label, start, end);

    [Fact]
    public void Each_kind_is_told_apart_and_layers_are_grouped_apart()
    {
        var spans = new[]
        {
            Span("ana", "PERSON", 0, 5), Span("ben", "PERSON", 0, 5),              // agreed
            Span("ana", "PERSON", 10, 15), Span("ben", "ORGANIZATION", 10, 15),    // label
            Span("ana", "LOCATION", 20, 25), Span("ben", "LOCATION", 20, 27),      // boundary
            Span("ana", "EVENT", 30, 35),                                          // missing
            Span("ana", "PERSON", 40, 45), Span("ben", "ORGANIZATION", 42, 47),    // label+boundary
            Span("ben", "CLAIM", 0, 30, AnnotationLayer.Claim),                    // a claim over the entities: its own unit, missing
        };
        var units = ReviewUnits.Spans(spans, AnaBen);
        Assert.Equal(["agreed", "missing", "label", "boundary", "missing", "label+boundary"], units.Select(u => u.Kind));
        Assert.Equal(AnnotationLayer.Claim, units[1].Layer);
        Assert.Equal((40, 47), (units[5].Start, units[5].End));
        Assert.All(units.Where(u => u.Layer == AnnotationLayer.Entity), u => Assert.StartsWith("e-", u.Id));
    }

    [Fact]
    public void A_unit_chains_spans_that_each_overlap_another_and_touching_spans_do_not_overlap()
    {
        var units = ReviewUnits.Spans([Span("ana", "PERSON", 0, 5), Span("ben", "PERSON", 4, 9), Span("cem", "PERSON", 8, 12), Span("ana", "PERSON", 12, 14)],
            new HashSet<string> { "ana", "ben", "cem" });
        Assert.Equal(2, units.Count);
        Assert.Equal(3, units[0].Versions.Count);
        Assert.Equal("boundary", units[0].Kind); // everyone has a span there, of different extents
        Assert.Equal("missing", units[1].Kind);  // [12, 14) only touches [8, 12): a unit of its own
    }

    [Fact]
    public void Unfinished_annotators_neither_miss_nor_conflict_but_their_spans_are_versions()
    {
        // ana and ben finished; cem has not.
        var counted = ReviewUnits.Counted(["ana", "ben", "cem"], ["ana", "ben"]);
        var units = ReviewUnits.Spans([Span("ana", "PERSON", 0, 5), Span("ben", "PERSON", 0, 5), Span("cem", "ORGANIZATION", 0, 7), Span("cem", "EVENT", 10, 12)], counted);
        Assert.Equal("agreed", units[0].Kind);
        Assert.Equal(3, units[0].Versions.Count);
        Assert.Equal("missing", units[1].Kind); // only an unfinished annotator marked it: the finished ones have nothing there
        // While nobody has finished, everyone with work counts.
        Assert.Equal(3, ReviewUnits.Counted(["ana", "ben", "cem"], []).Count);
    }

    [Fact]
    public void Unit_ids_depend_on_the_spans_only_so_they_are_the_same_on_every_reading()
    {
        var spans = new[] { Span("ana", "PERSON", 0, 5), Span("ben", "ORGANIZATION", 0, 5), Span("ana", "EVENT", 9, 12) };
        var first = ReviewUnits.Spans(spans, AnaBen).Select(u => u.Id).ToList();
        var again = ReviewUnits.Spans(spans.Reverse(), AnaBen).Select(u => u.Id).ToList();
        Assert.Equal(first, again);
        Assert.Equal(2, first.Distinct().Count());
        var changed = ReviewUnits.Spans([spans[0], spans[2]], AnaBen).Select(u => u.Id).ToList();
        Assert.NotEqual(first[0], changed[0]);
        Assert.Equal(first[1], changed[1]);
    }

    [Fact]
    public void The_threshold_needs_enough_annotators_and_share_and_never_takes_a_tie()
    {
        var counted = new HashSet<string> { "ana", "ben", "cem" };
        var unit = ReviewUnits.Spans([Span("ana", "PERSON", 0, 5), Span("ben", "PERSON", 0, 5), Span("cem", "ORGANIZATION", 0, 5)], counted).Single();
        Assert.Equal("label", unit.Kind);
        Assert.Null(ReviewUnits.AgreedVersion(unit, counted));
        Assert.Equal("PERSON", ReviewUnits.Winner(unit, counted, 2, 0.6)!.Label);     // 2 of 3 votes = 0.67
        Assert.Null(ReviewUnits.Winner(unit, counted, 3, 0.5));                      // only two made it
        Assert.Null(ReviewUnits.Winner(unit, counted, 2, 0.7));                      // 0.67 < 0.7
        var tie = ReviewUnits.Spans([Span("ana", "PERSON", 0, 5), Span("ben", "ORGANIZATION", 0, 5)], AnaBen).Single();
        Assert.Null(ReviewUnits.Winner(tie, AnaBen, 1, 0.5));
        // Absence votes for nothing: one of two annotators is half the votes.
        var alone = ReviewUnits.Spans([Span("ana", "PERSON", 0, 5)], AnaBen).Single();
        Assert.Null(ReviewUnits.Winner(alone, AnaBen, 1, 0.6));
        Assert.NotNull(ReviewUnits.Winner(alone, AnaBen, 1, 0.5));
    }

    [Fact]
    public void Link_units_meet_on_the_places_of_their_ends_and_a_contradiction_has_no_direction()
    {
        LinkEnd a = new(1, 0, 10), b = new(2, 5, 20), c = new(1, 30, 40);
        UnitLink Link(string who, string type, LinkEnd from, LinkEnd to) => new(who, Guid.NewGuid(), type, Guid.NewGuid(), Guid.NewGuid(), from, to);
        var units = ReviewUnits.Links([
            Link("ana", "CONTRADICTS", a, b), Link("ben", "CONTRADICTS", b, a),    // agreed, though drawn the other way
            Link("ana", "SUPPORTS", a, c), Link("ben", "CONTRADICTS", c, a),       // type
            Link("ana", "SUPPORTS", b, c),                                         // missing
        ], AnaBen);
        Assert.Equal(["type", "agreed", "missing"], units.Select(u => u.Kind)); // ordered by their ends: a–c before a–b
        Assert.All(units, u => Assert.StartsWith("l-", u.Id));
        var reversed = ReviewUnits.Links([Link("ana", "SUPPORTS", a, b), Link("ben", "SUPPORTS", b, a)], AnaBen).Single();
        Assert.Equal("type", reversed.Kind);
    }

    [Fact]
    public void The_kept_work_counts_the_spans_starting_where_a_unit_lies_and_finds_a_grouped_units_extent()
    {
        var now = DateTimeOffset.UnixEpoch;
        Annotation Row(string who, int start, int end) => new()
        {
            Id = Guid.NewGuid(), AnnotatorId = who, Layer = AnnotationLayer.Entity, Label = "PERSON", Start = start, End = end, Text = "", Attributes = "{}",
            CreatedAt = now, UpdatedAt = now,
        };
        var work = new AnnotatorWork([Row("ana", 0, 9), Row("ben", 0, 9), Row("ana", 14, 23), Row("ben", 14, 24), Row("ana", 27, 32)]);
        Assert.Equal((2, 2, 1, 0, 5), (work.StartingIn(0, 9), work.StartingIn(10, 27), work.StartingIn(27, 28), work.StartingIn(33, 99), work.StartingIn(0, 99)));
        Assert.Equal([0, 0, 2, 4, 5], new[] { -1, 0, 5, 27, 40 }.Select(start => ReviewUnits.FirstStartingAt(work.Spans, start, s => s.Start)));
        var unit = work.Units(AnaBen).Units[1];
        Assert.Null(new AnnotatorWork(work.Spans).Extent(unit.Id)); // not grouped yet on this copy
        Assert.Equal((14, 24), work.Extent(unit.Id));
        Assert.Null(work.Extent("e-0000000000000000"));
    }
}
