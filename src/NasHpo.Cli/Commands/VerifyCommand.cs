using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;
using NasHpo.Cli.Engine;

namespace NasHpo.Cli.Commands;

/// <summary>
/// nashpo verify [ID] [--db PATH|URL] [--json]: checks a study's journal (every study's without ID) and exits 0 only
/// when it is clean. One line per problem, then one line per study with what was readable; the checks are
/// <see cref="JournalVerifier"/>'s. A file that is no readable journal is refused by <see cref="JournalSession"/> as
/// for <c>status</c>: one line, exit 2.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CliConsole console)
    {
        var id = new Argument<string?>("id") { Description = "the study; without it, every study in the database is checked", Arity = ArgumentArity.ZeroOrOne };
        var database = CommonOptions.Database();
        var json = new Option<bool>("--json") { Description = "print JSON instead of text" };
        var command = new Command("verify", "Check a study's journal: sequence gaps, unreadable events, events of unknown versions, trials scheduled or completed twice (exit 0 only when clean)") { id, database, json };
        command.SetAction((parseResult, cancellation) =>
            ExecuteAsync(console, parseResult.GetValue(id), CommonOptions.Journal(parseResult.GetRequiredValue(database)), parseResult.GetValue(json), cancellation));
        return command;
    }

    internal static async Task<int> ExecuteAsync(CliConsole console, string? studyId, JournalSettings journal, bool json, CancellationToken cancellation)
    {
        var verifications = new List<StudyVerification>();
        await using (var session = JournalSession.Open(journal))
        {
            var ids = studyId is null ? await session.ListStudiesAsync(cancellation) : [studyId];
            foreach (var id in ids)
            {
                verifications.Add(await session.VerifyStudyAsync(id, cancellation));
            }
        }

        if (json)
        {
            console.Out.WriteLine(studyId is null
                ? JsonSerializer.Serialize(verifications.Select(Summary).ToArray())
                : JsonSerializer.Serialize(Summary(verifications[0])));
        }
        else if (verifications.Count == 0)
        {
            console.Out.WriteLine($"no studies in {journal.Display}");
        }
        else
        {
            foreach (var verification in verifications)
            {
                foreach (var problem in verification.Problems)
                {
                    console.Out.WriteLine($"{verification.StudyId}: {problem.Description}");
                }

                console.Out.WriteLine(OneLine(verification));
            }
        }

        // A journal with problems is bad input for every command that reads it: the user-error code, as for a damaged file.
        return verifications.All(v => v.Clean) ? ExitCodes.Success : ExitCodes.UserError;
    }

    /// <summary>The JSON shape of one study's verification; field names are part of the command's contract.</summary>
    internal static Dictionary<string, object?> Summary(StudyVerification verification) => new()
    {
        ["studyId"] = verification.StudyId,
        ["clean"] = verification.Clean,
        ["readableEvents"] = verification.ReadableEvents,
        ["unreadableEvents"] = verification.UnreadableEvents,
        ["persistenceIds"] = verification.PersistenceIds.Select(p => new Dictionary<string, object?>
        {
            ["persistenceId"] = p.PersistenceId,
            ["readable"] = p.Readable.Count,
            ["unreadable"] = p.Unreadable.Count,
        }).ToArray(),
        ["problems"] = verification.Problems.Select(p => new Dictionary<string, object?>
        {
            ["kind"] = p.Kind,
            ["persistenceId"] = p.PersistenceId,
            ["sequenceNumbers"] = p.SequenceNumbers,
            ["description"] = p.Description,
        }).ToArray(),
    };

    private static string OneLine(StudyVerification verification)
    {
        var counts = string.Join(", ", verification.PersistenceIds.Select(p => p.Unreadable.Count == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{p.PersistenceId} {p.Readable.Count}")
            : string.Create(CultureInfo.InvariantCulture, $"{p.PersistenceId} {p.Readable.Count} of {p.Readable.Count + p.Unreadable.Count}")));
        var problems = verification.Problems.Count == 1 ? "1 problem" : $"{verification.Problems.Count} problems";
        return verification.Clean
            ? string.Create(CultureInfo.InvariantCulture, $"{verification.StudyId}: clean, {verification.ReadableEvents} events readable ({counts})")
            : string.Create(CultureInfo.InvariantCulture, $"{verification.StudyId}: {problems}; {verification.ReadableEvents} of {verification.ReadableEvents + verification.UnreadableEvents} events readable ({counts})");
    }
}
