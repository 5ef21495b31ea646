using System.CommandLine;
using System.Globalization;
using NasHpo.Analysis.Comparison;
using NasHpo.Actors.Hosting;
using NasHpo.Cli.Engine;
using NasHpo.Configuration;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Registry;

namespace NasHpo.Cli.Commands;

/// <summary>
/// nashpo compare STUDY.conf --optimizers a,b --seeds N --out DIR [--set KEY=VALUE]...: runs one study with several
/// optimizers and seeds through the engine, each run in its own journal under DIR/runs (so an interrupted comparison
/// continues where it stopped), then writes hypervolume curves, combined Pareto fronts and a summary from the journals.
/// </summary>
internal static class CompareCommand
{
    /// <summary>More seeds than this is almost certainly a typo (each one is a whole study per method).</summary>
    public const int MaxSeeds = 1000;

    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("study") { Description = "the study definition (HOCON), e.g. hocon/studies/zdt1.conf" };
        var optimizers = new Option<string>("--optimizers")
        {
            Description = $"comma-separated optimizers to compare (any of: {string.Join(", ", OptimizerRegistry.BuiltIn.Names)})",
            Required = true,
        };
        var seeds = new Option<int>("--seeds")
        {
            Description = "runs per optimizer; run i (from 0) uses seed study.seed + i",
            DefaultValueFactory = _ => 5,
        };
        var output = new Option<string>("--out") { Description = "directory for the runs' journals (runs/) and the comparison's files", Required = true }.NamingAPath();
        var set = new Option<string[]>("--set")
        {
            Description = "overrides a key of the study for every run, e.g. --set stop.max-evaluations=50 (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("compare", "Run a study with several optimizers and seeds, then plot and tabulate their hypervolume and fronts")
        {
            file, optimizers, seeds, output, set,
        };
        command.SetAction((parseResult, cancellation) => ExecuteAsync(
            console,
            parseResult.GetRequiredValue(file),
            parseResult.GetRequiredValue(optimizers),
            parseResult.GetValue(seeds),
            parseResult.GetRequiredValue(output),
            parseResult.GetValue(set) ?? [],
            cancellation));
        return command;
    }

    /// <summary>The optimizer names of --optimizers, checked against <see cref="OptimizerRegistry.Names"/>.</summary>
    public static IReadOnlyList<string> ParseOptimizers(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var names = list.Split(',', StringSplitOptions.TrimEntries);
        var known = string.Join(", ", OptimizerRegistry.BuiltIn.Names);
        if (names.Any(string.IsNullOrEmpty))
        {
            throw new UserErrorException($"--optimizers: empty name in \"{list}\" (expected a comma-separated list of: {known})");
        }

        foreach (var name in names)
        {
            if (!OptimizerRegistry.BuiltIn.Names.Contains(name, StringComparer.Ordinal))
            {
                throw new UserErrorException($"--optimizers: unknown optimizer \"{name}\" (expected one of: {known})");
            }
        }

        var repeated = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return repeated is null ? names : throw new UserErrorException($"--optimizers: \"{repeated.Key}\" is listed twice");
    }

    /// <summary>The study id (and journal file name) of one run.</summary>
    public static string RunId(string method, long seed) => string.Create(CultureInfo.InvariantCulture, $"{method}-seed{seed}");

    internal static async Task<int> ExecuteAsync(CliConsole console, string file, string optimizerList, int seedCount, string outputDirectory, string[] set, CancellationToken cancellation)
    {
        var methods = ParseOptimizers(optimizerList);
        if (seedCount is < 1 or > MaxSeeds)
        {
            throw new UserErrorException(string.Create(CultureInfo.InvariantCulture, $"--seeds: must be a whole number from 1 to {MaxSeeds} (got {seedCount})"));
        }

        // Every run's definition is read and validated before anything runs, so a study that cannot run with one of
        // the optimizers is refused at once rather than after the others have spent their time.
        var baseSeed = RunCommand.LoadDefinition(file, set).Seed;
        var plan = new List<(string Method, long Seed, StudyDefinition Definition)>();
        foreach (var method in methods)
        {
            for (var i = 0; i < seedCount; i++)
            {
                var seed = baseSeed + i;
                var overrides = set.Concat([$"optimizer.type={method}", string.Create(CultureInfo.InvariantCulture, $"seed={seed}")]).ToArray();
                plan.Add((method, seed, RunCommand.LoadDefinition(file, overrides)));
            }
        }

        var runsDirectory = Path.Combine(outputDirectory, "runs");
        try
        {
            Directory.CreateDirectory(runsDirectory);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new UserErrorException($"--out: cannot create {runsDirectory}: {error.Message}", error);
        }

        console.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"comparing {string.Join(", ", methods)} on {file} with seeds {baseSeed}..{baseSeed + seedCount - 1}: {plan.Count} runs, journals in {runsDirectory}"));

        var histories = new Dictionary<string, List<SeedRun>>(StringComparer.Ordinal);
        var reference = (IReadOnlyList<double>?)null;
        for (var k = 0; k < plan.Count; k++)
        {
            var (method, seed, definition) = plan[k];
            var id = RunId(method, seed);
            var label = string.Create(CultureInfo.InvariantCulture, $"[{k + 1}/{plan.Count}] {method} seed {seed}");
            StudyRunOutcome outcome;
            try
            {
                outcome = await StudyRunner.RunAsync(
                    console, id, definition, JournalSettings.Sqlite(Path.Combine(runsDirectory, id + ".db")), new StudyRunOptions(label, ResumeExisting: true, ReadBack: true), cancellation);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                console.Out.WriteLine("comparison interrupted; run the same command again to continue (finished runs are kept, the interrupted one resumes)");
                throw;
            }

            var history = RunHistory.From(outcome.Record, definition);
            reference ??= history.ReferencePoint;
            if (!reference.SequenceEqual(history.ReferencePoint))
            {
                throw new UserErrorException($"run {id} has reference point ({string.Join(", ", history.ReferencePoint)}) unlike the others ({string.Join(", ", reference)}); the hypervolumes would not be comparable");
            }

            if (!histories.TryGetValue(method, out var runs))
            {
                histories[method] = runs = [];
            }

            runs.Add(new SeedRun(seed, id, history));
        }

        IReadOnlyList<MethodSummary> summaries;
        try
        {
            summaries = ComparisonReport.Write(outputDirectory, plan[0].Definition, methods.Select(m => new MethodRuns(m, histories[m])).ToArray());
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new UserErrorException($"cannot write the comparison to {outputDirectory}: {error.Message}", error);
        }

        console.Out.WriteLine();
        console.Out.Write(ComparisonReport.SummaryTable(summaries));
        if (plan[0].Definition.Problem.Tabular is not null)
        {
            // The table knows the best front there is: results as regret, and at equal budgets.
            var regret = TabularRegret.Write(outputDirectory, plan[0].Definition, methods.Select(m => new MethodRuns(m, histories[m])).ToArray());
            console.Out.WriteLine();
            console.Out.Write(TabularRegret.Table(regret));
            console.Out.WriteLine("regret and equal-budget results written to tabular-summary.md, tabular-summary.csv, regret-budget.csv");
        }

        var objectiveSpacePlots = ComparisonReport.DrawsObjectiveSpace(plan[0].Definition) ? "pareto-front.csv/png, samples.csv, samples-*.png" : "pareto-front.csv, samples.csv (one objective: no objective-space plots)";
        console.Out.WriteLine($"comparison written to {outputDirectory}: summary.md, summary.csv, hypervolume-*.csv/png, {objectiveSpacePlots}, traces.csv");
        return ExitCodes.Success;
    }
}
