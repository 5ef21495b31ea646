using NasHpo.Cli.Input;

namespace NasHpo.Cli.Tests;

/// <summary>The reader on its own: these need no Pareto code.</summary>
public class PointsCsvTests
{
    [Fact]
    public void A_first_row_with_a_word_is_a_header_and_the_rest_keep_their_text_and_line_numbers()
    {
        var table = PointsCsv.Parse(new StringReader("# comment\r\n error , params\r\n\r\n 0.5 ,  1e3\r\n-2,3.25\r\n"), "t.csv");
        Assert.Equal(" error , params", table.HeaderText);
        Assert.Equal(2, table.HeaderLineNumber);
        Assert.Equal(["error", "params"], table.ColumnNames!);
        Assert.Equal(2, table.ColumnCount);
        Assert.Equal([4, 5], table.Rows.Select(r => r.LineNumber));
        Assert.Equal([" 0.5 ,  1e3", "-2,3.25"], table.Rows.Select(r => r.Text));
        Assert.Equal([0.5, 1000.0], table.Points[0]);
        Assert.Equal([-2.0, 3.25], table.Points[1]);
        Assert.Equal(2, table.WidthLineNumber);
    }

    [Fact]
    public void Without_a_header_every_row_is_a_point()
    {
        var table = PointsCsv.Parse(new StringReader("1,2\n3,4"), "t.csv");
        Assert.Null(table.HeaderText);
        Assert.Null(table.ColumnNames);
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal(1, table.WidthLineNumber);
    }

    [Fact]
    public void One_column_inputs_are_fine()
    {
        var table = PointsCsv.Parse(new StringReader("loss\n0.3\n0.1\n"), "t.csv");
        Assert.Equal(1, table.ColumnCount);
        Assert.Equal([0.3, 0.1], table.Points.Select(p => p[0]));
    }

    [Fact]
    public void Numbers_are_read_in_the_invariant_culture()
    {
        var table = PointsCsv.Parse(new StringReader("1.5,+2E-1\n"), "t.csv");
        Assert.Equal([1.5, 0.2], table.Points[0]);
    }

    [Fact]
    public void Vectors_are_trimmed_and_checked()
    {
        Assert.Equal([1.1, 11.0], PointsCsv.ParseVector(" 1.1 , 11 ", "--ref"));
        Assert.Equal([-1.0], PointsCsv.ParseVector("-1", "--ref"));
        var error = Assert.Throws<UserErrorException>(() => PointsCsv.ParseVector("1;2", "--ref"));
        Assert.Equal("--ref: value 1 is not a number: '1;2'", error.Message);
    }

    [Fact]
    public void Standard_input_is_read_for_a_dash()
    {
        var table = PointsCsv.Load("-", new StringReader("3,4\n"));
        Assert.Equal("stdin", table.Source);
        Assert.Equal([3.0, 4.0], table.Points[0]);
    }
}
