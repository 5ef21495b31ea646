using System.Collections.Concurrent;
using NasHpo.Core.Randomness;

namespace NasHpo.Benchmarks.Chaos;

/// <summary>When a kill is timed: the moment of the engine's life it aims at.</summary>
internal enum KillMoment
{
    /// <summary>0–600 ms after the process starts: runtime start, journal open, lease taken, study created or read.</summary>
    Startup,

    /// <summary>0–80 ms after "resuming": the study's actors replaying the journal and dispatching trials again.</summary>
    Recovery,

    /// <summary>50–1 500 ms after the study runs: trials on their devices.</summary>
    MidTrial,

    /// <summary>The instant the SQLite write-ahead log grows, after 0–500 ms of running: a journal write in progress.</summary>
    MidWrite,

    /// <summary>0–30 ms after "finished": the engine stopping, leases and logs being closed.</summary>
    Shutdown,
}

/// <summary>
/// What to run: the built nashpo.dll, a scratch folder, how many kills in all, the seed of the kill moments (a
/// failure repeats), how many studies run at once, and the limit on any one process.
/// </summary>
internal sealed record ChaosOptions(string Nashpo, string Scratch, int Kills, ulong Seed, int Parallel, IReadOnlyList<ChaosStudy> Studies, TimeSpan Limit)
{
    /// <summary>Progress lines (one per finished study round); none when null.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>One study run from creation to its end, killed <paramref name="Kills"/> times on the way.</summary>
internal sealed record ChaosRound(string Study, int Round, int Kills, int Evaluations, int Lost, int Doubled, int JournalProblems, bool? Identical, string? Failure)
{
    public bool Clean => Failure is null && Lost == 0 && Doubled == 0 && JournalProblems == 0 && Identical != false;

    /// <summary>The lines a chaos command prints about its rounds: finished, lost, run twice, verify, identical, and each unclean round.</summary>
    public static IEnumerable<string> Account(IReadOnlyList<ChaosRound> rounds)
    {
        yield return $"studies finished: {rounds.Count(r => r.Failure is null)} of {rounds.Count} ({string.Join(", ", rounds.GroupBy(r => r.Study).Select(g => $"{g.Key} {g.Count()}"))})";
        yield return $"evaluations: {rounds.Sum(r => r.Evaluations)}; lost: {rounds.Sum(r => r.Lost)} (must be 0); run twice at one budget: {rounds.Sum(r => r.Doubled)} (must be 0); journal problems (nashpo verify): {rounds.Sum(r => r.JournalProblems)} (must be 0)";
        yield return $"deterministic studies identical to an uninterrupted run (trials.csv and pareto.csv): {rounds.Count(r => r.Identical == true)} of {rounds.Count(r => r.Identical is not null)}";
        foreach (var round in rounds.Where(r => !r.Clean))
        {
            yield return $"NOT CLEAN: {round}";
        }
    }
}

/// <summary>A chaos run's account: kills by moment, every round, and the totals the command prints.</summary>
/// <param name="LeaseLosses">runs that stopped themselves, having lost their lease to starvation (resumed like kills)</param>
internal sealed record ChaosOutcome(IReadOnlyDictionary<KillMoment, int> KillsByMoment, IReadOnlyList<ChaosRound> Rounds, int LeaseLosses, TimeSpan Elapsed)
{
    public int Kills => KillsByMoment.Values.Sum();

    public int Finished => Rounds.Count(r => r.Failure is null);

    public int Lost => Rounds.Sum(r => r.Lost);

    public int Doubled => Rounds.Sum(r => r.Doubled);

    public int JournalProblems => Rounds.Sum(r => r.JournalProblems);

    public int Deterministic => Rounds.Count(r => r.Identical is not null);

    public int Identical => Rounds.Count(r => r.Identical == true);

    public bool Clean => Rounds.All(r => r.Clean);

    public IEnumerable<string> Describe()
    {
        yield return $"kills: {Kills} ({string.Join(", ", KillsByMoment.Select(k => $"{Name(k.Key)} {k.Value}"))}); runs that lost their lease and stopped: {LeaseLosses}";
        foreach (var line in ChaosRound.Account(Rounds))
        {
            yield return line;
        }

        yield return $"elapsed: {Elapsed.TotalMinutes:F1} min";
    }

    public static string Name(KillMoment moment) => moment switch
    {
        KillMoment.MidTrial => "mid-trial",
        KillMoment.MidWrite => "mid-write",
        _ => moment.ToString().ToLowerInvariant(),
    };
}

/// <summary>
/// Runs several studies at once, each in a folder and SQLite journal of its own, with the real `nashpo` killed with
/// SIGKILL at random moments (<see cref="KillMoment"/>) and resumed, until the kills asked for are made; studies
/// that finish start again in a new folder while kills remain, and every study runs at least once. Each finished
/// study is read back (report, verify, status) and compared with an uninterrupted run of the same definition.
/// </summary>
internal sealed class ChaosRun
{
    private static readonly (KillMoment Moment, int Weight)[] Weights =
        [(KillMoment.Startup, 15), (KillMoment.Recovery, 15), (KillMoment.MidTrial, 35), (KillMoment.MidWrite, 30), (KillMoment.Shutdown, 5)];

