using System.Globalization;
using System.Text;
using NasHpo.Actors.Archive;
using NasHpo.Actors.Cluster;
using NasHpo.Actors.Devices;
using NasHpo.Actors.Sampling;
using NasHpo.Actors.Studies;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;
using SearchConfiguration = NasHpo.Core.SearchSpaces.Configuration;

namespace NasHpo.Actors.Tests.Serialization;

/// <summary>
/// One line of text that names every field of a serialized value, so that two values print the same exactly when
/// a round trip kept everything.
/// </summary>
/// <remarks>
/// The events hold lists and dictionaries, whose records compare by reference; comparing these strings instead
/// also gives a readable diff when a field is lost. Doubles print in round-trip form, which keeps the sign of zero
/// and tells NaN and the infinities apart; timestamps print with their ticks and offset, so any normalisation shows.
/// </remarks>
internal static class Canonical
{
    public static string Of(object value)
    {
        var builder = new StringBuilder();
        Write(builder, value);
        return builder.ToString();
    }

    private static void Write(StringBuilder b, object value)
    {
        switch (value)
        {
            case StudyCreated e:
                b.Append("StudyCreated(").Append(Quote(e.StudyId)).Append(", ").Append(Quote(e.Definition)).Append(", ")
                    .Append(e.Seed.ToString(CultureInfo.InvariantCulture)).Append(", ").Append(Numbers(e.ReferencePoint)).Append(", ")
                    .Append(Time(e.CreatedAt)).Append(')');
                break;
            case TrialScheduled e:
                b.Append("TrialScheduled(");
                Write(b, e.Request);
                b.Append(", ").Append(Time(e.ScheduledAt)).Append(')');
                break;
            case TrialStarted e:
                b.Append("TrialStarted(").Append(Id(e.Trial)).Append(", ").Append(Quote(e.Device)).Append(", ").Append(Time(e.StartedAt)).Append(')');
                break;
            case TrialCompleted e:
                b.Append("TrialCompleted(").Append(Id(e.Trial)).Append(", ").Append(Numbers(e.Objectives)).Append(", {")
                    .AppendJoin(", ", e.Metrics.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{Quote(p.Key)}: {Number(p.Value)}"))
                    .Append("}, ").Append(Ticks(e.Duration)).Append(", ").Append(Quote(e.Device)).Append(", ").Append(Time(e.CompletedAt)).Append(Curve(e.Curve)).Append(')');
                break;
            case TrialFailed e:
                b.Append("TrialFailed(").Append(Id(e.Trial)).Append(", ").Append(Quote(e.Reason)).Append(", ").Append(Quote(e.Device)).Append(", ")
                    .Append(Time(e.FailedAt)).Append(')');
                break;
            case StudyFinished e:
                b.Append("StudyFinished(").Append(Quote(e.Reason)).Append(", ").Append(Time(e.FinishedAt)).Append(')');
                break;
            case TrialProposed e:
                b.Append("TrialProposed(");
                Write(b, e.Request);
                b.Append(')');
                break;
            case ResultObserved e:
                b.Append("ResultObserved(");
                Write(b, e.Result);
                b.Append(')');
                break;
            case SamplerSnapshot s:
                b.Append("SamplerSnapshot[");
                WriteAll(b, s.Facts);
                b.Append(']');
                break;
            case EvaluationArchived e:
                b.Append("EvaluationArchived(").Append(Id(e.Trial)).Append(", ").Append(Numbers(e.Objectives)).Append(", ").Append(Ticks(e.Elapsed))
                    .Append(", ").Append(Number(e.Hypervolume)).Append(')');
                break;
            case ArchiveSnapshot s:
                b.Append("ArchiveSnapshot[");
                WriteAll(b, s.Evaluations);
                b.Append(']');
                break;
            case TrialRequest r:
                b.Append("Request(").Append(Id(r.Id)).Append(", ").Append(Configuration(r.Configuration)).Append(", bracket ")
                    .Append(r.Bracket.ToString(CultureInfo.InvariantCulture)).Append(", rung ").Append(r.Rung.ToString(CultureInfo.InvariantCulture))
                    .Append(", parent ").Append(r.Parent is { } parent ? Id(parent) : "none")
                    .Append(", lineage ").Append(r.Lineage is { } lineage ? $"{Id(lineage.ParentTrial)} {Configuration(lineage.ParentConfiguration)} \"{lineage.Operation}\"" : "none").Append(')');
                break;
            case TrialResult r:
                b.Append("Result(").Append(Id(r.Id)).Append(", ").Append(r.Objectives is { } objectives ? Numbers(objectives) : "no objectives")
                    .Append(", ").Append(r.FailureReason is { } reason ? Quote(reason) : "no failure").Append(')');
                break;
            case DevicesAnnounced m:
                b.Append("DevicesAnnounced(").Append(Quote(m.Node)).Append(", [")
                    .AppendJoin(", ", m.Devices.Select(d => $"{Quote(d.Name)} -> {Quote(d.Device.Path.ToStringWithUid())}")).Append("])");
                break;
            case DevicesWithdrawn m:
                b.Append("DevicesWithdrawn(").Append(Quote(m.Node)).Append(')');
                break;
            case RunPortableTrial m:
                b.Append("RunPortableTrial(");
                Write(b, m.Request);
                b.Append(", ").Append(Quote(m.Execution.StudyId)).Append(", ").Append(Quote(m.Execution.DefinitionHocon)).Append(", ")
                    .Append(m.Execution.CheckpointDirectory is { } directory ? Quote(directory) : "no checkpoints").Append(", ")
                    .Append(m.Execution.ContinueFromParent ? "continue" : "retrain")
                    .Append(m.LeaseHolder is { } holder ? ", leased by " + Quote(holder.Path.ToStringWithUid()) : string.Empty)
                    .Append(m.Queued ? ", queued" : string.Empty).Append(')');
                break;
            case TrialRunStarted m:
                b.Append("TrialRunStarted(").Append(Id(m.Trial)).Append(", ").Append(Quote(m.DeviceName)).Append(')');
                break;
            case CancelTrial m:
                b.Append("CancelTrial(").Append(Id(m.Trial)).Append(')');
                break;
            case TrialRunFinished m:
                b.Append("TrialRunFinished(").Append(Id(m.Trial)).Append(", ")
                    .Append(m.Result is { } result
                        ? Numbers(result.Objectives) + " {" + string.Join(", ", result.Metrics.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{Quote(p.Key)}: {Number(p.Value)}")) + "}" + Curve(result.Curve)
                        : "no result")
                    .Append(", ").Append(m.FailureReason is { } failure ? Quote(failure) : "no failure").Append(", ").Append(Ticks(m.Duration))
                    .Append(", ").Append(Quote(m.DeviceName)).Append(')');
                break;
            case TrialRunProgress m:
                b.Append("TrialRunProgress(").Append(Id(m.Trial)).Append(", ").Append(Number(m.Progress.Done)).Append('/').Append(Number(m.Progress.Total))
                    .Append(", ").Append(m.Progress.Note is { } note ? Quote(note) : "no note").Append(", ").Append(Quote(m.DeviceName)).Append(')');
                break;
            case DeviceBusy m:
                b.Append("DeviceBusy(").Append(Id(m.Trial)).Append(", ").Append(Quote(m.DeviceName)).Append(')');
                break;
            case DeviceWorked m:
                b.Append("DeviceWorked(").Append(Quote(m.DeviceName)).Append(", ").Append(Id(m.Trial)).Append(", ").Append(Ticks(m.Duration)).Append(')');
                break;
            case SubmitStudy m:
                b.Append("SubmitStudy(").Append(Quote(m.StudyId)).Append(", ").Append(Quote(m.DefinitionHocon)).Append(')');
                break;
            case StudySubmitted m:
                b.Append("StudySubmitted(").Append(Quote(m.StudyId)).Append(", ").Append(m.Accepted).Append(", ").Append(m.Refusal is { } refusal ? Quote(refusal) : "none").Append(')');
                break;
            case CancelStudy m:
                b.Append("CancelStudy(").Append(Quote(m.StudyId)).Append(')');
                break;
            case StudyCancelled m:
                b.Append("StudyCancelled(").Append(Quote(m.StudyId)).Append(", ").Append(m.Found).Append(", ").Append(m.Note is { } n ? Quote(n) : "none").Append(')');
                break;
            case ListStudies:
                b.Append("ListStudies");
                break;
            case StudiesListed m:
                b.Append("StudiesListed[").AppendJoin(", ", m.StudyIds.Select(Quote)).Append(']');
                break;
            case GetStudyJournal m:
                b.Append("GetStudyJournal(").Append(Quote(m.StudyId)).Append(')');
                break;
            case StudyJournal m:
                b.Append("StudyJournal(").Append(Quote(m.StudyId)).Append(", [");
                WriteAll(b, m.Events);
                b.Append("])");
                break;
            default:
                throw new ArgumentException($"no canonical form for {value.GetType().FullName}", nameof(value));
        }
    }

    // Only a non-empty curve is written, so that events without one read as they always did.
    private static string Curve(IReadOnlyList<CurvePoint> curve) =>
        curve.Count == 0
            ? string.Empty
            : ", curve [" + string.Join(", ", curve.Select(p => Number(p.Step) + " {" + string.Join(", ", p.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{Quote(v.Key)}: {Number(v.Value)}")) + "}")) + "]";

    private static void WriteAll<T>(StringBuilder b, IEnumerable<T> items)
        where T : notnull
    {
        var first = true;
        foreach (var item in items)
        {
            if (!first)
            {
                b.Append(", ");
            }

            Write(b, item);
            first = false;
        }
    }

    private static string Configuration(SearchConfiguration configuration) =>
        "{" + string.Join(", ", configuration.Values.Select(p => $"{Quote(p.Key)}: {(p.Value.Text is { } text ? Quote(text) : Number(p.Value.Number))}")) + "}";

    private static string Id(TrialId id) => $"#{id.ConfigurationId.ToString(CultureInfo.InvariantCulture)}@{Number(id.Budget)}";

    private static string Numbers(IEnumerable<double> values) => "[" + string.Join(", ", values.Select(Number)) + "]";

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Ticks(TimeSpan span) => span.Ticks.ToString(CultureInfo.InvariantCulture) + " ticks";

    private static string Time(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
