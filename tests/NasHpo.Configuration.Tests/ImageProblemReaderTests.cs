using NasHpo.Configuration;

namespace NasHpo.Configuration.Tests;

public sealed class ImageProblemReaderTests : IDisposable
{
    private const string Rest = """
          search-space { learning_rate { type = float, lower = 1e-3, upper = 1e-1, log = true } }
          optimizer { type = random, min-budget = 1, max-budget = 1 }
          stop { max-evaluations = 1 }
        }

        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("nashpo-image-problem-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Study(string problem) => "study {\n  problem { " + problem + " }\n" + Rest;

    [Fact]
    public void Relative_folders_are_relative_to_the_study_file_and_the_kept_text_records_that_folder()
    {
        var file = Path.Combine(_folder, "images.conf");
        File.WriteAllText(file, Study("type = image-folder, train-dir = data/train, validation-dir = \"../elsewhere/val\", test-dir = /abs/test"));

        var definition = StudyDefinitionReader.Load(file, []);

        var dataset = definition.Problem.Dataset!;
        Assert.Equal(Path.Combine(_folder, "data", "train"), dataset.Directory);
        Assert.Equal(Path.GetFullPath(Path.Combine(_folder, "..", "elsewhere", "val")), dataset.ValidationDirectory);
        Assert.Equal("/abs/test", dataset.TestDirectory);
        Assert.Equal(32, dataset.ImageSize);
        Assert.Equal(0, dataset.Channels);
        Assert.Contains($"study.base-directory = \"{_folder}\"", definition.Hocon, StringComparison.Ordinal);

        // What the journal keeps reads back to the same folders, whatever the current directory.
        var again = StudyDefinitionReader.FromHocon(definition.Hocon);
        Assert.Equal(dataset, again.Problem.Dataset);
    }

    [Fact]
    public void Absolute_folders_leave_the_text_as_it_was()
    {
        var file = Path.Combine(_folder, "abs.conf");
        File.WriteAllText(file, Study("type = npy, data-dir = /data/flowers17"));

        var definition = StudyDefinitionReader.Load(file, []);

        Assert.Equal("/data/flowers17", definition.Problem.Dataset!.Directory);
        Assert.Equal(0, definition.Problem.Dataset.ImageSize);
        Assert.DoesNotContain("base-directory", definition.Hocon, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("type = image-folder", "study.problem.train-dir", "missing")]
    [InlineData("type = idx", "study.problem.data-dir", "missing")]
    [InlineData("type = npy, data-dir = x, channels = rgb", "study.problem.channels", "\"rgb\" is not auto, 1 (grey) or 3 (colour)")]
    [InlineData("type = npy, data-dir = x, image-size = 2", "study.problem.image-size", "2 is below the minimum 4")]
    [InlineData("type = image-folder, train-dir = x, image-size = 4096", "study.problem.image-size", "4096 is above the maximum 512")]
    [InlineData("type = image-folder, train-dir = x, data-dir = y", "study.problem.data-dir", "unknown key")]
    [InlineData("type = fashion-mnist, channels = 3", "study.problem.channels", "unknown key")]
    [InlineData("type = images", "study.problem.type", "unknown problem \"images\"")]
    public void Bad_keys_name_their_hocon_path(string problem, string path, string detail)
    {
        var error = Assert.Throws<ConfigurationException>(() => StudyDefinitionReader.FromHocon(Study(problem)));
        Assert.Equal(path, error.Path);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Channels_and_sizes_are_read()
    {
        var dataset = StudyDefinitionReader.FromHocon(Study("type = idx, data-dir = /d, channels = 3, image-size = 20, model = residual")).Problem.Dataset!;
        Assert.Equal((3, 20, "residual"), (dataset.Channels, dataset.ImageSize, dataset.Model));
    }

    [Fact]
    public void The_shipped_image_folder_study_reads_its_folder_relative_to_itself()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "studies", "image-folder.conf");
        var definition = StudyDefinitionReader.Load(file, ["problem.validation-dir=my-images/val"]);

        Assert.Equal(ProblemDefinition.ImageFolder, definition.Problem.Type);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(file)!, "my-images", "train"), definition.Problem.Dataset!.Directory);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(file)!, "my-images", "val"), definition.Problem.Dataset.ValidationDirectory);
        Assert.Equal(16, definition.Problem.Dataset.ImageSize);
    }
}
