namespace NasHpo.Core.Randomness;

/// <summary>
/// Hashes that are identical in every process and on every platform, unlike <see cref="string.GetHashCode()"/>,
/// which is randomised per process. Used for bracket ids, configuration fingerprints and seed derivation.
/// </summary>
internal static class StableHash
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>FNV-1a 64 over the UTF-16 code units of the text, finished with a SplitMix64 avalanche.</summary>
    public static ulong Of(string text)
    {
        var hash = FnvOffset;
        foreach (var c in text)
        {
            hash = (hash ^ (byte)c) * FnvPrime;
            hash = (hash ^ (byte)(c >> 8)) * FnvPrime;
        }

        return Mix(hash);
    }

    /// <summary>Combines values into one well-mixed 64-bit hash; order matters.</summary>
    public static ulong Combine(ulong a, ulong b) => Mix(a ^ (b + 0x9E3779B97F4A7C15UL + (a << 6) + (a >> 2)));

    /// <summary>Combines values into one well-mixed 64-bit hash; order matters.</summary>
    public static ulong Combine(ulong a, ulong b, ulong c) => Combine(Combine(a, b), c);

    /// <summary>The SplitMix64 finaliser: a bijection on 64-bit values with full avalanche.</summary>
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
