namespace NasHpo.Configuration.Tests;

public sealed class HoconTextTests
{
    private static ConfigurationException Fails(string text)
    {
        var error = Assert.Throws<ConfigurationException>(() => HoconText.Parse(text, "study.conf"));
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith(error.Path + ": ", error.Message, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public void Parses_valid_text() => Assert.Equal(3, HoconText.Parse("a { b = 3 }").GetInt("a.b"));

    [Fact]
    public void Unclosed_object_names_where_it_opened() =>
        Assert.Equal("study.conf:2:3: '{' is never closed", Fails("x = 1\na { b = 1\n").Message);

    [Fact]
    public void Unclosed_list_does_not_hang() =>
        Assert.Equal("study.conf:3:5: '=' inside the list [ ... ] opened at line 2, column 7 (a list holds values; quote a value that contains '=')", Fails("a {\n  b = [1, \n  c = 3\n}\n").Message);

    [Fact]
    public void Unexpected_closing_bracket() => Assert.Equal("study.conf:3:2", Fails("a {\n b = 1\n}}\n").Path);

    [Fact]
    public void Mismatched_brackets() => Assert.Contains("does not match '['", Fails("a = [1, 2}\n").Message, StringComparison.Ordinal);

    [Fact]
    public void Unterminated_string() => Assert.Equal("study.conf:1:5: unterminated string", Fails("a = \"abc\n").Message);

    [Fact]
    public void Brackets_in_strings_and_comments_are_ignored()
    {
        var config = HoconText.Parse("# {\n// [\na = \"x >= [2\" # }\nb = \"\"\"{[\"\"\"\n");
        Assert.Equal("x >= [2", config.GetString("a"));
    }

    [Fact]
    public void Parser_errors_get_a_line_and_column()
    {
        var error = Fails("a {\n  b = 2^4\n}\n");
        Assert.Equal("study.conf:2:8", error.Path);
        Assert.Contains("unknown token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_parser_errors_are_one_line()
    {
        // The usual cause: a condition written without quotes.
        // Akka would read ">= 2" as a stray key; the structure check stops at the '=' instead, with its position.
        var error = Fails("m { when = x >= 2 }");
        Assert.Equal("study.conf:1:15", error.Path);
        Assert.Contains("'=' inside a value", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Missing_file_is_reported_with_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), "nashpo-no-such-file.conf");
        var error = Assert.Throws<ConfigurationException>(() => HoconText.ParseFile(path));
        Assert.Equal(path, error.Path);
    }
}
