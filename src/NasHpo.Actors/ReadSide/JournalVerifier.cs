using System.Globalization;
using Akka.Actor;
using NasHpo.Actors.Archive;
using NasHpo.Actors.Sampling;
using NasHpo.Actors.Studies;
using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.ReadSide;

/// <summary>One thing wrong in a study's journal, said in one line (<see cref="Description"/> names the persistence id).</summary>
/// <param name="Kind">gap, unreadable, unknown-version, scheduled-twice or completed-twice: stable, for scripts</param>
/// <param name="SequenceNumbers">the events concerned (for a gap, the missing ones)</param>
internal sealed record JournalProblem(string Kind, string PersistenceId, IReadOnlyList<long> SequenceNumbers, string Description);

/// <summary>What <c>nashpo verify</c> found in one study: every persistence id's events as read, and the problems.</summary>
internal sealed record StudyVerification(string StudyId, IReadOnlyList<PersistenceIdEvents> PersistenceIds, IReadOnlyList<JournalProblem> Problems)
{
    public bool Clean => Problems.Count == 0;

    /// <summary>False when none of the study's persistence ids has a single event, readable or not.</summary>
    public bool Exists => PersistenceIds.Any(p => p.Readable.Count + p.Unreadable.Count > 0);

    public int ReadableEvents => PersistenceIds.Sum(p => p.Readable.Count);

    public int UnreadableEvents => PersistenceIds.Sum(p => p.Unreadable.Count);
}

/// <summary>
/// Checks a study's journal: every event of its ledger, sampler and archive read (past any that cannot be), the
/// sequence numbers of each without gaps, and each trial scheduled and completed at most once in the ledger.
/// </summary>
internal static class JournalVerifier
{
    // A gap's missing numbers are listed up to this many, then counted: a vast hole must not take as long to verify.
    private const int MaxListed = 1000;

    /// <summary>The persistence ids a study writes: its ledger, its sampler's facts and its Pareto archive.</summary>
    public static IReadOnlyList<string> PersistenceIdsOf(string studyId) =>
        [StudyActor.PersistenceIdFor(studyId), SamplerActor.PersistenceIdFor(studyId), ParetoArchiveActor.PersistenceIdFor(studyId)];

    public static async Task<StudyVerification> VerifyStudyAsync(ActorSystem system, string studyId, CancellationToken cancellation = default)
    {
        var readings = new List<PersistenceIdEvents>();
        foreach (var persistenceId in PersistenceIdsOf(studyId))
        {
            readings.Add(await JournalReader.ReadEventsPastFailuresAsync(system, persistenceId, cancellation).ConfigureAwait(false));
        }

        return Check(studyId, readings);
    }

    /// <summary>The checks themselves, on events already read: no actor system needed.</summary>
    public static StudyVerification Check(string studyId, IReadOnlyList<PersistenceIdEvents> readings)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var problems = new List<JournalProblem>();
        foreach (var reading in readings)
        {
            problems.AddRange(Gaps(reading));
            problems.AddRange(Unreadable(reading));
        }

        if (readings.FirstOrDefault(r => r.PersistenceId == StudyActor.PersistenceIdFor(studyId)) is { } ledger)
        {
            problems.AddRange(Twice(ledger, "scheduled", e => e is TrialScheduled s ? s.Request.Id : null));
            problems.AddRange(Twice(ledger, "completed", e => e is TrialCompleted c ? c.Trial : null));
        }

        return new StudyVerification(studyId, readings, problems);
    }

    /// <summary>
    /// Sequence numbers missing between 1 and the highest one present. Events are never deleted (snapshots only
    /// shorten recovery), so every number from 1 up must be there; a missing last event cannot be seen this way.
    /// </summary>
    private static IEnumerable<JournalProblem> Gaps(PersistenceIdEvents reading)
    {
        var present = reading.Readable.Select(e => e.SequenceNr).Concat(reading.Unreadable.Select(e => e.SequenceNr)).ToHashSet();
        if (present.Count == 0)
        {
            yield break;
        }

        var highest = present.Max();
        var missing = new List<long>();
        for (var sequenceNr = 1L; sequenceNr < highest && missing.Count < MaxListed; sequenceNr++)
        {
            if (!present.Contains(sequenceNr))
            {
                missing.Add(sequenceNr);
            }
        }

        var count = highest - present.Count;
        if (count > 0)
        {
            var what = count == 1 ? $"sequence number {Ranges(missing)} is missing" : $"{count} sequence numbers are missing: {Ranges(missing)}{(count > missing.Count ? ", ..." : string.Empty)}";
            yield return new JournalProblem("gap", reading.PersistenceId, missing, string.Create(CultureInfo.InvariantCulture, $"{reading.PersistenceId}: {what} (events 1 to {highest})"));
        }
    }

    private static IEnumerable<JournalProblem> Unreadable(PersistenceIdEvents reading)
    {
        // Events of a newer version come in numbers (every event of that kind after an upgrade): one line per manifest.
        foreach (var newer in reading.Unreadable.Where(e => e.UnknownManifest is not null).GroupBy(e => e.UnknownManifest!, StringComparer.Ordinal))
        {
            var numbers = newer.Select(e => e.SequenceNr).ToArray();
            var events = numbers.Length == 1 ? $"event {Ranges(numbers)} is" : $"{numbers.Length} events ({Ranges(numbers)}) are";
            yield return new JournalProblem("unknown-version", reading.PersistenceId, numbers,
                $"{reading.PersistenceId}: {events} of an unknown version (manifest \"{newer.Key}\"): written by a newer or foreign version of NasHpo");
        }

        foreach (var damaged in reading.Unreadable.Where(e => e.UnknownManifest is null))
        {
            yield return new JournalProblem("unreadable", reading.PersistenceId, [damaged.SequenceNr], damaged.Describe(reading.PersistenceId));
        }
    }

    /// <summary>Trials the ledger records more than once as <paramref name="what"/>: the engine writes each once.</summary>
    private static IEnumerable<JournalProblem> Twice(PersistenceIdEvents ledger, string what, Func<object, TrialId?> trialOf) =>
        ledger.Readable
            .Select(e => (Trial: trialOf(e.Event), e.SequenceNr))
            .Where(e => e.Trial is not null)
            .GroupBy(e => e.Trial!.Value)
            .Where(g => g.Count() > 1)
            .Select(g =>
            {
                var numbers = g.Select(e => e.SequenceNr).ToArray();
                return new JournalProblem($"{what}-twice", ledger.PersistenceId, numbers,
                    string.Create(CultureInfo.InvariantCulture, $"{ledger.PersistenceId}: {g.Key} {what} {numbers.Length} times (events {Ranges(numbers)})"));
            });

    /// <summary>"3, 7-9, 12": sorted sequence numbers with runs joined.</summary>
    internal static string Ranges(IEnumerable<long> numbers)
    {
        var parts = new List<string>();
        long? start = null, end = null;
        foreach (var number in numbers.Order())
        {
            if (end is { } last && number == last + 1)
            {
                end = number;
                continue;
            }

            if (start is not null)
            {
                parts.Add(Range(start.Value, end!.Value));
            }

            (start, end) = (number, number);
        }

        if (start is not null)
        {
            parts.Add(Range(start.Value, end!.Value));
        }

        return string.Join(", ", parts);
    }

    private static string Range(long start, long end) =>
        start == end ? start.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{start}-{end}");
}
