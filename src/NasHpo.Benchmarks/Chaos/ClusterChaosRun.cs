using System.Collections.Concurrent;
using System.Text.Json;
using NasHpo.Core.Randomness;

namespace NasHpo.Benchmarks.Chaos;

/// <summary>A fault a chaos cluster suffers.</summary>
internal enum ClusterFault
{
    /// <summary>SIGKILL of a trainer mid-study; a replacement trainer is started at once.</summary>
    TrainerKill,

    /// <summary>SIGSTOP of a trainer for 0.3–2 s, then SIGCONT: shorter than the failure detector's pause, it stays.</summary>
    TrainerFreeze,

    /// <summary>SIGSTOP until the coordinators mark the trainer unreachable and down it, then SIGCONT: it must exit; a replacement starts.</summary>
    TrainerFreezePastDetector,

    /// <summary>SIGKILL of the coordinator holding the singleton; the other takes over, a new coordinator joins.</summary>
    CoordinatorKill,
}

/// <summary>
/// What to run: the built nashpo.dll, a scratch folder, the cluster's journal (a fresh PostgreSQL database),
/// how many faults in all, the seed of their kinds, targets and moments, the studies, and the limit on one round.
/// </summary>
internal sealed record ClusterChaosOptions(string Nashpo, string Scratch, string Database, int Faults, ulong Seed, IReadOnlyList<ChaosStudy> Studies, TimeSpan Limit)
{
    public int Trainers { get; init; } = 2;

    /// <summary>The longest pause between one fault's repair and the next fault.</summary>
    public TimeSpan MaxGap { get; init; } = TimeSpan.FromSeconds(5);

    public Action<string>? Log { get; init; }
}

/// <summary>A cluster chaos run's account: faults by kind, every study round, and faults the cluster handled wrongly.</summary>
internal sealed record ClusterChaosOutcome(IReadOnlyDictionary<ClusterFault, int> FaultsByKind, IReadOnlyList<ChaosRound> Rounds, IReadOnlyList<string> Problems, TimeSpan Elapsed)
{
    public int Faults => FaultsByKind.Values.Sum();

    public bool Clean => Problems.Count == 0 && Rounds.Count > 0 && Rounds.All(r => r.Clean);

    public IEnumerable<string> Describe()
    {
        yield return $"faults: {Faults} ({string.Join(", ", FaultsByKind.Select(f => $"{Name(f.Key)} {f.Value}"))})";
        foreach (var line in ChaosRound.Account(Rounds))
        {
            yield return line;
        }

        foreach (var problem in Problems)
        {
            yield return $"CLUSTER PROBLEM: {problem}";
        }

        yield return $"elapsed: {Elapsed.TotalMinutes:F1} min";
    }

    public static string Name(ClusterFault fault) => fault switch
    {
        ClusterFault.TrainerKill => "trainer kill -9",
        ClusterFault.TrainerFreeze => "trainer freeze",
        ClusterFault.TrainerFreezePastDetector => "trainer freeze past the failure detector",
        _ => "coordinator kill -9",
    };
}

