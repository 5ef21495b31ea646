namespace NasHpo.Cli;

/// <summary>
/// A mistake the user can fix (a missing file, a malformed row, a bad option value). Its message becomes the single
/// stderr line, so it must be one line that names the input and, where there is one, the line number.
/// </summary>
internal sealed class UserErrorException : Exception
{
    public UserErrorException(string message)
        : base(message)
    {
    }

    public UserErrorException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public UserErrorException()
    {
    }
}
