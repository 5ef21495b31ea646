using System.CommandLine;
using System.Globalization;
using NasHpo.Cli.Engine;
using NasHpo.Cli.Tabular;

namespace NasHpo.Cli.Commands;

/// <summary>
/// nashpo tabular generate SPACE --out TABLE [...]: trains every configuration of a discrete space and writes the
/// tabular benchmark that <c>problem.type = tabular</c> replays (see <see cref="TabularGenerator"/>);
/// nashpo tabular info TABLE [--study STUDY]: what a table holds, and its true front.
/// </summary>
internal static class TabularCommand
{
    public static Command Create(CliConsole console) =>
        new("tabular", "Build and inspect tabular benchmarks (every configuration of a discrete space trained once per seed)")
        {
            Generate(console),
            TabularInfoCommand.Create(console),
        };

    private static Command Generate(CliConsole console)
    {
        var space = new Argument<string>("space") { Description = "HOCON file with a discrete search-space, e.g. hocon/spaces/fashion-mnist-tabular.conf" };
        var output = new Option<string>("--out") { Description = "the table to write (gzip'd JSON lines, e.g. hocon/tables/fashion-mnist-tabular.jsonl.gz); OUT.partial.jsonl keeps the runs done so far", Required = true }.NamingAPath();
        var defaults = new TabularGenerationSettings { SpaceFile = string.Empty, Output = string.Empty };
        var epochs = new Option<int>("--epochs") { Description = "epochs each configuration trains, every one recorded (the largest budget a study can ask for)", DefaultValueFactory = _ => defaults.Epochs };
        var seeds = new Option<int>("--seeds") { Description = "training runs per configuration, seeds 0..N-1 (each seed draws the validation split and the initial weights)", DefaultValueFactory = _ => 1 };
        var dataDir = new Option<string>("--data-dir") { Description = "Fashion-MNIST IDX files", DefaultValueFactory = _ => defaults.DataDirectory };
        var imageSize = new Option<int>("--image-size") { Description = "images downsampled to this side (28 keeps the originals)", DefaultValueFactory = _ => defaults.ImageSize };
        var train = new Option<int>("--train-subset") { Description = "training images", DefaultValueFactory = _ => defaults.TrainSubset };
        var validation = new Option<int>("--validation-subset") { Description = "validation images", DefaultValueFactory = _ => defaults.ValidationSubset };
        var test = new Option<int>("--test-subset") { Description = "test images", DefaultValueFactory = _ => defaults.TestSubset };
        var batch = new Option<int>("--batch-size") { Description = "batch size when the space has no batch_size", DefaultValueFactory = _ => defaults.BatchSize };
        var workers = new Option<int>("--workers") { Description = "configurations trained at once, one thread each (small networks use a core better than several threads do)", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "TorchSharp threads shared by the workers (0: the cores divided among the workers)", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "cpu or cuda:N", DefaultValueFactory = _ => "cpu" };
        var limit = new Option<int?>("--limit") { Description = "train only this many configurations, drawn with --sample-seed (a small table for tests)" };
        var sampleSeed = new Option<long>("--sample-seed") { Description = "seed of the --limit draw", DefaultValueFactory = _ => 1 };
        var command = new Command("generate", "Train every configuration of a discrete space epoch by epoch and write the table (resumable: run the same command again)")
        {
            space, output, epochs, seeds, dataDir, imageSize, train, validation, test, batch, workers, threads, device, limit, sampleSeed,
        };
        command.SetAction((parse, cancellation) =>
        {
            var settings = new TabularGenerationSettings
            {
                SpaceFile = parse.GetRequiredValue(space),
                Output = parse.GetRequiredValue(output),
                Epochs = Positive(parse.GetValue(epochs), "--epochs"),
                Seeds = Enumerable.Range(0, Positive(parse.GetValue(seeds), "--seeds")).ToArray(),
                DataDirectory = parse.GetRequiredValue(dataDir),
                ImageSize = Positive(parse.GetValue(imageSize), "--image-size"),
                TrainSubset = Positive(parse.GetValue(train), "--train-subset"),
                ValidationSubset = Positive(parse.GetValue(validation), "--validation-subset"),
                TestSubset = Positive(parse.GetValue(test), "--test-subset"),
                BatchSize = Positive(parse.GetValue(batch), "--batch-size"),
                Workers = Positive(parse.GetValue(workers), "--workers"),
                Threads = Math.Max(0, parse.GetValue(threads)),
                Device = parse.GetRequiredValue(device),
                Limit = parse.GetValue(limit) is { } n ? Positive(n, "--limit") : null,
                SampleSeed = parse.GetValue(sampleSeed),
            };
            if (settings.ImageSize > 28)
            {
                throw new UserErrorException($"--image-size: {settings.ImageSize} is larger than the 28x28 images (downsampling only)");
            }

            return Task.FromResult(new TabularGenerator(console, settings).Run(cancellation));
        });
        return command;
    }

    private static int Positive(int value, string option) =>
        value >= 1 ? value : throw new UserErrorException(string.Create(CultureInfo.InvariantCulture, $"{option}: must be at least 1 (got {value})"));
}
