namespace NasHpo.Training.Tests;

/// <summary>Bad data is an <see cref="InvalidDataException"/> or an <see cref="IOException"/> with a one-line message.</summary>
internal static class DataRefusal
{
    public static Exception Of(Action load)
    {
        var error = Assert.ThrowsAny<Exception>(load);
        Assert.True(error is InvalidDataException or IOException, $"{error.GetType().Name}: {error.Message}");
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }
}
