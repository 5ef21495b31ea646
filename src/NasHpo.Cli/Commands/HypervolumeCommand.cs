using System.CommandLine;
using System.Globalization;
using NasHpo.Cli.Input;
using NasHpo.Core.Pareto;

namespace NasHpo.Cli.Commands;

/// <summary>nashpo hypervolume POINTS.csv --ref R1,R2,...: the exact hypervolume of minimised points.</summary>
internal static class HypervolumeCommand
{
    public static Command Create(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var points = new Argument<string>("points")
        {
            Description = "CSV file of objective vectors, one per row, all minimised ('-' for standard input)",
        };
        var reference = new Option<string>("--ref")
        {
            Description = "the reference point, comma separated (e.g. 1.1,11); points not strictly better in every objective add nothing",
            Required = true,
        };
        var command = new Command("hypervolume", "Print the exact hypervolume dominated by the points (minimisation)")
        {
            points,
            reference,
        };
        command.SetAction(parseResult => Execute(
            console,
            parseResult.GetRequiredValue(points),
            parseResult.GetRequiredValue(reference)));
        return command;
    }

    internal static int Execute(CliConsole console, string pointsPath, string referenceText)
    {
        var reference = PointsCsv.ParseVector(referenceText, "--ref");
        var table = PointsCsv.Load(pointsPath, console.In);
        if (reference.Length != table.ColumnCount)
        {
            throw new UserErrorException(
                $"--ref has {reference.Length} values, but {table.Source} line {table.WidthLineNumber} has {table.ColumnCount} columns");
        }

        var volume = Hypervolume.Compute(table.Points, reference);

        // Round-trip format: the printed text parses back to the same double.
        console.Out.WriteLine(volume.ToString("R", CultureInfo.InvariantCulture));
        return ExitCodes.Success;
    }
}
