namespace NasHpo.Configuration.Tests.BadInput;

public sealed class BadStudyCorpusTests
{
    [Theory]
    [MemberData(nameof(BadStudyCorpus.Names), MemberType = typeof(BadStudyCorpus))]
    public void Every_bad_study_in_the_corpus_is_refused_in_one_line(string name)
    {
        var text = BadStudyCorpus.All[name];

        var refusal = GuardedRead.Refusal(() => StudyDefinitionReader.FromHocon(text), text);

        Assert.NotEmpty(refusal.Path);
    }

    [Fact]
    public void The_corpus_holds_every_class_of_bad_input() => Assert.True(BadStudyCorpus.All.Count >= 150, $"{BadStudyCorpus.All.Count} cases");
}
