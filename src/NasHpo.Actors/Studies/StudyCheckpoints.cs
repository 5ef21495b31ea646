using NasHpo.Actors.Workloads;
using NasHpo.Configuration;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Pareto;

namespace NasHpo.Actors.Studies;

/// <summary>
/// A study's checkpoint files and when they serve nothing more. Every clean-up here is a side effect of a fact the
/// study has already written (a trial finished, a bracket closed, the study finished), so it is called only after
/// that fact is in the journal; each is idempotent, so calling one again after a crash is harmless.
/// </summary>
internal sealed class StudyCheckpoints(DirectoryCheckpointStore store, double maxBudget)
{
    public DirectoryCheckpointStore Store { get; } = store;

    /// <summary>
    /// The checkpoints of a study, or null when it keeps none: only trained networks have state worth keeping between
    /// budgets; synthetic problems have none unless asked (<c>problem.checkpoints</c>, which proves a promotion found
    /// its parent's state on another node), and a process without a checkpoint directory keeps none at all.
    /// </summary>
    public static StudyCheckpoints? For(StudyDefinition definition, string? checkpointDirectory, string studyId)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return (definition.Problem.IsSynthetic && !definition.Problem.Checkpoints) || checkpointDirectory is null
            ? null
            : new StudyCheckpoints(new DirectoryCheckpointStore(DirectoryCheckpointStore.ForStudy(checkpointDirectory, studyId)), definition.Optimizer.MaxBudget);
    }

    /// <summary>
    /// Makes the study's checkpoint folder, as <see cref="For"/> does, and says in one line why it cannot be used (a
    /// file where a folder should be, no permission), or null when it can (or the study keeps no checkpoints).
    /// </summary>
    public static string? Unusable(StudyDefinition definition, string? checkpointDirectory, string studyId)
    {
        try
        {
            For(definition, checkpointDirectory, studyId);
            return null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            var file = new[] { checkpointDirectory!, DirectoryCheckpointStore.ForStudy(checkpointDirectory!, studyId) }.FirstOrDefault(File.Exists);
            return file is not null
                ? $"cannot keep checkpoints in {DirectoryCheckpointStore.ForStudy(checkpointDirectory!, studyId)}: {file} is a file, not a directory"
                : $"cannot keep checkpoints in {DirectoryCheckpointStore.ForStudy(checkpointDirectory!, studyId)}: {error.Message}";
        }
    }

    /// <summary>
    /// A configuration is promoted from a budget at most once, so once the promoted trial has finished, the checkpoint
    /// it continued from serves nothing more. Closing brackets clean up after themselves, but asynchronous ladders
    /// never close: without this they kept every promoted trial's lower-budget checkpoint until the study ended.
    /// </summary>
    public void AfterTrialFinished(TrialRequest request)
    {
        if (request.Parent is { } parent && parent.Budget < maxBudget)
        {
            Store.Delete(parent);
        }
    }

    /// <summary>A closed bracket promotes nothing more: its lower-budget states will never be continued.</summary>
    public void AfterBracketClosed(IEnumerable<TrialId> trialsOfBracket)
    {
        foreach (var id in trialsOfBracket.Where(id => id.Budget < maxBudget))
        {
            Store.Delete(id);
        }
    }

    /// <summary>At the end only the networks of the final front (at the highest budget reached) are worth their disk space.</summary>
    public void AfterStudyFinished(IEnumerable<TrialId> trials, IReadOnlyList<(TrialId Trial, IReadOnlyList<double> Objectives)> completed)
    {
        var highest = completed.Count == 0 ? 0 : completed.Max(c => c.Trial.Budget);
        var top = completed.Where(c => c.Trial.Budget == highest).ToList();
        var keep = NonDominatedSorting.FirstFront(top.Select(c => c.Objectives.ToArray()).ToArray()).Select(i => top[i].Trial).ToHashSet();
        foreach (var id in trials.Where(id => !keep.Contains(id)))
        {
            Store.Delete(id);
        }
    }
}
