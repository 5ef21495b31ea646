using System.Runtime.InteropServices;

namespace NasHpo.Training;

/// <summary>
/// What an error libtorch raised (TorchSharp throws each as an <see cref="ExternalException"/> carrying libtorch's
/// text) says, for the callers that decide whether it ends one run or everything.
/// </summary>
internal static class LibTorchErrors
{
    /// <summary>
    /// Whether libtorch refused a value because it does not fit the tensor's type: c10's checked conversion of a
    /// Scalar (an Adam step of a learning rate near float's maximum, say) reports "value cannot be converted to type
    /// float without overflow". Training that gets there has diverged as surely as one whose loss became infinite.
    /// </summary>
    public static bool IsNumericOverflow(Exception error) =>
        error is ExternalException && error.Message.Contains("without overflow", StringComparison.Ordinal);

    /// <summary>The first line of the message: libtorch appends the C++ stack ("Exception raised from ...") below it.</summary>
    public static string FirstLine(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = error.Message.TrimStart();
        var end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).Trim();
    }
}
