using Annotate.Agreement;

namespace Annotate.Tests.Agreement;

public class ReliabilityDataTests
{
    [Fact]
    public void Ragged_rows_are_refused_with_the_row_that_differs()
    {
        var error = Assert.Throws<ArgumentException>(() => ReliabilityData.FromRows([[1, 2, 3], [1, 2, 3], [1, 2]]));
        Assert.Contains("Row 3 has 2 values but row 1 has 3", error.Message);
        Assert.Contains("null for a missing value", error.Message);
    }

    [Fact]
    public void Fewer_than_two_coders_are_refused()
    {
        Assert.Contains("at least two coders", Assert.Throws<ArgumentException>(() => ReliabilityData.FromRows([[1, 2, 3]])).Message);
        Assert.Contains("at least two coders", Assert.Throws<ArgumentException>(() => ReliabilityData.FromRows([])).Message);
    }

    [Fact]
    public void Cells_of_other_types_and_infinities_are_refused()
    {
        var boolean = Assert.Throws<ArgumentException>(() => ReliabilityData.FromRows([[1, true], [1, 2]]));
        Assert.Contains("row 1, column 2 is a Boolean", boolean.Message);
        var infinite = Assert.Throws<ArgumentException>(() => ReliabilityData.FromRows([[1, 2], [double.PositiveInfinity, 2]]));
        Assert.Contains("row 2, column 1 is infinite", infinite.Message);
    }

    [Fact]
    public void Null_and_NaN_are_missing_and_numbers_of_any_type_are_equal()
    {
        var data = ReliabilityData.FromRows([[1, 2L, null], [1.0, 2m, double.NaN]]);
        Assert.Equal(2, data.Coders);
        Assert.Equal(3, data.Units);
        Assert.False(data.IsComplete);
        Assert.Equal([1.0, 1.0], data.ValuesOf(0));
        Assert.Equal(data.ValuesOf(1)[0], data.ValuesOf(1)[1]);
        Assert.Empty(data.ValuesOf(2));
        Assert.Equal(2, data.CommonValueCount); // the empty unit does not count
        Assert.NotEqual(ReliabilityData.FromRows([[3], ["3"]]).ValuesOf(0)[0], ReliabilityData.FromRows([[3], ["3"]]).ValuesOf(0)[1]);
    }
}
