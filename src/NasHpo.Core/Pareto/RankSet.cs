using System.Numerics;

namespace NasHpo.Core.Pareto;

/// <summary>
/// A set of integers in [0, capacity) with predecessor and successor queries in O(log64 capacity): a tree of bit words
/// where each bit of a level says whether the word below it is non-empty. It replaces a balanced search tree in the
/// three-objective sweep, where the keys are ranks known in advance.
/// </summary>
internal sealed class RankSet
{
    private readonly ulong[][] _levels;

    public RankSet(int capacity)
    {
        var levels = new List<ulong[]>();
        var size = Math.Max(capacity, 1);
        do
        {
            size = (size + 63) >> 6;
            levels.Add(new ulong[size]);
        }
        while (size > 1);
        _levels = [.. levels];
    }

    public void Add(int value)
    {
        for (var level = 0; level < _levels.Length; level++)
        {
            ref var word = ref _levels[level][value >> 6];
            var wasEmpty = word == 0;
            word |= 1UL << (value & 63);
            if (!wasEmpty)
            {
                return;
            }

            value >>= 6;
        }
    }

    public void Remove(int value)
    {
        for (var level = 0; level < _levels.Length; level++)
        {
            ref var word = ref _levels[level][value >> 6];
            word &= ~(1UL << (value & 63));
            if (word != 0)
            {
                return;
            }

            value >>= 6;
        }
    }

    /// <summary>The smallest member greater than value, or -1.</summary>
    public int Successor(int value)
    {
        var level = 0;
        while (true)
        {
            if (level == _levels.Length)
            {
                return -1;
            }

            var bit = value & 63;
            var word = value >> 6;
            var mask = bit == 63 ? 0 : _levels[level][word] & (ulong.MaxValue << (bit + 1));
            if (mask != 0)
            {
                value = (word << 6) + BitOperations.TrailingZeroCount(mask);
                break;
            }

            value = word;
            level++;
        }

        while (level > 0)
        {
            level--;
            value = (value << 6) + BitOperations.TrailingZeroCount(_levels[level][value]);
        }

        return value;
    }

    /// <summary>The largest member smaller than value, or -1.</summary>
    public int Predecessor(int value)
    {
        var level = 0;
        while (true)
        {
            if (level == _levels.Length)
            {
                return -1;
            }

            var bit = value & 63;
            var word = value >> 6;
            var mask = _levels[level][word] & ((1UL << bit) - 1);
            if (mask != 0)
            {
                value = (word << 6) + 63 - BitOperations.LeadingZeroCount(mask);
                break;
            }

            value = word;
            level++;
        }

        while (level > 0)
        {
            level--;
            value = (value << 6) + 63 - BitOperations.LeadingZeroCount(_levels[level][value]);
        }

        return value;
    }
}
