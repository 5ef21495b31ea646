using System.Diagnostics;
using System.Globalization;
using NasHpo;
using NasHpo.Configuration;

// A library user's ask-and-tell loop, run by the tests as a real process and killed with SIGKILL:
//   asktell-consumer STUDY.conf DATABASE STUDY-ID [--kill-after-tells N]
// It keeps as many trials out as the study hands out (up to four) and always tells the one with the smallest id
// first, so the order of tells depends only on which trials are out. Every step is one line on stdout, written
// before the next step: "opened", "asked ID", "told ID", "failed ID", "done COMPLETED FAILED".
// --kill-after-tells N: right after its Nth tell returns, the program kills itself with SIGKILL, between the tell
// and the moment the engine writes it.

const int MostOut = 4;
if (args.Length is not (3 or 5))
{
    Console.Error.WriteLine("usage: asktell-consumer STUDY.conf DATABASE STUDY-ID [--kill-after-tells N]");
    return 2;
}

int? killAfterTells = args.Length == 5 && args[3] == "--kill-after-tells" ? int.Parse(args[4], CultureInfo.InvariantCulture) : null;
var definition = StudyDefinitionReader.Load(args[0], []);
await using var study = await Study.OpenAsync(definition, args[1], args[2]);
Console.WriteLine("opened");

var held = new List<Trial>();
Task<Trial?>? asking = null;
var tells = 0;
while (true)
{
    asking ??= study.AskAsync();
    if (held.Count < MostOut)
    {
        // With nothing out, wait for the study; with trials out, the study may need one of their results before
        // it can hand out another (the end of the study, a rung to fill): wait briefly, then tell.
        if (held.Count > 0)
        {
            await Task.WhenAny(asking, Task.Delay(500));
        }

        if (held.Count == 0 || asking.IsCompleted)
        {
            var trial = await asking;
            asking = null;
            if (trial is null)
            {
                break;
            }

            held.Add(trial);
            Console.WriteLine($"asked {trial.Id}");
            continue;
        }
    }

    var next = held.MinBy(t => t.Id, StringComparer.Ordinal)!;
    held.Remove(next);
    var x = next.Configuration.GetDouble("x");
    var y = next.Configuration.GetDouble("y");
    if (x > 0.97)
    {
        await study.FailAsync(next, "x above 0.97 fails in this program");
        Console.WriteLine($"failed {next.Id}");
    }
    else
    {
        await study.TellAsync(next, new Dictionary<string, double> { ["loss"] = x + (y * y / next.Budget), ["size"] = 1 - x + (0.1 * y) });
        Console.WriteLine($"told {next.Id}");
    }

    if (++tells == killAfterTells)
    {
        Process.GetCurrentProcess().Kill();
    }
}

var record = await study.ReadAsync();
Console.WriteLine($"done {record.Completed} {record.FailedCount}");
return 0;
