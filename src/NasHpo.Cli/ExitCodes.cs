namespace NasHpo.Cli;

/// <summary>The process exit codes of every command, in one place so that scripts can rely on them.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>A bug or an unexpected failure of the environment: the one line on stderr names the exception.</summary>
    public const int InternalError = 1;

    /// <summary>Bad arguments or bad input: the one line on stderr says what to fix.</summary>
    public const int UserError = 2;

    /// <summary>Ctrl+C, as shells report a process ended by SIGINT (128 + 2).</summary>
    public const int Interrupted = 130;
}
