using System.Globalization;
using NasHpo.Configuration;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Randomness;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Workloads;
using NasHpo.Core.Workloads.Command;

namespace NasHpo.Actors.Workloads.Command;

/// <summary>A trial's program failed: the reason names the exit code, time-out or missing objective, and stderr's last lines.</summary>
internal sealed class CommandFailedException : Exception
{
    public CommandFailedException(string message)
        : base(message)
    {
    }

    public CommandFailedException()
    {
    }

    public CommandFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>
/// Trials that run a program of the user's (<c>study.problem.type = command</c>): the command line with its
/// placeholders filled in, a request file and <c>NASHPO_*</c> variables, a checkpoint directory of the trial's own
/// (and its parent's when it continues one), the device as <c>CUDA_VISIBLE_DEVICES</c> or a thread count. The
/// program's <c>NASHPO_REPORT</c> lines are its learning curve and live progress; the last one gives the objectives.
/// </summary>
internal sealed class CommandWorkload : IWorkload, ICheapObjectives, IDisposable
{
    private readonly CommandDefinition _command;
    private readonly SearchSpace _space;
    private readonly long _studySeed;
    private readonly double _maxBudget;
    private readonly int _threadsPerCpuSlot;
    private readonly string _workingDirectory;
    private readonly string _studyName;
    private readonly Lazy<DirectoryCheckpointStore> _scratch;
    private readonly Dictionary<string, IReadOnlyDictionary<string, double>> _cheapCache = new(StringComparer.Ordinal);

    /// <param name="workingDirectory">where the program runs: the study's directory, or a cluster trainer's own</param>
    public CommandWorkload(StudyDefinition definition, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _command = definition.Problem.Command ?? throw new ArgumentException("not a command study", nameof(definition));
        _space = definition.Space;
        _studySeed = definition.Seed;
        _maxBudget = definition.Optimizer.MaxBudget;
        _studyName = definition.Name;
        Objectives = definition.Objectives;
        _workingDirectory = workingDirectory ?? _command.WorkingDirectory;
        var cpuSlots = Math.Max(1, definition.DeviceNames.Count(n => n.StartsWith("cpu", StringComparison.Ordinal)));
        _threadsPerCpuSlot = Math.Max(1, Environment.ProcessorCount / cpuSlots);

        // Trials run without a checkpoint store (a test, a benchmark) still need a directory each.
        _scratch = new Lazy<DirectoryCheckpointStore>(() => new DirectoryCheckpointStore(Path.Combine(Path.GetTempPath(), $"nashpo-command-{Environment.ProcessId}-{Guid.NewGuid():N}")));
    }

    public IReadOnlyList<Objective> Objectives { get; }

    /// <summary>Removes the scratch directory of cheap commands and store-less trials, if one was made.</summary>
    public void Dispose()
    {
        if (!_scratch.IsValueCreated)
        {
            return;
        }

        try
        {
            Directory.Delete(_scratch.Value.Directory, recursive: true);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Only temporary files: the system's clean-up of its temporary directory takes them.
        }
    }

    public WorkloadResult Run(TrialRequest request, WorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var store = context.Checkpoints ?? _scratch.Value;
        var folder = Path.GetDirectoryName(store.PathFor(request.Id))!;
        var trial = request.Id.ToString();
        var parentDirectory = context.ContinueFromParent && request.Parent is { } parent ? store.ExistingDirectoryFor(parent) : null;
        var places = new TrialPlaces(
            context.Checkpoints is DirectoryCheckpointStore ? Path.GetFileName(folder) : _studyName,
            DeviceName(context.Device),
            SeedOf(request.Configuration),
            store.DirectoryFor(request.Id),
            parentDirectory,
            Path.Combine(folder, $"{trial}.log"));
        var requestFile = Path.Combine(folder, $"{trial}.request.json");
        CommandRequestFile.Write(requestFile, request, _space, Objectives, places);

        var arguments = CommandTemplate.Expand(_command.Command, _space, request.Configuration, CommandRequestFile.ValuesOf(request, places, requestFile));
        var environment = EnvironmentOf(places, requestFile, request.Id.Budget, trial);
        var budget = request.Id.Budget;
        double? lastEpoch = null;
        void Progress(IReadOnlyDictionary<string, double> values, int position)
        {
            // The final report often gives no epoch: progress then stays at the last one given.
            var step = values.ContainsKey("epoch") || values.ContainsKey("step") || lastEpoch is null ? CommandReport.StepOf(values, position) : lastEpoch.Value;
            lastEpoch = step;
            context.ReportProgress(new WorkloadProgress(step, budget, Note(values)));
        }

        var outcome = TrialProcess.Run(
            new TrialProcessStart(arguments, _workingDirectory, environment, places.LogFile, _command.TrialTimeout, _command.GracePeriod),
            Progress,
            context.Cancellation);
        if (outcome.Stopped && !outcome.TimedOut)
        {
            context.Cancellation.ThrowIfCancellationRequested();
        }

        return ResultOf(outcome, request.Configuration, places.LogFile);
    }

