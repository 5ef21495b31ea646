namespace NasHpo.Configuration.Tests.BadInput;

/// <summary>
/// Bad study texts, by class: each is refused with a one-line ConfigurationException (never another exception, a
/// hang or a stack overflow). Most are the smallest valid study with one line merged in (a later HOCON value wins);
/// the rest are whole texts. The names are the test cases' names; the texts stay out of them, some being 100 000
/// characters long.
/// </summary>
internal static class BadStudyCorpus
{
    public const string Valid = """
        study {
          problem { type = zdt1, dimensions = 3 }
          optimizer { type = mo-bohb, min-budget = 1, max-budget = 9 }
          stop { max-evaluations = 10 }
        }

        """;

    private const int Deep = 100_000;

    // Values of every kind that fit no number key: past 32 and 64 bits, non-finite, negative, fractional, words,
    // structures.
    private static readonly (string Name, string Text)[] ExtremeNumbers =
    [
        ("2^31", "2147483648"),
        ("2^32+2", "4294967298"),
        ("2^32+3", "4294967299"),
        ("2^63", "9223372036854775808"),
        ("1e308", "1e308"),
        ("1e309", "1e309"),
        ("minus-1", "-1"),
        ("zero", "0"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("fraction", "1.5"),
        ("word", "many"),
        ("object", "{ a = 1 }"),
        ("list", "[1, 2]"),
        ("empty-string", "\"\""),
    ];

    private static readonly string[] IntegerKeys =
    [
        "study.devices", "study.problem.dimensions", "study.problem.objectives", "study.stop.max-evaluations",
    ];

    private static IEnumerable<(string Name, string Text)> Cases()
    {
        // The top level and the sections, as the wrong kind of value.
        yield return ("empty text", string.Empty);
        yield return ("blank text", "  \n\t\n");
        yield return ("only a comment", "# nothing here\n");
        yield return ("study = 5", "study = 5");
        yield return ("study = list", "study = [1, 2]");
        yield return ("study = string", "study = \"zdt1\"");
        yield return ("study = null", "study = null");
        yield return ("study = {}", "study {}");
        yield return ("top level list", "[1, 2]");
        yield return ("optimizer = random", Valid + "study.optimizer = random");
        yield return ("optimizer = 5", Valid + "study.optimizer = 5");
        yield return ("optimizer = list", Valid + "study.optimizer = [random]");
        yield return ("stop = 5", Valid + "study.stop = 5");
        yield return ("stop = list", Valid + "study.stop = [5]");
        yield return ("problem = zdt1", Valid + "study.problem = zdt1");
        yield return ("problem = list", Valid + "study.problem = [zdt1]");
        yield return ("problem.type = object", Valid + "study.problem.type { a = 1 }");
        yield return ("optimizer.type = list", Valid + "study.optimizer.type = [random]");
        yield return ("name = object", Valid + "study.name = { a = 1 }");
        yield return ("name = list", Valid + "study.name = [a, b]");
        yield return ("name = empty", Valid + "study.name = \"\"");
        yield return ("seed = object", Valid + "study.seed = { a = 1 }");
        yield return ("seed = 1e308", Valid + "study.seed = 1e308");
        yield return ("seed = 2^64", Valid + "study.seed = 18446744073709551616");
        yield return ("seed = NaN", Valid + "study.seed = NaN");

        // Devices: structures and numbers out of range.
        yield return ("devices = [{a = 1}]", Valid + "study.devices = [{ a = 1 }]");
        yield return ("devices = [[cpu]]", Valid + "study.devices = [[cpu]]");
        yield return ("devices = []", Valid + "study.devices = []");
        yield return ("devices = {}", Valid + "study.devices { a = 1 }");
        yield return ("devices = [gpu]", Valid + "study.devices = [gpu]");
        yield return ("devices = [cuda:-1]", Valid + "study.devices = [\"cuda:-1\"]");
        yield return ("devices = [cuda:2^32]", Valid + "study.devices = [\"cuda:4294967296\"]");
        yield return ("devices = 1000000000", Valid + "study.devices = 1000000000");

        foreach (var key in IntegerKeys)
        {
            foreach (var (name, text) in ExtremeNumbers)
            {
                yield return ($"{key} = {name}", Valid + $"{key} = {text}");
            }
        }

        // Numbers that read as doubles.
        foreach (var (name, text) in new[] { ("NaN", "NaN"), ("Infinity", "Infinity"), ("minus-1", "-1"), ("object", "{ a = 1 }"), ("1e309", "1e309") })
        {
            yield return ($"noise-scale = {name}", Valid + $"study.problem.noise-scale = {text}");
            yield return ($"max-budget-spent = {name}", Valid + $"study.stop.max-budget-spent = {text}");
        }

        // Durations.
        foreach (var (name, text) in new[] { ("1e308s", "1e308s"), ("minus-1ms", "-1ms"), ("NaN s", "NaN s"), ("parsecs", "10 parsecs"), ("2^63 days", "9223372036854775808 days"), ("object", "{ a = 1 }"), ("1e20 days", "100000000000000000000 days") })
        {
            yield return ($"delay = {name}", Valid + $"study.problem.delay = {text}");
            yield return ($"max-wall-clock = {name}", Valid + $"study.stop.max-wall-clock = {text}");
        }

        // The reference point.
        yield return ("reference-point = NaN", Valid + "study.reference-point = [NaN, 1]");
        yield return ("reference-point = 1e309", Valid + "study.reference-point = [1e309, 1]");
        yield return ("reference-point = object", Valid + "study.reference-point { a = 1 }");
        yield return ("reference-point = [{}]", Valid + "study.reference-point = [{ a = 1 }, 1]");
        yield return ("reference-point = [[1]]", Valid + "study.reference-point = [[1], [2]]");
        yield return ("reference-point = []", Valid + "study.reference-point = []");
        yield return ("reference-point = word", Valid + "study.reference-point = far");

        // Objectives and the search space as the wrong kind of value, or with extreme values.
        yield return ("objectives = 5", Valid + "study.objectives = 5");
        yield return ("objectives = []", Valid + "study.objectives = []");
        yield return ("objectives = [5]", Valid + "study.objectives = [5]");
        yield return ("objectives = [{}]", Valid + "study.objectives = [{}]");
        yield return ("objectives = [[x]]", Valid + "study.objectives = [[x]]");
        yield return ("objectives name = object", Valid + "study.objectives = [{ name = { a = 1 } }, { name = f2 }]");
        yield return ("search-space = 5", Valid + "study.search-space = 5");
        yield return ("search-space = {}", Valid + "study.search-space {}");
        yield return ("search-space = list", Valid + "study.search-space = [x]");
        yield return ("parameter = 5", Valid + "study.search-space { x = 5 }");
        yield return ("parameter bound NaN", Valid + "study.search-space { x0 { type = float, lower = NaN, upper = 1 } }");
        yield return ("parameter bounds ±1e308", Valid + "study.search-space { x0 { type = float, lower = -1e308, upper = 1e308 } }");
        yield return ("parameter bound 1e309", Valid + "study.search-space { x0 { type = float, lower = 0, upper = 1e309 } }");
        yield return ("integer bound 2^63", Valid + "study.search-space { x0 { type = int, lower = 0, upper = 9223372036854775808 } }");
        yield return ("integer bounds ±2^62", Valid + "study.search-space { x0 { type = int, lower = -4611686018427387904, upper = 4611686018427387904 } }");
        yield return ("choice = object", Valid + "study.search-space { x0 { type = categorical, choices = [{ a = 1 }] } }");
        yield return ("synthetic range below 0", Valid + "study.search-space { x0 { type = float, lower = -5, upper = 1 }, x1 { type = float, lower = 0, upper = 1 }, x2 { type = float, lower = 0, upper = 1 } }");
        yield return ("synthetic range above 1", Valid + "study.search-space { x0 { type = float, lower = 0, upper = 5 }, x1 { type = float, lower = 0, upper = 1 }, x2 { type = float, lower = 0, upper = 1 } }");
        yield return ("synthetic integer range", Valid + "study.search-space { x0 { type = int, lower = 0, upper = 100 }, x1 { type = float, lower = 0, upper = 1 }, x2 { type = float, lower = 0, upper = 1 } }");
        yield return ("synthetic categorical", Valid + "study.search-space { x0 { type = categorical, choices = [a, b] }, x1 { type = float, lower = 0, upper = 1 }, x2 { type = float, lower = 0, upper = 1 } }");

        // HOCON's own features a study file does not support, or that loop.
        yield return ("include", "include \"other.conf\"\n" + Valid);
        yield return ("include file()", "include file(\"/etc/hostname\")\n" + Valid);
        yield return ("include required()", "include required(\"missing.conf\")\n" + Valid);
        yield return ("include inside study", "study { include \"other.conf\" }\n" + Valid);
        yield return ("cyclic substitution", Valid + "a = ${b}\nb = ${a}\nstudy.name = ${a}");
        yield return ("cyclic substitution, unread", Valid + "a = ${b}\nb = ${a}");
        yield return ("self substitution", Valid + "study.name = ${study.name}");
        yield return ("substitution of its own section", Valid + "study.problem.type = ${study.problem}");
        yield return ("substitution of the whole study", Valid + "study.stop.max-evaluations = ${study}");
        yield return ("unresolved substitution", Valid + "study.name = ${nowhere}");
        yield return ("optional substitution", Valid + "study.name = ${?nowhere}");
        yield return ("empty substitution", Valid + "study.name = ${}");
        yield return ("substitution chain", Valid + string.Concat(Enumerable.Range(0, 5000).Select(i => $"s{i} = ${{s{i + 1}}}\n")) + "s5000 = x\nstudy.name = ${s0}");
        yield return ("lists nested 100 000 deep", Valid + "study.devices = " + new string('[', Deep) + new string(']', Deep));
        yield return ("objects nested 100 000 deep", Valid + "study.name = " + string.Concat(Enumerable.Repeat("{ a = ", Deep)) + "1" + new string('}', Deep));
        yield return ("objects nested 100 000 deep, unquoted braces", Valid + new string('{', Deep) + new string('}', Deep));
        yield return ("dotted key 100 000 deep", Valid + "study.name" + string.Concat(Enumerable.Repeat(".a", Deep)) + " = 1");
        yield return ("lists nested 1000 deep", Valid + "study.devices = " + new string('[', 1000) + new string(']', 1000));
        yield return ("unterminated list", Valid + "study.devices = [cpu, cpu");
        yield return ("unterminated object", Valid + "study.problem {");
        yield return ("unterminated string", Valid + "study.name = \"abc");
        yield return ("unterminated triple string", Valid + "study.name = \"\"\"abc");
        yield return ("stray closing brace", Valid + "}");
        yield return ("stray closing bracket", Valid + "]");
        yield return ("key without value", Valid + "study.name");
        yield return ("key with equals and no value", Valid + "study.name =");
        yield return ("equals alone", Valid + "=");
        yield return ("key ending in a dot", Valid + "study. = x");
        yield return ("huge unknown key", Valid + "study." + new string('k', Deep) + " = 1");
        yield return ("huge number", Valid + "study.devices = " + new string('9', Deep));
        yield return ("a list where an object is read", Valid + "study.problem = [{ type = zdt1 }]");
        yield return ("problem type huge", Valid + "study.problem.type = " + new string('z', Deep));

        // Problems of other types.
        yield return ("command = 5", Valid + "study.problem { type = command, command = 5 }");
        yield return ("command = [[x]]", Valid + "study.problem { type = command, command = [[python3]] }");
        yield return ("command environment = list", Valid + "study.problem { type = command, command = [python3], environment = [a] }");
        yield return ("tabular table = object", Valid + "study.problem { type = tabular, table { a = 1 } }");
        yield return ("tabular table missing", Valid + "study.problem { type = tabular, table = \"no-such-table.jsonl.gz\" }");
        yield return ("tabular time-scale = NaN", Valid + "study.problem { type = tabular, table = \"no-such-table.jsonl.gz\", time-scale = NaN }");
        yield return ("image-size = 2^32+16", Valid + "study.problem { type = fashion-mnist, image-size = 4294967312 }");
        yield return ("train-subset = 2^32+1", Valid + "study.problem { type = fashion-mnist, train-subset = 4294967297 }");
        yield return ("threads-per-device = 2^32+1", Valid + "study.problem { type = fashion-mnist, threads-per-device = 4294967297 }");
        yield return ("data-dir = object", Valid + "study.problem { type = idx, data-dir { a = 1 } }");
        yield return ("data-dir with null character", Valid + "study.problem { type = idx, data-dir = \"a\\u0000b\" }");
        yield return ("base-directory = object", Valid + "study.base-directory { a = 1 }");
    }

    private static readonly Lazy<IReadOnlyDictionary<string, string>> ByName = new(() =>
    {
        var cases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, text) in Cases())
        {
            cases.Add(name, text);
        }

        return cases;
    });

    public static IReadOnlyDictionary<string, string> All => ByName.Value;

    public static TheoryData<string> Names => [.. All.Keys];
}
