namespace NasHpo.Configuration.Tests;

/// <summary>problem.type = command: each bad key is one line naming its path; paths resolve against the study file.</summary>
public sealed class CommandProblemReaderTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-command-reader-");

    private static string Study(string problem, string extra = "") => $$"""
        study {
          problem { type = command, {{problem}} }
          objectives = [{ name = loss }, { name = size, cost = cheap }]
          reference-point = [10, 10]
          search-space {
            x { type = float, lower = 0, upper = 1 }
            layers { type = int, lower = 1, upper = 3 }
            units_3 { type = int, lower = 1, upper = 9, when = "layers >= 3" }
          }
          optimizer { type = hyperband, min-budget = 1, max-budget = 9 }
          stop { max-evaluations = 10 }
          {{extra}}
        }
        """;

    private const string Command = """command = ["python3", "train.py", "--x", "${x}", "--units-3", "${units_3}", "--epochs", "${budget}"]""";

    public void Dispose() => _directory.Delete(recursive: true);

    private static void Rejects(string hocon, string path, params string[] mentions)
    {
        var error = Assert.Throws<ConfigurationException>(() => StudyDefinitionReader.FromHocon(hocon));
        AssertOneLine(error, path, mentions);
    }

    private static void AssertOneLine(ConfigurationException error, string path, string[] mentions)
    {
        Assert.Equal(path, error.Path);
        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, error.Detail, StringComparison.Ordinal);
        }
    }

    private string WriteStudy(string text, string folder = ".")
    {
        var directory = Path.Combine(_directory.FullName, folder);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "study.conf");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_command_study_reads_its_keys()
    {
        var definition = StudyDefinitionReader.FromHocon(Study(Command + """

              environment {
                MY_VAR = "x"
              }
              trial-timeout = 30m, grace-period = 2s
              cheap-command = ["python3", "train.py", "--count-params", "--x", "${x}"]
            """));

        var command = definition.Problem.Command!;
        Assert.False(definition.Problem.IsSynthetic);
        Assert.Equal("${x}", command.Command[3]);
        Assert.Equal("x", command.Environment["MY_VAR"]);
        Assert.Equal(TimeSpan.FromMinutes(30), command.TrialTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), command.GracePeriod);
        Assert.Equal("--count-params", command.CheapCommand![2]);
        Assert.Equal(["loss", "size"], definition.Objectives.Select(o => o.Name));
    }

    [Theory]
    [InlineData("command = []", "study.problem.command", "empty")]
    [InlineData("working-dir = \".\"", "study.problem.command", "missing")]
    [InlineData("command = \"python3 train.py\"", "study.problem.command", "expected a list")]
    [InlineData("command = [\"python3\", \"--lr\", \"${learning_rate}\"]", "study.problem.command[2]", "unknown placeholder ${learning_rate}")]
    [InlineData("command = [\"python3\"], cheap-command = [\"python3\", \"${epochs}\"]", "study.problem.cheap-command[1]", "unknown placeholder ${epochs}")]
    [InlineData("command = [\"python3\"], trial-timeout = soon", "study.problem.trial-timeout", "not a duration")]
    [InlineData("command = [\"python3\"], trial-timeout = 0s", "study.problem.trial-timeout", "positive")]
    [InlineData("command = [\"python3\"], grace-period = -1s", "study.problem.grace-period", "")]
    [InlineData("command = [\"python3\"], environment { NASHPO_TRIAL = x }", "study.problem.environment.NASHPO_TRIAL", "set by the engine")]
    [InlineData("command = [\"python3\"], data-dir = x", "study.problem.data-dir", "unknown key")]
    public void Bad_keys_are_refused_with_their_path(string problem, string path, string mention) =>
        Rejects(Study(problem), path, mention);

    [Fact]
    public void A_command_study_must_name_its_objectives_and_reference_point()
    {
        var study = Study(Command);
        Rejects(study.Replace("objectives = [{ name = loss }, { name = size, cost = cheap }]", string.Empty, StringComparison.Ordinal), "study.objectives", "missing");
        Rejects(study.Replace("reference-point = [10, 10]", string.Empty, StringComparison.Ordinal), "study.reference-point", "missing");
    }

    [Fact]
    public void The_working_directory_is_resolved_against_the_study_files_folder_and_kept_in_the_journals_text()
    {
        Directory.CreateDirectory(Path.Combine(_directory.FullName, "code"));
        var path = WriteStudy(Study(Command + ", working-dir = \"../code\""), "studies");

        var definition = StudyDefinitionReader.Load(path, []);

        var expected = Path.Combine(_directory.FullName, "code");
        Assert.Equal(expected, definition.Problem.Command!.WorkingDirectory);

        // Read back from the journal's text in another directory, the study runs in the same place.
        var resumed = StudyDefinitionReader.FromHocon(definition.Hocon);
        Assert.Equal(expected, resumed.Problem.Command!.WorkingDirectory);
    }

    [Fact]
    public void A_missing_working_directory_is_refused()
    {
        var path = WriteStudy(Study(Command + ", working-dir = \"nowhere\""));

        var error = Assert.Throws<ConfigurationException>(() => StudyDefinitionReader.Load(path, []));
        AssertOneLine(error, "study.problem.working-dir", ["nowhere", "not a directory"]);
    }

    [Theory]
    [InlineData("no-such-program-nashpo", "not found on PATH")]
    [InlineData("./train.sh", "not an executable file")]
    public void A_program_that_cannot_be_found_is_refused(string program, string mention)
    {
        var path = WriteStudy(Study($"command = [\"{program}\", \"${{x}}\"]"));

        var error = Assert.Throws<ConfigurationException>(() => StudyDefinitionReader.Load(path, []));
        AssertOneLine(error, "study.problem.command[0]", [program, mention]);
    }

    [Fact]
    public void A_program_relative_to_the_working_directory_is_found()
    {
        var script = Path.Combine(_directory.FullName, "train.sh");
        File.WriteAllText(script, "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var path = WriteStudy(Study("command = [\"./train.sh\", \"${x}\"]"));

        Assert.NotNull(StudyDefinitionReader.Load(path, []).Problem.Command);
    }
}
