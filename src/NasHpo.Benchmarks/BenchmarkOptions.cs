using System.Globalization;

namespace NasHpo.Benchmarks;

/// <summary>Command-line options shared by every suite.</summary>
internal sealed record BenchmarkOptions(string Suite, string? OutputPath, int Runs, string Python, string? Database = null)
{
    public static bool TryParse(string[] args, out BenchmarkOptions options, out string? error)
    {
        options = new BenchmarkOptions("", null, 9, "/usr/bin/python3");
        error = null;
        string? suite = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (i + 1 >= args.Length)
                {
                    error = $"{arg} needs a value";
                    return false;
                }

                var value = args[++i];
                switch (arg)
                {
                    case "--out":
                        options = options with { OutputPath = value };
                        break;
                    case "--runs" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var runs) && runs > 0:
                        options = options with { Runs = runs };
                        break;
                    case "--python":
                        options = options with { Python = value };
                        break;
                    case "--db":
                        options = options with { Database = value };
                        break;
                    default:
                        error = $"unknown or invalid option {arg} {value}";
                        return false;
                }
            }
            else if (suite is null)
            {
                suite = arg;
            }
            else
            {
                error = $"unexpected argument {arg}";
                return false;
            }
        }

        if (suite is null)
        {
            error = "no suite given";
            return false;
        }

        options = options with { Suite = suite };
        return true;
    }
}
