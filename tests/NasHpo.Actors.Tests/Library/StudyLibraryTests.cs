using System.Collections.Concurrent;
using NasHpo.Actors.Studies;
using NasHpo.Configuration;

namespace NasHpo.Actors.Tests.Library;

/// <summary>
/// A study run from a .NET program (<see cref="Study"/>): an objective called by the engine, and ask-and-tell with
/// several trials out at once, through a stop with trials out and a resume.
/// </summary>
public sealed class StudyLibraryTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-library-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Database => Path.Combine(_directory.FullName, "journal.db");

    private static StudyDefinition External(int devices, int evaluations, string optimizer = "{ type = random, max-budget = 1 }") =>
        StudyDefinitionReader.FromHocon($$"""
            study {
              name = library
              seed = 5
              devices = {{devices}}
              problem { type = external }
              objectives = [{ name = loss }, { name = size, cost = cheap }]
              reference-point = [10, 10]
              search-space {
                x { type = float, lower = 0, upper = 1 }
                y { type = float, lower = 0, upper = 1 }
              }
              optimizer {{optimizer}}
              stop { max-evaluations = {{evaluations}} }
            }
            """);

    private static Dictionary<string, double> Evaluate(Trial trial)
    {
        var x = trial.Configuration.GetDouble("x");
        var y = trial.Configuration.GetDouble("y");
        return new() { ["loss"] = x + (y * y) / trial.Budget, ["size"] = 1 - x, ["seconds"] = 0.001 };
    }

    [Fact]
    public async Task An_objective_in_code_runs_a_multi_fidelity_study_to_its_end_and_the_journal_keeps_it()
    {
        using var timeout = new CancellationTokenSource(Limit);
        var definition = External(2, 30, "{ type = mo-bohb, min-budget = 1, max-budget = 9, eta = 3 }");
        var seen = new ConcurrentBag<(double Budget, string? Parent)>();
        await using var study = await Study.OpenAsync(definition, Database, "objective", timeout.Token);

        var final = await study.OptimizeAsync(
            (trial, cancellation) =>
            {
                seen.Add((trial.Budget, trial.ParentCheckpointDirectory));
                return Task.FromResult<IReadOnlyDictionary<string, double>>(Evaluate(trial));
            },
            cancellationToken: timeout.Token);

        Assert.Equal(StudyState.Finished, final.State);
        Assert.Equal(30, final.Completed);
        var record = await study.ReadAsync(timeout.Token);
        Assert.Equal(30, record.Completed);
        Assert.All(record.Trials, t => Assert.Equal(0.001, t.Completed!.Metrics["seconds"]));
        // Promoted trials were handed their parent's checkpoint directory, so they could continue its training.
        Assert.Contains(seen, s => s.Budget > 1 && s.Parent is not null);
        Assert.NotEmpty(record.ParetoFront());
    }

    [Fact]
    public async Task Ask_and_tell_with_four_trials_out_survives_a_stop_and_records_every_evaluation_once()
    {
        using var timeout = new CancellationTokenSource(Limit);
        var definition = External(4, 24);
        var outBeforeStop = new List<string>();
        var told = new List<string>();
        await using (var study = await Study.OpenAsync(definition, Database, "ask-tell", timeout.Token))
        {
            // Ask four before telling any: the study hands out as many as it has devices.
            var asked = new List<Trial>();
            for (var i = 0; i < 4; i++)
            {
                asked.Add((await study.AskAsync(timeout.Token))!);
            }

            Assert.Equal(4, asked.Select(t => t.Id).Distinct().Count());
            foreach (var trial in asked.Take(2))
            {
                await study.TellAsync(trial, Evaluate(trial));
                told.Add(trial.Id);
            }

            // Two more come while two are still out; then the program stops with four out.
            asked.Add((await study.AskAsync(timeout.Token))!);
            asked.Add((await study.AskAsync(timeout.Token))!);
            outBeforeStop.AddRange(asked.Skip(2).Select(t => t.Id));
            await Assert.ThrowsAsync<InvalidOperationException>(() => study.TellAsync(asked[0], Evaluate(asked[0])));
            await Assert.ThrowsAsync<ArgumentException>(() => study.TellAsync(asked[2], new Dictionary<string, double> { ["loss"] = 1 }));
        }

        await using (var again = await Study.OpenAsync(definition, Database, "ask-tell", timeout.Token))
        {
            var handedAgain = new List<string>();
            while (await again.AskAsync(timeout.Token) is { } trial)
            {
                handedAgain.Add(trial.Id);
                if (trial.Configuration.GetDouble("x") > 0.95)
                {
                    await again.FailAsync(trial, "x too large for this test's taste");
                }
                else
                {
                    await again.TellAsync(trial, Evaluate(trial));
                }

                told.Add(trial.Id);
            }

            // The four out at the stop were handed out again (with the trials the study had scheduled ahead of them).
            Assert.All(outBeforeStop, id => Assert.Contains(id, handedAgain));
            var record = await again.ReadAsync(timeout.Token);
            Assert.Equal(24, record.Completed + record.FailedCount);
            Assert.Equal(record.Trials.Count, record.Trials.Select(t => t.Id).Distinct().Count());
            Assert.Equal(told.Order(), record.Trials.Select(t => t.Id.ToString()).Order());
        }
    }

    [Fact]
    public async Task Ask_and_tell_stopped_with_a_trial_out_and_reopened_ends_with_the_ledger_and_front_of_an_uninterrupted_run()
    {
        // One device: the study neither prefetches nor races results, so the same tells give the same study.
        using var timeout = new CancellationTokenSource(Limit);
        var definition = External(1, 20, "{ type = mo-bohb, min-budget = 1, max-budget = 9, eta = 3 }");

        await using (var straight = await Study.OpenAsync(definition, Database, "straight", timeout.Token))
        {
            while (await straight.AskAsync(timeout.Token) is { } trial)
            {
                await straight.TellAsync(trial, Evaluate(trial));
            }
        }

        string? outAtStop;
        await using (var first = await Study.OpenAsync(definition, Database, "stopped", timeout.Token))
        {
            for (var i = 0; i < 7; i++)
            {
                var trial = (await first.AskAsync(timeout.Token))!;
                await first.TellAsync(trial, Evaluate(trial));
            }

            outAtStop = (await first.AskAsync(timeout.Token))!.Id;
        }

        await using (var again = await Study.OpenAsync(definition, Database, "stopped", timeout.Token))
        {
            var firstAgain = true;
            while (await again.AskAsync(timeout.Token) is { } trial)
            {
                if (firstAgain)
                {
                    Assert.Equal(outAtStop, trial.Id);
                    firstAgain = false;
                }

                await again.TellAsync(trial, Evaluate(trial));
            }

            var expected = await ReadLedgerAsync(again, "straight");
            var actual = await ReadLedgerAsync(again, "stopped");
            Assert.Equal(20, actual.Trials.Length);
            Assert.Equal(expected.Trials, actual.Trials);
            Assert.Equal(expected.Front, actual.Front);
        }
    }

    private static async Task<(string[] Trials, string[] Front)> ReadLedgerAsync(Study study, string id)
    {
        var record = await NasHpo.Actors.ReadSide.JournalReader.ReadStudyAsync(study.Host.System, id);
        return (
            record.Trials.Select(t => $"{t.Id} {t.Scheduled.Request.Configuration} {string.Join(" ", t.Completed?.Objectives ?? [])}").ToArray(),
            record.ParetoFront().Select(t => t.Id.ToString()).ToArray());
    }

    [Fact]
    public async Task A_study_that_is_not_external_or_opened_under_another_definition_is_refused()
    {
        var synthetic = StudyDefinitionReader.FromHocon("study { seed = 1\nproblem { type = zdt1, dimensions = 2 }\noptimizer { type = random }\nstop { max-evaluations = 2 } }");
        var notExternal = await Assert.ThrowsAsync<ArgumentException>(() => Study.OpenAsync(synthetic, Database, "s"));
        Assert.Contains("problem.type = external", notExternal.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => Study.OpenAsync(External(1, 2), Database, "bad id\n"));

        await using (var first = await Study.OpenAsync(External(1, 2), Database, "s"))
        {
            await first.OptimizeAsync((t, _) => Task.FromResult<IReadOnlyDictionary<string, double>>(Evaluate(t)));
        }

        var other = await Assert.ThrowsAsync<InvalidOperationException>(() => Study.OpenAsync(External(1, 3), Database, "s"));
        Assert.Contains("different definition", other.Message, StringComparison.Ordinal);
    }
}
