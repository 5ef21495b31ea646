using System.Text;
using System.Text.RegularExpressions;
using CsCheck;

namespace NasHpo.Configuration.Tests.BadInput;

/// <summary>
/// Random mutations of valid study files (the shipped studies and the tests' own) must be read or refused in one line:
/// <see cref="StudyDefinitionReader.FromHocon(string)"/> and <see cref="StudyDefinitionReader.Load"/> either return a
/// definition or throw <see cref="ConfigurationException"/>, within a time limit. CsCheck shrinks a failing case to
/// few mutations and prints the seed that reproduces it (pass it as <c>seed:</c> to rerun exactly that case).
/// </summary>
public sealed partial class StudyMutationProperties : IDisposable
{
    // A few hundred cases a property (the Load property half as many): most reads take milliseconds, a few with
    // 100 000-character insertions longer, so a property runs in seconds on two busy cores.
    private const int Cases = 200;

    private readonly string _directory = Directory.CreateTempSubdirectory("nashpo-study-mutations-").FullName;

    public StudyMutationProperties()
    {
        // Load resolves a tabular study's table against the study file's folder, as the shipped studies expect.
        Directory.CreateDirectory(Path.Combine(_directory, "studies"));
        var tables = Path.Combine(_directory, "tables");
        Directory.CreateDirectory(tables);
        foreach (var table in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "tables")))
        {
            File.Copy(table, Path.Combine(tables, Path.GetFileName(table)));
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>One edit of a study's text; the numbers pick positions and replacements modulo what the text has.</summary>
    internal sealed record Mutation(MutationKind Kind, int At, int Other, int Choice);

    internal enum MutationKind
    {
        DeleteToken,
        DuplicateToken,
        SwapTokens,
        DeleteLine,
        DuplicateLine,
        SwapLines,
        ReplaceNumber,
        ReplaceToken,
        InsertLine,
        AssignKey,
    }

    private static readonly string[] Seeds = LoadSeeds();

    // Numbers and values no key accepts, or accepts only at an edge.
    private static readonly string[] Extremes =
    [
        "1e308", "-1e308", "1e309", "-1", "0", "-0", "1e-300", "1e300", "1.0000001", "4294967298", "4294967299",
        "2147483648", "9223372036854775808", "18446744073709551617", "NaN", "Infinity", "-Infinity", "0.5", "1.5",
        "\"\"", "null", "true", "{ a = 1 }", "[{ a = 1 }]", "[]", "{}", "[[1]]", "${study}", "${study.problem}",
        "${nowhere}", "${?nowhere}", "\"" + new string('x', 100_000) + "\"", new string('9', 10_000), "-1s", "1e308s", "0ms",
    ];

    // Lines a user could paste in: HOCON features a study does not support, cycles, deep nesting.
    private static readonly string[] Insertions =
    [
        "include \"other.conf\"",
        "include file(\"/etc/hostname\")",
        "include required(\"missing.conf\")",
        "a = ${b}\nb = ${a}",
        "study.name = ${study.seed}\nstudy.seed = ${study.name}",
        "study.problem.dimensions = ${study.problem}",
        "study.stop = ${study}",
        "study.devices = " + new string('[', 63) + new string(']', 63),
        "study.devices = " + new string('[', 65) + new string(']', 65),
        "study.devices = " + new string('[', 100_000) + new string(']', 100_000),
        "study.name = " + string.Concat(Enumerable.Repeat("{ a = ", 100_000)) + "1" + new string('}', 100_000),
        "study.name" + string.Concat(Enumerable.Repeat(".a", 100_000)) + " = 1",
        string.Concat(Enumerable.Range(0, 300).Select(i => $"s{i} = ${{s{i + 1}}}\n")) + "s300 = x\nstudy.name = ${s0}",
        "study {",
        "}",
        "study.optimizer = random",
        "study.stop = 5",
        "study = 5",
        "study.devices = [{ a = 1 }]",
        "study.search-space { x0 { type = float, lower = -1, upper = 2 } }",
        "study.problem { type = tabular, table = \"../tables/fashion-mnist-tabular-small.jsonl.gz\" }",
        "study.problem { type = command, command = [\"python3\", \"${x}\"] }",
        "study.problem { type = fashion-mnist }",
        "\"\"\"",
        "\"",
        "# a comment }",
    ];

    // Keys of every section, to set to an extreme value.
    private static readonly string[] Keys =
    [
        "study.name", "study.seed", "study.devices", "study.reference-point", "study.objectives", "study.search-space",
        "study.problem", "study.problem.type", "study.problem.dimensions", "study.problem.objectives", "study.problem.delay",
        "study.problem.noise-scale", "study.problem.checkpoints", "study.problem.table", "study.problem.time-scale",
        "study.problem.image-size", "study.problem.train-subset", "study.problem.command", "study.problem.working-dir",
        "study.problem.environment", "study.problem.trial-timeout", "study.problem.grace-period", "study.optimizer",
        "study.optimizer.type", "study.optimizer.eta", "study.optimizer.min-budget", "study.optimizer.max-budget",
        "study.optimizer.max-open-brackets", "study.optimizer.promotion", "study.optimizer.budget-unit",
        "study.optimizer.candidates", "study.optimizer.population-size", "study.optimizer.phase-shares", "study.stop",
        "study.stop.max-evaluations", "study.stop.max-wall-clock", "study.stop.max-budget-spent", "study.base-directory",
        "study.search-space.x0", "study.search-space.x0.lower", "study.search-space.x0.upper", "study.objectives[0]",
    ];

    private static readonly Gen<Mutation> OneMutation = Gen.Select(
        Gen.Int[0, Enum.GetValues<MutationKind>().Length - 1], Gen.Int[0, 1 << 20], Gen.Int[0, 1 << 20], Gen.Int[0, 1 << 20],
        (kind, at, other, choice) => new Mutation((MutationKind)kind, at, other, choice));

    /// <summary>A seed study and one to four mutations of it.</summary>
    private static readonly Gen<(int Seed, Mutation[] Mutations)> MutatedStudy =
        Gen.Select(Gen.Int[0, Seeds.Length - 1], OneMutation.Array[1, 4]);

    [Fact]
    public void The_seeds_are_valid_studies()
    {
        Assert.True(Seeds.Length >= 10, $"{Seeds.Length} seeds");
        foreach (var seed in Seeds.Where(s => !s.Contains("type = tabular", StringComparison.Ordinal)))
        {
            StudyDefinitionReader.FromHocon(seed);
        }
    }

    [Fact]
    public void A_mutated_study_text_is_read_or_refused_in_one_line() =>
        MutatedStudy.Sample(
            (seed, mutations) =>
            {
                var text = Apply(Seeds[seed], mutations);
                GuardedRead.Read(() => StudyDefinitionReader.FromHocon(text), text);
            },
            iter: Cases,
            threads: 1,
            print: Describe);

    [Fact]
    public void A_mutated_study_file_with_mutated_overrides_is_loaded_or_refused_in_one_line()
    {
        var overrides = Gen.Select(Gen.Int[0, Keys.Length - 1], Gen.Int[0, Extremes.Length - 1], (key, value) => $"{Keys[key]}={Extremes[value]}").Array[0, 2];
        var count = 0;
        Gen.Select(MutatedStudy, overrides).Sample(
            (study, sets) =>
            {
                var text = Apply(Seeds[study.Seed], study.Mutations);
                var path = Path.Combine(_directory, "studies", $"case-{Interlocked.Increment(ref count)}.conf");
                File.WriteAllText(path, text);
                GuardedRead.Read(() => StudyDefinitionReader.Load(path, sets), text + "\n--set " + string.Join("\n--set ", sets));
            },
            iter: Cases / 2,
            threads: 1,
            print: input => Describe(input.Item1) + "\n--set " + string.Join("\n--set ", input.Item2));
    }

    internal static string Apply(string seed, IReadOnlyList<Mutation> mutations)
    {
        var text = seed;
        foreach (var mutation in mutations)
        {
            text = Apply(text, mutation);
        }

        return text;
    }

    private static string Apply(string text, Mutation m)
    {
        var tokens = Tokens().Matches(text).Select(t => t.Value).ToList();
        var lines = text.Split('\n').ToList();
        var meaningful = Enumerable.Range(0, tokens.Count).Where(i => !string.IsNullOrWhiteSpace(tokens[i])).ToList();
        int Token(int n) => meaningful.Count == 0 ? 0 : meaningful[n % meaningful.Count];
        switch (m.Kind)
        {
            case MutationKind.DeleteToken when meaningful.Count > 0:
                tokens.RemoveAt(Token(m.At));
                return string.Concat(tokens);
            case MutationKind.DuplicateToken when meaningful.Count > 0:
                tokens.Insert(Token(m.At), tokens[Token(m.At)] + " ");
                return string.Concat(tokens);
            case MutationKind.SwapTokens when meaningful.Count > 0:
                (tokens[Token(m.At)], tokens[Token(m.Other)]) = (tokens[Token(m.Other)], tokens[Token(m.At)]);
                return string.Concat(tokens);
            case MutationKind.DeleteLine:
                lines.RemoveAt(m.At % lines.Count);
                return string.Join('\n', lines);
            case MutationKind.DuplicateLine:
                lines.Insert(m.At % lines.Count, lines[m.At % lines.Count]);
                return string.Join('\n', lines);
            case MutationKind.SwapLines:
                (lines[m.At % lines.Count], lines[m.Other % lines.Count]) = (lines[m.Other % lines.Count], lines[m.At % lines.Count]);
                return string.Join('\n', lines);
            case MutationKind.ReplaceNumber:
                var numbers = Enumerable.Range(0, tokens.Count).Where(i => HoconReading.ParseNumber(tokens[i]) is not null).ToList();
                if (numbers.Count == 0)
                {
                    return text;
                }

                tokens[numbers[m.At % numbers.Count]] = Extremes[m.Choice % Extremes.Length];
                return string.Concat(tokens);
            case MutationKind.ReplaceToken when meaningful.Count > 0:
                tokens[Token(m.At)] = Extremes[m.Choice % Extremes.Length];
                return string.Concat(tokens);
            case MutationKind.InsertLine:
                lines.Insert(m.At % (lines.Count + 1), Insertions[m.Choice % Insertions.Length]);
                return string.Join('\n', lines);
            case MutationKind.AssignKey:
                return text + $"\n{Keys[m.At % Keys.Length]} = {Extremes[m.Choice % Extremes.Length]}\n";
            default:
                return text;
        }
    }

    private static string Describe((int Seed, Mutation[] Mutations) input) =>
        $"seed study {input.Seed}, mutations {string.Join(", ", input.Mutations.Select(m => m.ToString()))}:\n{GuardedRead.Show(Apply(Seeds[input.Seed], input.Mutations))}";

    private static string[] LoadSeeds()
    {
        var shipped = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "studies"), "*.conf").Order(StringComparer.Ordinal).Select(File.ReadAllText);
        string[] own =
        [
            BadStudyCorpus.Valid,
            """
            study {
              name = custom
              seed = 7
              devices = [cpu, "cuda:0", "cuda:0"]
              problem { type = zdt2, dimensions = 3, delay = 10ms, noise-scale = 0.5 }
              objectives = [ { name = error }, { name = speed, direction = maximize, cost = cheap, scale = linear } ]
              reference-point = [1, -1]
              search-space {
                x0 { type = float, lower = 0, upper = 1 }
                x1 { type = ordinal, choices = [0, 0.5, 1] }
                x2 { type = int, lower = 0, upper = 1 }
                layers { type = int, lower = 1, upper = 3 }
                width { type = categorical, choices = [16, 32, 64], when = "layers >= 2" }
              }
              optimizer { type = sh-emoa, min-budget = 1, max-budget = 27, eta = 3, population-size = 10 }
              stop { max-evaluations = 100, max-wall-clock = 10m, max-budget-spent = 500 }
            }

            """,
            """
            study {
              problem {
                type = command
                command = ["python3", "train.py", "--lr", "${lr}", "--epochs", "${budget}"]
                environment { SEED = "1" }
                trial-timeout = 30m
              }
              objectives = [ { name = val-error }, { name = params, cost = cheap, scale = log } ]
              reference-point = [1, 1e7]
              search-space { lr { type = float, lower = 1e-4, upper = 1, log = true } }
              optimizer { type = bulk-and-cut, min-budget = 1, max-budget = 9, phase-shares = [0.3, 0.4, 0.3] }
              stop { max-evaluations = 20 }
            }

            """,
        ];
        return [.. shipped, .. own];
    }

    // Triple-quoted and quoted strings, substitutions, punctuation, runs of other characters, whitespace.
    [GeneratedRegex("\"\"\"[\\s\\S]*?\"\"\"|\"(?:[^\"\\\\\\n]|\\\\.)*\"|\\$\\{[^}]*\\}|[{}\\[\\]=:,]|[^\\s{}\\[\\]=:,\"]+|\\s+")]
    private static partial Regex Tokens();
}