    /// <summary>The cheap objectives of a configuration from the cheap command's one report (remembered per configuration).</summary>
    public IReadOnlyDictionary<string, double> EvaluateCheap(NasHpo.Core.SearchSpaces.Configuration configuration, IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(names);
        if (_command.CheapCommand is not { } cheapCommand)
        {
            return new Dictionary<string, double>();
        }

        var key = configuration.ToCanonicalString();
        lock (_cheapCache)
        {
            if (_cheapCache.TryGetValue(key, out var known))
            {
                return known;
            }
        }

        var store = _scratch.Value;
        var id = new TrialId(-1, _maxBudget);
        var name = $"cheap-{configuration.Fingerprint:x16}";
        var places = new TrialPlaces(_studyName, "cpu:0", SeedOf(configuration), store.DirectoryFor(id), null, Path.Combine(store.Directory, "cheap-command.log"));
        var requestFile = Path.Combine(store.Directory, $"{name}.request.json");
        var request = new TrialRequest(id, configuration, 0, 0, null);
        CommandRequestFile.Write(requestFile, request, _space, Objectives, places);
        var values = CommandRequestFile.ValuesOf(request, places, requestFile) with { Trial = name };
        var outcome = TrialProcess.Run(
            new TrialProcessStart(CommandTemplate.Expand(cheapCommand, _space, configuration, values), _workingDirectory, EnvironmentOf(places, requestFile, _maxBudget, name), places.LogFile, _command.TrialTimeout ?? TimeSpan.FromMinutes(1), _command.GracePeriod),
            (_, _) => { },
            CancellationToken.None);
        if (outcome.ExitCode != 0 || outcome.Reports.Count == 0)
        {
            throw new CommandFailedException($"the cheap command {Failure(outcome, places.LogFile) ?? "printed no NASHPO_REPORT line"}");
        }

        var result = outcome.Reports[^1];
        lock (_cheapCache)
        {
            _cheapCache[key] = result;
        }

        return result;
    }