    private readonly ChaosOptions _options;
    private readonly ConcurrentDictionary<KillMoment, int> _kills = new();
    private readonly ConcurrentBag<ChaosRound> _rounds = [];
    private readonly Dictionary<string, ChaosLedger> _references = [];
    // A bound on the runs of one study, so that a study that cannot finish ends the run instead of looping.
    private const int MaxAttempts = 500;

    private int _ticketsLeft;

    // A study round takes at most its share of the kills, so that every study is killed, not only the first ones.
    private int KillsPerRound => Math.Max(1, (_options.Kills + _options.Studies.Count - 1) / _options.Studies.Count);
    private int _leaseLosses;
    private int _nextRound;

    private ChaosRun(ChaosOptions options)
    {
        _options = options;
        _ticketsLeft = options.Kills;
        foreach (var moment in Enum.GetValues<KillMoment>())
        {
            _kills[moment] = 0;
        }
    }

    public static async Task<ChaosOutcome> RunAsync(ChaosOptions options)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = new ChaosRun(options);
        await run.RunReferencesAsync();
        var workers = Enumerable.Range(0, options.Parallel).Select(worker => Task.Run(() => run.WorkAsync(worker)));
        await Task.WhenAll(workers);
        var rounds = run._rounds.OrderBy(r => r.Study, StringComparer.Ordinal).ThenBy(r => r.Round).ToArray();
        return new ChaosOutcome(Enum.GetValues<KillMoment>().ToDictionary(m => m, m => run._kills[m]), rounds, run._leaseLosses, clock.Elapsed);
    }

    // The uninterrupted runs, at most Parallel at once.
    private async Task RunReferencesAsync()
    {
        using var slots = new SemaphoreSlim(_options.Parallel);
        var ledgers = await Task.WhenAll(_options.Studies.Select(async study =>
        {
            await slots.WaitAsync();
            try
            {
                var directory = StudyFolder(study, "reference");
                var (_, failure) = await RunToEndAsync(study, directory, random: null);
                return failure is null
                    ? await ChaosLedger.ReadAsync(_options.Nashpo, directory, "journal.db", study.Name, _options.Limit)
                    : throw new InvalidOperationException($"the uninterrupted run of {study.Name} failed: {failure}");
            }
            finally
            {
                slots.Release();
            }
        }));
        for (var i = 0; i < ledgers.Length; i++)
        {
            _references[_options.Studies[i].Name] = ledgers[i];
        }
    }

    private async Task WorkAsync(int worker)
    {
        var random = new DeterministicRandom(_options.Seed + (ulong)worker * 7919);
        var studies = _options.Studies;
        while (true)
        {
            var index = Interlocked.Increment(ref _nextRound) - 1;
            if (index >= studies.Count && Volatile.Read(ref _ticketsLeft) <= 0)
            {
                return;
            }

            var study = studies[index % studies.Count];
            var round = await RunRoundAsync(study, index / studies.Count, random);
            _rounds.Add(round);
            _options.Log?.Invoke($"{round.Study} round {round.Round}: {round.Kills} kills, {round.Evaluations} evaluations, lost {round.Lost}, doubled {round.Doubled}, journal problems {round.JournalProblems}"
                + (round.Identical is { } same ? $", identical {(same ? "yes" : "NO")}" : "") + (round.Failure is { } failure ? $", FAILED: {failure}" : "")
                + $"; kills so far {_kills.Values.Sum()} of {_options.Kills}");
        }
    }

    private async Task<ChaosRound> RunRoundAsync(ChaosStudy study, int roundNumber, DeterministicRandom random)
    {
        var directory = StudyFolder(study, $"round-{roundNumber}");
        var kills = 0;
        try
        {
            (kills, var failure) = await RunToEndAsync(study, directory, random);
            if (failure is not null)
            {
                return Failed(failure);
            }

            var ledger = await ChaosLedger.ReadAsync(_options.Nashpo, directory, "journal.db", study.Name, _options.Limit);
            if (ledger.State != "finished")
            {
                return Failed($"the study ended {ledger.State}");
            }

            var (lost, doubled, identical) = ledger.Compare(_references[study.Name], study.Deterministic);
            var result = new ChaosRound(study.Name, roundNumber, kills, ledger.Finished.Count, lost, doubled, ledger.JournalProblems, identical, null);
            if (result.Clean)
            {
                Directory.Delete(directory, recursive: true);
            }

            return result;
        }
        catch (Exception error) when (error is TimeoutException or InvalidOperationException or System.Text.Json.JsonException)
        {
            return Failed(error.Message);
        }

        ChaosRound Failed(string why) => new(study.Name, roundNumber, kills, 0, 0, 0, 0, null, why + $" (kept in {directory})");
    }

