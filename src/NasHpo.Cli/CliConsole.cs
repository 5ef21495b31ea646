namespace NasHpo.Cli;

/// <summary>
/// The standard streams a command uses. Commands never touch <see cref="Console"/> directly, so that tests can run
/// them in-process and read what they wrote.
/// </summary>
internal sealed record CliConsole(TextReader In, TextWriter Out, TextWriter Error);
