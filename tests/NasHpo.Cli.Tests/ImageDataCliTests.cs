using System.Text.Json;
using NasHpo.Training.Tests;

namespace NasHpo.Cli.Tests;

/// <summary>
/// Studies on one's own images through the CLI: relative data folders resolve against the study file's folder, the
/// data is read and checked before anything is persisted, and every kind of bad data is one line and exit code 2.
/// </summary>
public sealed class ImageDataCliTests : IDisposable
{
    private readonly CliHarness _harness = new();
    private readonly ImageFiles _images = new();

    public void Dispose()
    {
        _images.Dispose();
        _harness.Dispose();
    }

    private string Database => Path.Combine(_harness.Directory, "x.db");

    private static string Study(string problem, string optimizer = "type = random, min-budget = 1, max-budget = 1", int evaluations = 2) => $$"""
        study {
          seed = 5
          problem { {{problem}} }
          search-space {
            conv_layers { type = int, lower = 1, upper = 1 }
            filters_1 { type = int, lower = 4, upper = 8 }
            kernel_1 { type = categorical, choices = [3] }
            batch_norm_1 { type = bool }
            global_avg_pooling { type = bool }
            fc_layers { type = int, lower = 1, upper = 1 }
            units_1 { type = int, lower = 8, upper = 16 }
            learning_rate { type = float, lower = 1e-3, upper = 1e-2, log = true }
            batch_size { type = int, lower = 16, upper = 32 }
          }
          optimizer { {{optimizer}} }
          stop { max-evaluations = {{evaluations}} }
        }

        """;

