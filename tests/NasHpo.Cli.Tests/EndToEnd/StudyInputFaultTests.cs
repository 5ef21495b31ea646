using System.Buffers.Binary;
using NasHpo.Cli.Tests.Command;

namespace NasHpo.Cli.Tests.EndToEnd;

/// <summary>
/// Inputs of a study that cannot work, with the real process: Fashion-MNIST data that is missing or truncated is
/// refused before the first trial (it used to fail every trial and exit 0), a checkpoint directory that is a file is
/// one line (it used to hang the run), and an empty --out is one line (it used to be an internal error). Each is
/// exit 2 and one line on stderr, and no study is written.
/// </summary>
public sealed class StudyInputFaultTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-input-faults-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Database => Path.Combine(_directory.FullName, "s.db");

    private static string FashionMnistStudy => Path.Combine(CommandExample.RepositoryRoot, "hocon", "studies", "fashion-mnist.conf");

    [Theory]
    [InlineData("missing file", "has neither 't10k-labels-idx1-ubyte.gz' nor 't10k-labels-idx1-ubyte'")]
    [InlineData("truncated images", "train-images-idx3-ubyte' is not a valid IDX file: it holds 7840 values where its header (100 x 28 x 28) declares 78400")]
    [InlineData("missing directory", "does not exist; on Debian install the data with 'apt-get install dataset-fashion-mnist'")]
    public async Task Fashion_mnist_data_that_cannot_be_read_is_refused_before_the_first_trial(string damage, string expected)
    {
        var data = Path.Combine(_directory.FullName, "fashion");
        if (damage != "missing directory")
        {
            Directory.CreateDirectory(data);
            WriteIdx(Path.Combine(data, "train-images-idx3-ubyte"), [100, 28, 28], damage == "truncated images" ? 10 * 28 * 28 : 100 * 28 * 28);
            WriteIdx(Path.Combine(data, "train-labels-idx1-ubyte"), [100], 100);
            WriteIdx(Path.Combine(data, "t10k-images-idx3-ubyte"), [20, 28, 28], 20 * 28 * 28);
            if (damage != "missing file")
            {
                WriteIdx(Path.Combine(data, "t10k-labels-idx1-ubyte"), [20], 20);
            }
        }

        var (exit, stdout, stderr) = await NashpoProcess.RunAsync(_directory.FullName, Limit, "run", FashionMnistStudy, "--study-id", "f", "--db", Database, "--set", $"problem.data-dir=\"{data}\"");

        Assert.True(exit == ExitCodes.UserError, $"exit {exit}: {stdout}{stderr}");
        var line = Assert.Single(Lines(stderr));
        Assert.StartsWith("nashpo: study.problem: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("started", stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Database) && new FileInfo(Database).Length > 0 && StudyExists(), "the refused study was written");
    }

    [Fact]
    public async Task A_checkpoint_directory_that_is_a_file_is_one_line_and_exit_2()
    {
        var file = Path.Combine(_directory.FullName, "checkpoints");
        File.WriteAllText(file, "a file, not a directory");
        var study = Path.Combine(_directory.FullName, "study.conf");
        File.WriteAllText(study, "study { seed = 1, problem { type = zdt1, dimensions = 3, checkpoints = true }\noptimizer { type = random, max-budget = 1 }\nstop { max-evaluations = 5 } }");

        var (exit, stdout, stderr) = await NashpoProcess.RunAsync(_directory.FullName, Limit, "run", study, "--study-id", "c", "--db", Database, "--checkpoints", file);

        Assert.True(exit == ExitCodes.UserError, $"exit {exit}: {stdout}{stderr}");
        Assert.Equal($"nashpo: study \"c\": cannot keep checkpoints in {Path.Combine(file, "c")}: {file} is a file, not a directory", Assert.Single(Lines(stderr)));
        Assert.False(StudyExists(), "the refused study was written");
    }

    [Theory]
    [InlineData("report", "s", "--out", "")]
    [InlineData("report", "s", "--out", " ")]
    [InlineData("compare", "study.conf", "--optimizers", "random", "--out", "")]
    [InlineData("run", "study.conf", "--checkpoints", "")]
    public async Task An_empty_path_is_one_line_and_exit_2(params string[] args)
    {
        var option = args[^2];
        var (exit, stdout, stderr) = await NashpoProcess.RunAsync(_directory.FullName, Limit, args);

        Assert.True(exit == ExitCodes.UserError, $"exit {exit}: {stdout}{stderr}");
        Assert.Equal($"nashpo: {option} needs a path, not an empty value (see 'nashpo --help')", Assert.Single(Lines(stderr)));
    }

    private bool StudyExists()
    {
        if (!File.Exists(Database))
        {
            return false;
        }

        var status = CliHarness.Run("status", "--db", Database, "--json");
        return status.Stdout.Trim() != "[]";
    }

    private static void WriteIdx(string path, int[] dimensions, int values)
    {
        var header = new byte[4 + (4 * dimensions.Length)];
        header[2] = 0x08;
        header[3] = (byte)dimensions.Length;
        for (var i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + (4 * i)), dimensions[i]);
        }

        // Labels 0-9, pixels anything: a well-formed file of that many values.
        File.WriteAllBytes(path, [.. header, .. Enumerable.Range(0, values).Select(v => (byte)(v % 10))]);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
