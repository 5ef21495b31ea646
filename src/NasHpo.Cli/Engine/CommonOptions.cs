using System.CommandLine;

namespace NasHpo.Cli.Engine;

/// <summary>Options shared by the engine's commands.</summary>
public static class CommonOptions
{
    /// <summary>The embedded journal's default file, in the working directory.</summary>
    public const string DefaultDatabase = "nashpo.db";

    public static Option<string> Database() => new("--db")
    {
        Description = "the SQLite database holding the studies' journals",
        DefaultValueFactory = _ => DefaultDatabase,
    };
}
