using System.CommandLine;
using NasHpo.Cli.Input;
using NasHpo.Core.Pareto;

namespace NasHpo.Cli.Commands;

/// <summary>nashpo pareto POINTS.csv: the non-dominated rows, as written and in input order.</summary>
internal static class ParetoCommand
{
    public static Command Create(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var points = new Argument<string>("points")
        {
            Description = "CSV file of objective vectors, one per row, all minimised ('-' for standard input)",
        };
        var command = new Command("pareto", "Print the non-dominated rows (minimisation), header first, in input order")
        {
            points,
        };
        command.SetAction(parseResult => Execute(console, parseResult.GetRequiredValue(points)));
        return command;
    }

    internal static int Execute(CliConsole console, string pointsPath)
    {
        var table = PointsCsv.Load(pointsPath, console.In);
        var front = NonDominatedSorting.FirstFront(table.Points);
        if (table.HeaderText is not null)
        {
            console.Out.WriteLine(table.HeaderText);
        }

        // The original text, not reformatted numbers, so that the output can be diffed against the input.
        foreach (var index in front)
        {
            console.Out.WriteLine(table.Rows[index].Text);
        }

        return ExitCodes.Success;
    }
}