    /// <summary>The study file lives in a folder of its own, beside a "shapes" folder, and names it relatively.</summary>
    private string WriteStudyBesideShapes(string problem, string optimizer = "type = random, min-budget = 1, max-budget = 1", int evaluations = 2)
    {
        var folder = Path.Combine(_harness.Directory, "project");
        Directory.CreateDirectory(folder);
        var shapes = Path.Combine(folder, "shapes");
        if (!Directory.Exists(shapes))
        {
            _images.WriteShapes("train", 12, 24, seed: 1);
            _images.WriteShapes("val", 4, 24, seed: 2);
            CopyDirectory(_images.PathOf("train"), Path.Combine(shapes, "train"));
            CopyDirectory(_images.PathOf("val"), Path.Combine(shapes, "val"));
        }

        var file = Path.Combine(folder, "images.conf");
        File.WriteAllText(file, Study(problem, optimizer, evaluations));
        return file;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(directory.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void An_image_folder_study_with_relative_folders_reads_three_classes_and_runs_to_its_end()
    {
        var file = WriteStudyBesideShapes("type = image-folder, train-dir = shapes/train, validation-dir = shapes/val, image-size = 12", "type = mo-bohb, eta = 3, min-budget = 1, max-budget = 3", evaluations: 4);

        var run = CliHarness.Run("run", file, "--db", Database, "--study-id", "shapes", "--checkpoints", Path.Combine(_harness.Directory, "ck"));

        Assert.True(run.ExitCode == ExitCodes.Success, run.Stderr);
        Assert.Contains("image-folder data: 36 training, 12 validation, 0 test images of 12x12x3, 3 classes", run.Stdout, StringComparison.Ordinal);
        var status = CliHarness.Run("status", "shapes", "--db", Database, "--json");
        using var json = JsonDocument.Parse(status.Stdout);
        var summary = json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement[0] : json.RootElement;
        Assert.Equal(4, summary.GetProperty("evaluations").GetInt32());
        Assert.True(summary.GetProperty("trials").GetProperty("completed").GetInt32() >= 1);
    }

    public static TheoryData<string, string> BadData => new()
    {
        { "missing", "the training folder '{root}/missing' does not exist" },
        { "empty-class", "the class folder '{root}/empty-class/square' has no PNG or JPEG images" },
        { "one-class", "the training folder '{root}/one-class' has only one class folder ('circle')" },
        { "unreadable", "'{root}/unreadable/circle/broken.png' cannot be decoded as an image" },
        { "truncated", "'{root}/truncated/square/0000.png' is not a whole image (truncated)" },
        { "mixed", "'{root}/mixed/square/grey.png' is grey but" },
        { "npy-lengths", "'{root}/npy-lengths/y_train.npy' holds 5 labels for the 6 images in '{root}/npy-lengths/x_train.npy'" },
    };

    [Theory]
    [MemberData(nameof(BadData))]
    public void Bad_data_is_one_line_naming_the_file_or_folder_with_exit_code_2_and_nothing_persisted(string dataset, string expected)
    {
        var root = Path.Combine(_harness.Directory, "data");
        var folder = Path.Combine(root, dataset);
        _images.WriteShapes("good", 3, 16, seed: 4);
        if (dataset != "missing" && !dataset.StartsWith("npy", StringComparison.Ordinal))
        {
            CopyDirectory(_images.PathOf("good"), folder);
        }

        switch (dataset)
        {
            case "empty-class":
                foreach (var image in Directory.GetFiles(Path.Combine(folder, "square")))
                {
                    File.Delete(image);
                }

                break;
            case "one-class":
                Directory.Delete(Path.Combine(folder, "square"), recursive: true);
                Directory.Delete(Path.Combine(folder, "triangle"), recursive: true);
                break;
            case "unreadable":
                File.WriteAllText(Path.Combine(folder, "circle", "broken.png"), "this is text, not a PNG");
                break;
            case "truncated":
                var png = Path.Combine(folder, "square", "0000.png");
                var bytes = File.ReadAllBytes(png);
                File.WriteAllBytes(png, bytes[..(bytes.Length / 2)]);
                break;
            case "mixed":
                File.WriteAllBytes(Path.Combine(folder, "square", "grey.png"), ImageFiles.GreyPng(new byte[16 * 16], 16, 16));
                break;
            case "npy-lengths":
                Directory.CreateDirectory(folder);
                File.WriteAllBytes(Path.Combine(folder, "x_train.npy"), ImageFiles.Npy("|u1", [6, 4, 4, 3], new byte[6 * 48]));
                File.WriteAllBytes(Path.Combine(folder, "y_train.npy"), ImageFiles.Npy("<i8", [5], ImageFiles.Int64([0, 1, 2, 0, 1])));
                break;
        }

        var problem = dataset.StartsWith("npy", StringComparison.Ordinal)
            ? $"type = npy, data-dir = \"{folder}\""
            : $"type = image-folder, train-dir = \"{folder}\", image-size = 8";
        var file = _harness.Write("bad-data.conf", Study(problem));

        var result = CliHarness.Run("run", file, "--db", Database, "--study-id", "bad", "--checkpoints", Path.Combine(_harness.Directory, "ck"));

        Assert.True(result.ExitCode == ExitCodes.UserError, $"exit code {result.ExitCode}; stdout: {result.Stdout}; stderr: {result.Stderr}");
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("nashpo: study.problem: ", line, StringComparison.Ordinal);
        Assert.Contains(expected.Replace("{root}", root, StringComparison.Ordinal), line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        var status = CliHarness.Run("status", "--db", Database, "--json");
        Assert.Equal("[]", status.Stdout.Trim());
    }

    [Fact]
    public void Bad_keys_of_an_image_problem_name_the_hocon_path()
    {
        var file = _harness.Write("keys.conf", Study("type = image-folder, train-dir = x, channels = 2"));
        var result = CliHarness.Run("run", file, "--db", Database);
        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        Assert.Contains("study.problem.channels: \"2\" is not auto, 1 (grey) or 3 (colour)", Assert.Single(result.StderrLines), StringComparison.Ordinal);

        file = _harness.Write("keys.conf", Study("type = npy"));
        result = CliHarness.Run("run", file, "--db", Database);
        Assert.Contains("study.problem.data-dir: missing", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }
}
