namespace NasHpo.Configuration.Tests.BadInput;

/// <summary>
/// Runs one read of a study the way a property demands it behave: it returns a definition or throws the one-line
/// <see cref="ConfigurationException"/>, within a time limit. Anything else (another exception type, a message of
/// several lines, a hang) fails the test with the input named.
/// </summary>
internal static class GuardedRead
{
    // A read of a study file takes milliseconds; the limit only tells a hang from slowness under a loaded CI machine.
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    // Smaller than any thread's default stack (1.5 MB for pool threads, 8 MB for the main thread on Linux): a reader
    // that stays within it on a bad input stays within every thread's. An overflow cannot be caught in .NET, so it
    // ends the test run, which names the test that was running.
    private const int StackBytes = 1024 * 1024;

    /// <summary>The definition, or null when the read was refused with a ConfigurationException.</summary>
    public static StudyDefinition? Read(Func<StudyDefinition> read, string input)
    {
        StudyDefinition? definition = null;
        Exception? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    definition = read();
                }
                catch (Exception error)
                {
                    failure = error;
                }
            },
            StackBytes)
        {
            IsBackground = true,
            Name = "guarded study read",
        };
        thread.Start();
        if (!thread.Join(Limit))
        {
            throw new InvalidOperationException($"Reading hung (no answer in {Limit.TotalSeconds} s) on input:\n{Show(input)}");
        }

        switch (failure)
        {
            case null:
                return definition;
            case ConfigurationException refusal when IsOneLine(refusal):
                return null;
            case ConfigurationException refusal:
                throw new InvalidOperationException($"The refusal is not one line: \"{refusal.Message}\"; input:\n{Show(input)}", refusal);
            default:
                throw new InvalidOperationException($"Internal error {failure.GetType().Name}: {failure.Message}\ninput:\n{Show(input)}", failure);
        }
    }

    /// <summary>The refusal itself (fails if the input is accepted).</summary>
    public static ConfigurationException Refusal(Func<StudyDefinition> read, string input)
    {
        ConfigurationException? refusal = null;
        var definition = Read(
            () =>
            {
                try
                {
                    return read();
                }
                catch (ConfigurationException error)
                {
                    refusal = error;
                    throw;
                }
            },
            input);
        return definition is null && refusal is not null
            ? refusal
            : throw new InvalidOperationException($"Accepted, but should have been refused; input:\n{Show(input)}");
    }

    private static bool IsOneLine(ConfigurationException refusal) =>
        refusal.Message.Length > 0 && !refusal.Message.Contains('\n', StringComparison.Ordinal) && !refusal.Message.Contains('\r', StringComparison.Ordinal);

    /// <summary>The input as a failure shows it: long inputs are cut, so that a 100 000-deep nesting stays readable.</summary>
    public static string Show(string input) => input.Length <= 2000 ? input : $"{input[..1000]}\n... ({input.Length - 2000} characters left out) ...\n{input[^1000..]}";
}
