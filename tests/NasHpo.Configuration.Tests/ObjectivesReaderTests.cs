using NasHpo.Core.Objectives;

namespace NasHpo.Configuration.Tests;

public sealed class ObjectivesReaderTests
{
    private static IReadOnlyList<Objective> Read(string list) =>
        ObjectivesReader.Read(HoconText.Parse("study { objectives = " + list + " }"), "study.objectives");

    private static void AssertFails(string list, string path, params string[] fragments)
    {
        var error = Assert.Throws<ConfigurationException>(() => Read(list));
        Assert.Equal(path, error.Path);
        Assert.DoesNotContain('\n', error.Message);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Reads_objectives_with_defaults()
    {
        var objectives = Read("[ { name = val-error }, { name = params, direction = minimize, cost = cheap }, { name = accuracy, direction = maximize } ]");
        Assert.Equal(
            [
                new Objective("val-error", ObjectiveDirection.Minimize, ObjectiveCost.Expensive),
                new Objective("params", ObjectiveDirection.Minimize, ObjectiveCost.Cheap),
                new Objective("accuracy", ObjectiveDirection.Maximize, ObjectiveCost.Expensive),
            ],
            objectives);
    }

    [Fact]
    public void Reads_the_scale_of_an_objective()
    {
        var objectives = Read("[ { name = val-error, scale = linear }, { name = params, cost = cheap, scale = log } ]");
        Assert.Equal(ObjectiveScale.Linear, objectives[0].Scale);
        Assert.Equal(new Objective("params", ObjectiveDirection.Minimize, ObjectiveCost.Cheap, ObjectiveScale.Log), objectives[1]);
        Assert.Equal(ObjectiveScale.Linear, Read("[ { name = a } ]")[0].Scale);
    }

    [Fact]
    public void Unknown_scale() =>
        AssertFails("[ { name = a }, { name = b, scale = ln } ]", "study.objectives[1].scale", "\"ln\"", "linear or log");

    [Fact]
    public void Unknown_direction() =>
        AssertFails("[ { name = a }, { name = b, direction = up } ]", "study.objectives[1].direction", "\"up\"", "minimize or maximize");

    [Fact]
    public void Unknown_cost() =>
        AssertFails("[ { name = a, cost = free } ]", "study.objectives[0].cost", "\"free\"");

    [Fact]
    public void Duplicate_name() =>
        AssertFails("[ { name = a }, { name = a, cost = cheap } ]", "study.objectives[1].name", "\"a\" is defined twice");

    [Fact]
    public void Missing_name() =>
        AssertFails("[ { direction = minimize } ]", "study.objectives[0].name", "missing");

    [Fact]
    public void Unknown_key() =>
        AssertFails("[ { name = a, directoin = minimize } ]", "study.objectives[0].directoin", "unknown key");

    [Fact]
    public void Element_not_an_object() =>
        AssertFails("[ a, b ]", "study.objectives[0]", "expected an object");

    [Fact]
    public void Not_a_list() =>
        AssertFails("{ name = a }", "study.objectives", "expected a list");

    [Fact]
    public void Empty_list() =>
        AssertFails("[]", "study.objectives", "at least one objective");

    [Fact]
    public void Missing_objectives() =>
        Assert.Equal(
            "study.objectives: missing",
            Assert.Throws<ConfigurationException>(() => ObjectivesReader.Read(HoconText.Parse("study { }"), "study.objectives")).Message);
}