    /// <summary>
    /// Runs the study in <paramref name="directory"/> to its end, resuming it after every interruption as a user
    /// would; with <paramref name="random"/>, kills it at random moments while the run's kills last. A run that
    /// stops itself because it lost its lease (the machine starved it for most of a time-to-live) is resumed too, and
    /// counted. Returns the kills made and, when the study could not be finished, why.
    /// </summary>
    private async Task<(int Kills, string? Failure)> RunToEndAsync(ChaosStudy study, string directory, DeterministicRandom? random)
    {
        var kills = 0;
        var exists = false;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            string[] args = exists
                ? ["resume", study.Name, "--db", "journal.db"]
                : ["run", StudyFile(study), "--study-id", study.Name, "--db", "journal.db"];
            using var process = ChaosProcess.Start(_options.Nashpo, directory, args);
            var killed = random is not null && kills < KillsPerRound && TakeTicket() && await KillAtAsync(process, PickMoment(random, exists), directory, random);
            if (killed)
            {
                kills++;
            }
            else
            {
                var end = await process.WaitAsync(_options.Limit);
                if (end.ExitCode == 0)
                {
                    return (kills, null);
                }

                if (exists && end.Stderr.Contains($"no study \"{study.Name}\"", StringComparison.Ordinal))
                {
                    // "started in" is printed before the study's first event is written: a kill between the two
                    // leaves no study, and a user runs it again.
                    exists = false;
                    continue;
                }

                if (!end.Stderr.Contains("stopped study", StringComparison.Ordinal))
                {
                    return (kills, $"nashpo {args[0]} exited {end.ExitCode}: {end.Stderr.Trim()}");
                }

                Interlocked.Increment(ref _leaseLosses);
            }

            exists = exists || process.StudyRan || await StudyExistsAsync(directory, study.Name);
        }

        return (kills, $"not finished after {MaxAttempts} runs");
    }

    // A kill ticket from the run's budget; one whose kill never happened (the study ended first) is given back.
    private bool TakeTicket()
    {
        if (Interlocked.Decrement(ref _ticketsLeft) >= 0)
        {
            return true;
        }

        Interlocked.Increment(ref _ticketsLeft);
        return false;
    }

    private static KillMoment PickMoment(DeterministicRandom random, bool resuming)
    {
        var choices = Weights.Where(w => resuming || w.Moment != KillMoment.Recovery).ToArray();
        var draw = random.Next(choices.Sum(c => c.Weight));
        foreach (var (moment, weight) in choices)
        {
            if (draw < weight)
            {
                return moment;
            }

            draw -= weight;
        }

        return KillMoment.MidTrial;
    }

    /// <summary>Waits for the moment and kills; false (ticket given back) when the process ended before it came.</summary>
    private async Task<bool> KillAtAsync(ChaosProcess process, KillMoment moment, string directory, DeterministicRandom random)
    {
        var limit = _options.Limit;
        switch (moment)
        {
            case KillMoment.Startup:
                await Task.Delay(random.Next(600));
                break;
            case KillMoment.Recovery:
                await process.Started.WaitAsync(limit);
                await Task.Delay(random.Next(80));
                break;
            case KillMoment.MidTrial:
                await process.Started.WaitAsync(limit);
                await Task.Delay(50 + random.Next(1450));
                break;
            case KillMoment.MidWrite:
                await process.Started.WaitAsync(limit);
                await Task.Delay(random.Next(500));
                await WalGrowsAsync(Path.Combine(directory, "journal.db-wal"), process);
                break;
            case KillMoment.Shutdown:
                await process.Finishing.WaitAsync(limit);
                await Task.Delay(random.Next(30));
                break;
        }

        if (process.HasExited)
        {
            Interlocked.Increment(ref _ticketsLeft);
            return false;
        }

        process.Kill();
        _kills.AddOrUpdate(moment, 1, (_, n) => n + 1);
        return true;
    }

    // Polls the write-ahead log until its size or time changes: SQLite is writing a transaction right then.
    private static async Task WalGrowsAsync(string wal, ChaosProcess process)
    {
        static (long, DateTime) Stamp(string path)
        {
            var file = new FileInfo(path);
            return file.Exists ? (file.Length, file.LastWriteTimeUtc) : (-1, DateTime.MinValue);
        }

        var before = Stamp(wal);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!process.HasExited && DateTime.UtcNow < deadline && Stamp(wal) == before)
        {
            await Task.Delay(1);
        }
    }

    private async Task<bool> StudyExistsAsync(string directory, string studyId) =>
        File.Exists(Path.Combine(directory, "journal.db"))
        && (await ChaosProcess.RunAsync(_options.Nashpo, directory, _options.Limit, ["status", studyId, "--db", "journal.db", "--json"])).ExitCode == 0;

    private string StudyFolder(ChaosStudy study, string name) => Directory.CreateDirectory(Path.Combine(_options.Scratch, study.Name, name)).FullName;

    private string StudyFile(ChaosStudy study)
    {
        var file = Path.Combine(_options.Scratch, study.Name, "study.conf");
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, study.Hocon);
        }

        return file;
    }
}
