using NasHpo.Actors.Studies;

namespace NasHpo.Actors.Tests.Engine;

public sealed class StudyIdsTests
{
    [Theory]
    [InlineData("s", true)]
    [InlineData("run-1.b_2", true)]
    [InlineData("-leading-dash", false)]
    [InlineData("has space", false)]
    [InlineData("trailing-newline\n", false)]
    [InlineData("", false)]
    public void A_study_id_is_letters_digits_dots_underscores_and_dashes(string id, bool valid) =>
        Assert.Equal(valid, StudyIds.IsValid(id));

    [Fact]
    public void A_study_id_is_at_most_64_characters() =>
        Assert.Equal([true, false], new[] { new string('a', 64), new string('a', 65) }.Select(StudyIds.IsValid));
}