    private WorkloadResult ResultOf(TrialProcessOutcome outcome, NasHpo.Core.SearchSpaces.Configuration configuration, string logFile)
    {
        if (Failure(outcome, logFile) is { } failure)
        {
            throw new CommandFailedException(failure);
        }

        if (outcome.Reports.Count == 0)
        {
            throw new CommandFailedException($"the program exited with 0 but printed no NASHPO_REPORT line (log: {logFile})");
        }

        var last = outcome.Reports[^1];
        IReadOnlyDictionary<string, double>? cheap = null;
        var objectives = new double[Objectives.Count];
        for (var i = 0; i < Objectives.Count; i++)
        {
            var objective = Objectives[i];
            if (last.TryGetValue(objective.Name, out var value))
            {
                objectives[i] = value;
            }
            else if (objective.Cost == ObjectiveCost.Cheap && _command.CheapCommand is not null)
            {
                cheap ??= EvaluateCheap(configuration, Objectives.Where(o => o.Cost == ObjectiveCost.Cheap).Select(o => o.Name).ToArray());
                objectives[i] = cheap.TryGetValue(objective.Name, out var cheapValue)
                    ? cheapValue
                    : throw new CommandFailedException($"objective \"{objective.Name}\" is in neither the last report nor the cheap command's");
            }
            else
            {
                throw new CommandFailedException($"objective \"{objective.Name}\" is missing from the last NASHPO_REPORT line (it has: {string.Join(", ", last.Keys)})");
            }

            if (!double.IsFinite(objectives[i]))
            {
                throw new CommandFailedException($"objective \"{objective.Name}\" is {objectives[i].ToString(CultureInfo.InvariantCulture)}");
            }
        }

        var metrics = last.Where(p => !Objectives.Any(o => o.Name == p.Key) && double.IsFinite(p.Value)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var curve = outcome.Reports.Select((values, i) => new CurvePoint(CommandReport.StepOf(values, i + 1), values)).ToArray();
        return new WorkloadResult(objectives, metrics) { Curve = curve };
    }

    /// <summary>Why the run failed, or null when it exited 0 within its time with readable reports.</summary>
    private string? Failure(TrialProcessOutcome outcome, string logFile)
    {
        var stderr = outcome.StderrTail.Count == 0 ? string.Empty : $"; stderr: {string.Join(" | ", outcome.StderrTail.TakeLast(5))}";
        if (outcome.TimedOut)
        {
            return $"the program ran past the trial time-out of {_command.TrialTimeout} and was stopped (exit code {outcome.ExitCode}){stderr}";
        }

        if (outcome.ExitCode != 0)
        {
            var signal = outcome.ExitCode > 128 ? $" (signal {outcome.ExitCode - 128})" : string.Empty;
            return $"the program exited with code {outcome.ExitCode}{signal}{stderr} (log: {logFile})";
        }

        return outcome.MalformedReport;
    }

    private Dictionary<string, string> EnvironmentOf(TrialPlaces places, string requestFile, double budget, string trial)
    {
        var environment = new Dictionary<string, string>(_command.Environment, StringComparer.Ordinal)
        {
            ["NASHPO_REQUEST"] = requestFile,
            ["NASHPO_TRIAL"] = trial,
            ["NASHPO_BUDGET"] = CommandTemplate.FormatNumber(budget),
            ["NASHPO_SEED"] = places.Seed.ToString(CultureInfo.InvariantCulture),
            ["NASHPO_DEVICE"] = places.Device,
            ["NASHPO_CHECKPOINT_DIR"] = places.CheckpointDirectory,
        };
        if (places.ParentCheckpointDirectory is { } parent)
        {
            environment["NASHPO_PARENT_CHECKPOINT_DIR"] = parent;
        }

        if (places.Device.StartsWith("cuda:", StringComparison.Ordinal))
        {
            // The program sees its one GPU as cuda:0.
            environment["CUDA_VISIBLE_DEVICES"] = places.Device["cuda:".Length..];
        }
        else
        {
            var threads = _threadsPerCpuSlot.ToString(CultureInfo.InvariantCulture);
            environment["CUDA_VISIBLE_DEVICES"] = string.Empty;
            environment["OMP_NUM_THREADS"] = threads;
            environment["MKL_NUM_THREADS"] = threads;
        }

        return environment;
    }

    /// <summary>A seed per configuration (the same at every budget), below 2^31 so that any library takes it.</summary>
    private long SeedOf(NasHpo.Core.SearchSpaces.Configuration configuration) =>
        (long)(StableHash.Combine((ulong)_studySeed, configuration.Fingerprint) & 0x7FFF_FFFF);

    /// <summary>
    /// "cpu-0" or "cuda-1@host:port" (a device's actor name) as the program reads it: "cpu:0", "cuda:1". A second
    /// slot on one GPU ("cuda-1.2") is the same GPU to the program.
    /// </summary>
    internal static string DeviceName(string device)
    {
        var local = device.Split('@')[0].Split('.')[0];
        var dash = local.LastIndexOf('-');
        return dash > 0 ? $"{local[..dash]}:{local[(dash + 1)..]}" : local;
    }

    private string? Note(IReadOnlyDictionary<string, double> values)
    {
        var shown = Objectives.Where(o => values.ContainsKey(o.Name)).Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Name} {values[o.Name]:G4}")).ToArray();
        return shown.Length == 0 ? null : string.Join(", ", shown);
    }
}
