using System.Threading.Channels;
using NasHpo.Configuration;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Library;

/// <summary>
/// Turns what the user's code returned (objective and metric values by name) into a trial's result: every objective
/// of the study must be there and finite or NaN-free; other names are kept as metrics.
/// </summary>
internal static class ExternalResults
{
    public static WorkloadResult From(IReadOnlyList<Objective> objectives, IReadOnlyDictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var missing = objectives.Where(o => !values.ContainsKey(o.Name)).Select(o => o.Name).ToArray();
        if (missing.Length > 0)
        {
            throw new ArgumentException($"the trial's values lack objective(s) {string.Join(", ", missing)} (got: {string.Join(", ", values.Keys)})", nameof(values));
        }

        var metrics = values.Where(v => !objectives.Any(o => o.Name == v.Key)).ToDictionary(v => v.Key, v => v.Value);
        return new WorkloadResult(objectives.Select(o => values[o.Name]).ToArray(), metrics);
    }
}

/// <summary>Trials evaluated by a delegate of the user's, called on the engine's device thread (one per device slot).</summary>
internal sealed class ObjectiveWorkload(StudyDefinition definition, Func<Trial, CancellationToken, Task<IReadOnlyDictionary<string, double>>> objective) : IWorkload
{
    public IReadOnlyList<Objective> Objectives => definition.Objectives;

    public WorkloadResult Run(TrialRequest request, WorkloadContext context)
    {
        var trial = new Trial(request, context, askedAndTold: false);
        // The device's thread is the trial's: waiting here is what the engine expects of a workload.
        var values = objective(trial, context.Cancellation).GetAwaiter().GetResult();
        return ExternalResults.From(Objectives, values);
    }
}

/// <summary>
/// Ask-and-tell: each trial a device would run is handed out through <see cref="NextAsync"/> and its device waits until
/// the trial is told or failed (or the study stops it). As many trials are out at once as the study has devices.
/// </summary>
internal sealed class AskTellWorkload(StudyDefinition definition) : IWorkload
{
    private readonly Channel<Trial> _asked = Channel.CreateUnbounded<Trial>();

    public IReadOnlyList<Objective> Objectives => definition.Objectives;

    /// <summary>The next trial to evaluate; trials the study stopped before anyone asked for them are passed over.</summary>
    public async Task<Trial> NextAsync(CancellationToken cancellation)
    {
        while (true)
        {
            var trial = await _asked.Reader.ReadAsync(cancellation).ConfigureAwait(false);
            if (!trial.Answer.IsCompleted)
            {
                return trial;
            }
        }
    }

    public WorkloadResult Run(TrialRequest request, WorkloadContext context)
    {
        var trial = new Trial(request, context, askedAndTold: true);
        using var stop = context.Cancellation.Register(() => trial.TryCancel());
        if (!_asked.Writer.TryWrite(trial))
        {
            throw new InvalidOperationException("the study is no longer handing out trials");
        }

        return trial.Answer.GetAwaiter().GetResult();
    }
}