/// <summary>
/// The chaos run for a cluster: two coordinators and <see cref="ClusterChaosOptions.Trainers"/> trainers on
/// loopback (<see cref="ChaosCluster"/>) on one PostgreSQL journal; every study submitted and, when it finishes,
/// submitted again under a new id while faults remain; faults (<see cref="ClusterFault"/>) at moments drawn from the
/// seed, each repaired (a replacement node) before the next is drawn. At the end every round is read back from the
/// journal (report, verify, status) and compared with an uninterrupted single-process run of the same definition,
/// as the single-machine chaos run does.
/// </summary>
internal sealed class ClusterChaosRun : IDisposable
{
    private static readonly (ClusterFault Fault, int Weight)[] Weights =
        [(ClusterFault.TrainerKill, 35), (ClusterFault.TrainerFreeze, 25), (ClusterFault.TrainerFreezePastDetector, 15), (ClusterFault.CoordinatorKill, 25)];

    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);

    private readonly ClusterChaosOptions _options;
    private readonly ChaosCluster _cluster;
    private readonly ConcurrentDictionary<ClusterFault, int> _faults = new();
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _finished = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChaosLedger> _references = [];
    private volatile bool _faultsDone;

    private ClusterChaosRun(ClusterChaosOptions options)
    {
        _options = options;
        _cluster = new ChaosCluster(options.Nashpo, options.Scratch, options.Database, StartLimit);
        foreach (var fault in Enum.GetValues<ClusterFault>())
        {
            _faults[fault] = 0;
        }
    }

    private int FaultsMade => _faults.Values.Sum();

    public static async Task<ClusterChaosOutcome> RunAsync(ClusterChaosOptions options)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var run = new ClusterChaosRun(options);
        await run.RunReferencesAsync();
        await run._cluster.StartCoordinatorAsync();
        await run._cluster.StartCoordinatorAsync();
        for (var i = 0; i < options.Trainers; i++)
        {
            await run._cluster.StartTrainerAsync();
        }

        options.Log?.Invoke($"cluster up: coordinators {string.Join(", ", run._cluster.Coordinators.Select(c => c.Address))}, trainers {string.Join(", ", run._cluster.Trainers.Select(t => t.Address))}");
        using var polling = new CancellationTokenSource();
        var poller = Task.Run(() => run.PollAsync(polling.Token));
        var studies = options.Studies.Select(study => Task.Run(() => run.StudyAsync(study))).ToArray();
        try
        {
            await run.InjectFaultsAsync();
        }
        catch (Exception error) when (error is InvalidOperationException or TimeoutException)
        {
            run._problems.Enqueue($"the cluster could not be repaired: {error.Message}");
        }
        finally
        {
            run._faultsDone = true;
        }

        var rounds = (await Task.WhenAll(studies)).SelectMany(r => r).ToArray();
        await polling.CancelAsync();
        await poller;
        return new ClusterChaosOutcome(
            Enum.GetValues<ClusterFault>().ToDictionary(f => f, f => run._faults[f]),
            [.. rounds.OrderBy(r => r.Study, StringComparer.Ordinal).ThenBy(r => r.Round)],
            [.. run._problems],
            clock.Elapsed);
    }

    // Uninterrupted single-process runs on SQLite, one at a time: what every cluster round must match.
    private async Task RunReferencesAsync()
    {
        foreach (var study in _options.Studies)
        {
            var directory = Folder(study.Name, "reference");
            var file = WriteStudy(study, directory);
            var (exitCode, _, stderr) = await ChaosProcess.RunAsync(_options.Nashpo, directory, _options.Limit, ["run", file, "--db", "journal.db", "--study-id", study.Name]);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"the uninterrupted run of {study.Name} failed (exit {exitCode}): {stderr.Trim()}");
            }

            _references[study.Name] = await ChaosLedger.ReadAsync(_options.Nashpo, directory, "journal.db", study.Name, _options.Limit);
        }
    }

    // Rounds of one study: submitted, awaited and read back, again while faults remain (at least one round).
    private async Task<List<ChaosRound>> StudyAsync(ChaosStudy study)
    {
        var rounds = new List<ChaosRound>();
        for (var number = 0; number == 0 || !_faultsDone; number++)
        {
            var round = await RoundAsync(study, number);
            rounds.Add(round);
            _options.Log?.Invoke($"{study.Name} round {number}: {round.Kills} faults, {round.Evaluations} evaluations, lost {round.Lost}, doubled {round.Doubled}, journal problems {round.JournalProblems}"
                + (round.Identical is { } same ? $", identical {(same ? "yes" : "NO")}" : "") + (round.Failure is { } failure ? $", FAILED: {failure}" : "")
                + $"; faults so far {FaultsMade} of {_options.Faults}");
            if (round.Failure is not null)
            {
                break;
            }
        }

        return rounds;
    }

    private async Task<ChaosRound> RoundAsync(ChaosStudy study, int number)
    {
        var id = $"{study.Name}-{number}";
        var directory = Folder(study.Name, $"round-{number}");
        var faultsBefore = FaultsMade;
        var finished = _finished.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        ChaosRound Failed(string why) => new(study.Name, number, FaultsMade - faultsBefore, 0, 0, 0, 0, null, why);

        var submitted = await _cluster.ClientAsync(TimeSpan.FromMinutes(2), "submit", WriteStudy(study, directory), "--study-id", id);
        // A submit retried after its answer was lost finds its own study there: that is the study, not a refusal.
        if (submitted.ExitCode != 0 && !submitted.Stderr.Contains("already", StringComparison.Ordinal))
        {
            return Failed($"submit exited {submitted.ExitCode}: {submitted.Stderr.Trim()}");
        }

        try
        {
            await finished.Task.WaitAsync(_options.Limit);
        }
        catch (TimeoutException)
        {
            return Failed($"not finished within {_options.Limit}\n{_cluster.CoordinatorTails()}");
        }

        var faults = FaultsMade - faultsBefore;
        try
        {
            var ledger = await ChaosLedger.ReadAsync(_options.Nashpo, directory, _options.Database, id, _options.Limit);
            var (lost, doubled, identical) = ledger.Compare(_references[study.Name], study.Deterministic);
            return new ChaosRound(study.Name, number, faults, ledger.Finished.Count, lost, doubled, ledger.JournalProblems, identical,
                ledger.State == "finished" ? null : $"the study ended {ledger.State}");
        }
        catch (InvalidOperationException error)
        {
            return Failed(error.Message);
        }
    }

    // One `status --db --json` of the whole journal at a time, shared by every study round.
    private async Task PollAsync(CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested)
        {
            try
            {
                var (exitCode, stdout, _) = await ChaosProcess.RunAsync(_options.Nashpo, _options.Scratch, TimeSpan.FromSeconds(60), ["status", "--db", _options.Database, "--json"]);
                if (exitCode == 0 && stdout.TrimStart().StartsWith('['))
                {
                    using var json = JsonDocument.Parse(stdout);
                    foreach (var study in json.RootElement.EnumerateArray().Where(s => s.GetProperty("state").GetString() == "finished"))
                    {
                        _finished.GetOrAdd(study.GetProperty("studyId").GetString()!, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                    }
                }
            }
            catch (TimeoutException)
            {
                // A starved machine: the next poll tries again.
            }

            try
            {
                await Task.Delay(1500, cancellation);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task InjectFaultsAsync()
    {
        var random = new DeterministicRandom(_options.Seed);
        var firstOfEach = Enum.GetValues<ClusterFault>().Select(f => (Fault: f, Order: random.Next(1000))).OrderBy(f => f.Order).Select(f => f.Fault).ToArray();
        for (var i = 0; i < _options.Faults; i++)
        {
            await Task.Delay(300 + random.Next((int)_options.MaxGap.TotalMilliseconds));
            // The first faults are every kind once, in an order drawn from the seed; then drawn by weight.
            var fault = i < firstOfEach.Length ? firstOfEach[i] : Pick(random);
            var what = await InjectAsync(fault, random);
            _faults.AddOrUpdate(fault, 1, (_, n) => n + 1);
            _options.Log?.Invoke($"fault {i + 1} of {_options.Faults}: {what}");
            await RepairAsync();
        }
    }

    private async Task<string> InjectAsync(ClusterFault fault, DeterministicRandom random)
    {
        if (fault == ClusterFault.CoordinatorKill)
        {
            var holder = _cluster.Holder;
            var successor = _cluster.Coordinators[1];
            var mark = successor.Process.LineCount;
            _cluster.Kill(holder);
            var replacement = await _cluster.StartCoordinatorAsync();
            if (!await successor.Process.WaitForLineAsync("coordinator singleton on", StartLimit, mark))
            {
                _problems.Enqueue($"{successor.Name} did not take the singleton over after {holder.Name} was killed:\n{successor.Process.Tail()}");
            }

            return $"{ClusterChaosOutcome.Name(fault)} of {holder.Name} (the singleton); {successor.Name} took over, {replacement.Name} joined";
        }

        var victim = _cluster.Trainers[random.Next(_cluster.Trainers.Count)];
        switch (fault)
        {
            case ClusterFault.TrainerKill:
                _cluster.Kill(victim);
                var replacement = await _cluster.StartTrainerAsync();
                return $"{ClusterChaosOutcome.Name(fault)} of {victim.Name}; {replacement.Name} joined";
            case ClusterFault.TrainerFreeze:
                var pause = 300 + random.Next(1700);
                victim.Process.Signal("STOP");
                await Task.Delay(pause);
                victim.Process.Signal("CONT");
                return $"{ClusterChaosOutcome.Name(fault)} of {victim.Name} for {pause} ms";
            default:
                return await FreezePastDetectorAsync(victim);
        }
    }

    // Frozen until a coordinator downs it; thawed, it must learn that and exit by itself.
    private async Task<string> FreezePastDetectorAsync(ChaosNode victim)
    {
        var marks = _cluster.Marks();
        victim.Process.Signal("STOP");
        // The leader that removes it may be any member (the lowest address), a trainer too.
        var downed = await _cluster.WaitForLineAsync($"Leader is removing unreachable node [{victim.AkkaAddress}]", marks, StartLimit, node => node != victim);
        victim.Process.Signal("CONT");
        if (!downed)
        {
            _problems.Enqueue($"{victim.Name}, frozen, was not removed from the cluster within {StartLimit}\n{_cluster.CoordinatorTails()}");
        }
        else
        {
            try
            {
                await victim.Process.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                _problems.Enqueue($"{victim.Name} was removed from the cluster but did not exit within 60 s of SIGCONT:\n{victim.Process.Tail()}");
            }
        }

        _cluster.Kill(victim);
        var replacement = await _cluster.StartTrainerAsync();
        return $"{ClusterChaosOutcome.Name(ClusterFault.TrainerFreezePastDetector)} of {victim.Name} ({(downed ? "removed, exited" : "NOT REMOVED")}); {replacement.Name} joined";
    }

    // A node that ended by itself (a trainer downed by a freeze the machine's load stretched) is replaced too.
    private async Task RepairAsync()
    {
        foreach (var trainer in _cluster.Trainers.Where(t => t.Process.HasExited).ToArray())
        {
            _options.Log?.Invoke($"{trainer.Name} ended by itself (downed); replaced");
            _cluster.Forget(trainer);
        }

        foreach (var coordinator in _cluster.Coordinators.Where(c => c.Process.HasExited).ToArray())
        {
            _problems.Enqueue($"{coordinator.Name} ended by itself:\n{coordinator.Process.Tail()}");
            _cluster.Forget(coordinator);
        }

        while (_cluster.Coordinators.Count < 2)
        {
            await _cluster.StartCoordinatorAsync();
        }

        while (_cluster.Trainers.Count < _options.Trainers)
        {
            await _cluster.StartTrainerAsync();
        }
    }

    private static ClusterFault Pick(DeterministicRandom random)
    {
        var draw = random.Next(Weights.Sum(w => w.Weight));
        foreach (var (fault, weight) in Weights)
        {
            if (draw < weight)
            {
                return fault;
            }

            draw -= weight;
        }

        return ClusterFault.TrainerKill;
    }

    /// <summary>Every node the run started is killed.</summary>
    public void Dispose() => _cluster.Dispose();

    private string Folder(string study, string name) => Directory.CreateDirectory(Path.Combine(_options.Scratch, study, name)).FullName;

    private static string WriteStudy(ChaosStudy study, string directory)
    {
        var file = Path.Combine(directory, "study.conf");
        File.WriteAllText(file, study.Hocon);
        return file;
    }
}
