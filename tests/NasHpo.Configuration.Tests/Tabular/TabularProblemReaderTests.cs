using NasHpo.Configuration.Tabular;
using NasHpo.Core.Objectives;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Tabular;

namespace NasHpo.Configuration.Tests.Tabular;

/// <summary><c>problem.type = tabular</c> as the reader takes it, on the shipped small table.</summary>
public sealed class TabularProblemReaderTests
{
    internal static string ShippedStudy => Path.Combine(AppContext.BaseDirectory, "studies", "fashion-mnist-tabular-small.conf");

    internal static string ShippedTable => Path.Combine(AppContext.BaseDirectory, "tables", "fashion-mnist-tabular-small.jsonl.gz");

    private static string Study(string extra = "") => $$"""
        study {
          problem { type = tabular, table = "{{ShippedTable}}" }
          optimizer { type = mo-bohb, min-budget = 1, max-budget = 9 }
          stop { max-budget-spent = 90 }
        }
        {{extra}}
        """;

    private static void Rejects(string hocon, string path, params string[] mentions)
    {
        var error = Assert.Throws<ConfigurationException>(() => StudyDefinitionReader.FromHocon(hocon));
        Assert.Equal(path, error.Path);
        Assert.DoesNotContain('\n', error.Message);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, error.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_shipped_study_reads_its_table_relative_to_its_folder_and_keeps_the_resolved_path_for_resumes()
    {
        var definition = StudyDefinitionReader.Load(ShippedStudy, []);
        var tabular = Assert.IsType<TabularDefinition>(definition.Problem.Tabular);
        Assert.Equal(Path.GetFullPath(ShippedTable), tabular.TablePath);
        Assert.Equal(9, tabular.Table.MaxEpoch);
        Assert.Equal(48, tabular.Table.Configurations.Count);
        Assert.Equal(48, DiscreteEnumeration.All(tabular.Table.Space).Count);
        Assert.Equal(2, tabular.Table.Runs.Select(r => r.Seed).Distinct().Count());
        // The study searches the table's own space.
        Assert.Same(tabular.Table.Space, definition.Space);
        Assert.Equal(["val-error", "params"], definition.Objectives.Select(o => o.Name));

        // The journal keeps the text: read again from any folder, it finds the same table.
        var resumed = StudyDefinitionReader.FromHocon(definition.Hocon);
        Assert.Equal(tabular.TablePath, resumed.Problem.Tabular!.TablePath);
        Assert.Equal(definition.ReferencePoint, resumed.ReferencePoint);
    }

    [Fact]
    public void The_default_reference_is_an_error_of_one_and_the_largest_recorded_value_plus_ten_percent()
    {
        var definition = StudyDefinitionReader.FromHocon(Study());
        var table = definition.Problem.Tabular!.Table;
        Assert.Equal(1.0, definition.ReferencePoint[0]);
        Assert.Equal(table.Runs.Max(r => r.Fixed["params"]) * 1.1, definition.ReferencePoint[1], 6);
    }

    [Fact]
    public void A_log_scale_objectives_default_reference_is_its_value_not_its_logarithm_and_the_true_front_has_volume()
    {
        var definition = StudyDefinitionReader.FromHocon(Study("study.objectives = [ { name = val-error }, { name = params, cost = cheap, scale = log } ]"));
        var table = definition.Problem.Tabular!.Table;

        Assert.Equal(table.Runs.Max(r => r.Fixed["params"]) * 1.1, definition.ReferencePoint[1], 6);
        Assert.True(NasHpo.Core.Tabular.TabularFront.TrueHypervolume(table, definition.Objectives, definition.ReferencePoint, definition.Seed) > 0);
    }

    [Fact]
    public void Objectives_are_values_the_table_records()
    {
        var definition = StudyDefinitionReader.FromHocon(Study("study.objectives = [ { name = test-error }, { name = flops, cost = cheap }, { name = latency-ms, cost = cheap } ]"));
        Assert.Equal(3, definition.ReferencePoint.Count);
        Rejects(Study("study.objectives = [ { name = val-error }, { name = energy } ]"), "study.objectives[1].name", "energy", "params");
    }

    /// <summary>The table's own space written out as HOCON, with one parameter's line replaced.</summary>
    private static string Declared(string replacedName, string replacement)
    {
        var table = TabularTableFile.Read(ShippedTable, "test");
        var lines = table.Space.Parameters.Select(p => p.Name == replacedName ? replacement : p switch
        {
            IntegerParameter i => $"{p.Name} {{ type = int, lower = {i.Lower}, upper = {i.Upper} }}",
            OrdinalParameter o => $"{p.Name} {{ type = ordinal, choices = [{string.Join(", ", o.Choices.Select(c => $"\"{c}\""))}] }}",
            BooleanParameter => $"{p.Name} {{ type = bool }}",
            _ => throw new InvalidOperationException(p.Name),
        });
        return $"study.search-space {{\n{string.Join("\n", lines)}\n}}";
    }

    [Fact]
    public void A_declared_space_may_narrow_the_tables_but_not_leave_it()
    {
        var narrowed = StudyDefinitionReader.FromHocon(Study(Declared("learning_rate", "learning_rate { type = ordinal, choices = [\"0.003\"] }")));
        Assert.Equal(16, DiscreteEnumeration.All(narrowed.Space).Count);

        Rejects(Study(Declared("filters", "filters { type = ordinal, choices = [\"8\", \"16\"] }")), "study.search-space", "filters=16", "is not in the table");
        Rejects(Study("study.search-space { learning_rate { type = float, lower = 0.001, upper = 0.1 } }"), "study.search-space", "discrete");
    }

    [Fact]
    public void A_missing_table_a_budget_beyond_it_and_an_unknown_key_are_refused_in_one_line()
    {
        Rejects(Study("study.problem.table = \"/nonexistent/table.jsonl.gz\""), "study.problem.table", "no table");
        Rejects(Study("study.optimizer.max-budget = 27"), "study.optimizer.max-budget", "27", "9");
        Rejects(Study("study.problem.dimensions = 3"), "study.problem.dimensions", "unknown key");
        Rejects(Study("study.problem.time-scale = -1"), "study.problem.time-scale", "-1");
    }

    [Fact]
    public void A_table_written_and_read_back_is_the_same_and_a_work_file_cut_mid_line_drops_its_last_run()
    {
        var table = TabularTableFile.Read(ShippedTable, "test");
        var header = new TabularHeader(table.MaxEpoch, table.Settings, "search-space { x { type = int, lower = 1, upper = 2 } }");
        var x1 = new Core.SearchSpaces.Configuration([new("x", ParameterValue.Of(1))]);
        var x2 = new Core.SearchSpaces.Configuration([new("x", ParameterValue.Of(2))]);
        TabularRun Run(Core.SearchSpaces.Configuration c, int? diverged = null) => new(
            c,
            0,
            new Dictionary<string, double> { ["params"] = 12, [TabularTable.OverheadSeconds] = 0.25 },
            new Dictionary<string, IReadOnlyList<double>>
            {
                ["val-error"] = Enumerable.Range(1, diverged is { } d ? d - 1 : table.MaxEpoch).Select(e => 0.1 * e).ToArray(),
                [TabularTable.TrainSeconds] = Enumerable.Repeat(0.5, diverged is { } d2 ? d2 - 1 : table.MaxEpoch).ToArray(),
            },
            diverged);
        var directory = Directory.CreateTempSubdirectory("nashpo-tabular-");
        try
        {
            var file = Path.Combine(directory.FullName, "t.jsonl.gz");
            TabularTableFile.Write(file, header, [Run(x1), Run(x2, diverged: 4)]);
            var read = TabularTableFile.Read(file, "test");
            Assert.Equal(2, read.Configurations.Count);
            Assert.Equal(0.30000000000000004, TabularTable.ValueAt(read.RunFor(x1, 0), "val-error", 3));
            Assert.Equal(4, read.RunFor(x2, 0).DivergedAtEpoch);
            Assert.Equal(table.Settings, read.Settings);

            // A sample of its space (generate --limit) is no table a study can search.
            var sample = Path.Combine(directory.FullName, "sample.jsonl.gz");
            TabularTableFile.Write(sample, header, [Run(x1)]);
            Rejects(Study($"study.problem.table = \"{sample}\""), "study.problem.table", "holds 1 of the 2 configurations");

            var work = Path.Combine(directory.FullName, "w.jsonl");
            var line = TabularTableFile.RunLine(Run(x2));
            File.WriteAllText(work, TabularTableFile.HeaderLine(header) + "\n" + TabularTableFile.RunLine(Run(x1)) + "\n" + line[..(line.Length / 2)]);
            var (_, runs) = TabularTableFile.ReadWorkFile(work)!.Value;
            Assert.Equal(x1, Assert.Single(runs).Configuration);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_shipped_tables_true_front_has_a_positive_hypervolume_below_the_reference_box()
    {
        var definition = StudyDefinitionReader.Load(ShippedStudy, []);
        var table = definition.Problem.Tabular!.Table;
        var hypervolume = TabularFront.TrueHypervolume(table, definition.Objectives, definition.ReferencePoint, definition.Seed);
        Assert.InRange(hypervolume, 1e-9, definition.ReferencePoint[0] * definition.ReferencePoint[1]);
        Assert.Contains(TabularFront.TrueFront(table, definition.Objectives, definition.Seed), p => p.Objectives[1] == table.Runs.Min(r => r.Fixed["params"]));
        _ = definition.Objectives.Single(o => o.Cost == ObjectiveCost.Cheap);
    }
}
