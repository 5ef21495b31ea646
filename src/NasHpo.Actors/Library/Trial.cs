using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;
using SearchConfiguration = NasHpo.Core.SearchSpaces.Configuration;

namespace NasHpo;

/// <summary>
/// One trial a study hands to code of the user's: a configuration to evaluate at a budget (epochs, say), and where its
/// training state lives. A promoted trial names its parent's checkpoint directory, so training can continue from
/// there instead of from scratch; a trial interrupted by a crash comes again with its own directory as it left it.
/// </summary>
public sealed class Trial
{
    private readonly TaskCompletionSource<WorkloadResult>? _answer;
    private readonly Action<WorkloadProgress> _progress;

    internal Trial(TrialRequest request, WorkloadContext context, bool askedAndTold)
    {
        Request = request;
        _progress = context.ReportProgress;
        CheckpointDirectory = context.Checkpoints?.DirectoryFor(request.Id);
        ParentCheckpointDirectory = request.Parent is { } parent && context.ContinueFromParent ? context.Checkpoints?.ExistingDirectoryFor(parent) : null;
        Device = context.Device;
        _answer = askedAndTold ? new TaskCompletionSource<WorkloadResult>(TaskCreationOptions.RunContinuationsAsynchronously) : null;
    }

    /// <summary>The trial's id in the study's ledger ("trial-4-b9": configuration 4 at budget 9).</summary>
    public string Id => Request.Id.ToString();

    public SearchConfiguration Configuration => Request.Configuration;

    /// <summary>The budget to evaluate at (epochs, or the study's own unit).</summary>
    public double Budget => Request.Id.Budget;

    /// <summary>The budget of the trial this one continues (the same configuration one rung lower), or null.</summary>
    public double? ParentBudget => Request.Parent?.Budget;

    /// <summary>A directory of this trial's own for its training state, or null when the study keeps none.</summary>
    public string? CheckpointDirectory { get; }

    /// <summary>The parent's checkpoint directory when this trial continues its parent's training, else null.</summary>
    public string? ParentCheckpointDirectory { get; }

    /// <summary>The device slot the engine runs the trial on ("cpu-0", "cuda-0"): the trial's share of the machine.</summary>
    public string Device { get; }

    internal TrialRequest Request { get; }

    internal Task<WorkloadResult> Answer => _answer?.Task ?? throw new InvalidOperationException("not an asked trial");

    /// <summary>Says how far the trial is (shown by <c>nashpo status</c> and progress lines).</summary>
    public void ReportProgress(double done, double total, string? note = null) => _progress(new WorkloadProgress(done, total, note));

    internal bool TryAnswer(WorkloadResult result) => _answer?.TrySetResult(result) ?? false;

    internal bool TryFail(Exception error) => _answer?.TrySetException(error) ?? false;

    internal bool TryCancel() => _answer?.TrySetCanceled() ?? false;

    public override string ToString() => $"{Id} {Configuration}";
}
