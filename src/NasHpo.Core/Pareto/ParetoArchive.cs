namespace NasHpo.Core.Pareto;

/// <summary>
/// "The front", the one definition the engine, the read side and <c>compare</c> share: the points no other admitted
/// point dominates, in the order they were admitted, and of equal points only the first. Points are admitted one at a
/// time (a study's evaluations in the order the archive recorded them), so a live study, its journal read back and a
/// comparison of finished runs all arrive at the same members. Which points are offered (a study offers its
/// evaluations at the maximum budget) is the caller's choice; the front is the same in recorded and minimisation form
/// as long as the points are all in one of them, since a scale only maps values monotonically.
/// </summary>
/// <typeparam name="T">what a point belongs to (an evaluation, a trial, a sampled point)</typeparam>
internal sealed class ParetoArchive<T>
{
    private readonly List<(T Item, double[] Point)> _members;

    public ParetoArchive() => _members = [];

    private ParetoArchive(List<(T Item, double[] Point)> members) => _members = members;

    /// <summary>The members, oldest first.</summary>
    public IReadOnlyList<T> Members => _members.Select(m => m.Item).ToArray();

    /// <summary>The members' points, in the order of <see cref="Members"/>.</summary>
    public IReadOnlyList<double[]> Points => _members.Select(m => m.Point).ToArray();

    public int Count => _members.Count;

    /// <summary>
    /// Adds <paramref name="item"/> unless a member dominates or equals its point, removing the members it
    /// dominates; returns whether the front changed.
    /// </summary>
    public bool Admit(T item, IReadOnlyList<double> point)
    {
        ArgumentNullException.ThrowIfNull(point);
        var copy = point.ToArray();
        if (_members.Any(member => Dominance.Dominates(member.Point, copy) || member.Point.AsSpan().SequenceEqual(copy)))
        {
            return false;
        }

        _members.RemoveAll(member => Dominance.Dominates(copy, member.Point));
        _members.Add((item, copy));
        return true;
    }

    /// <summary>An independent copy, to try admissions on without changing this one.</summary>
    public ParetoArchive<T> Copy() => new([.. _members]);
}

/// <summary>The front of a list of points at once.</summary>
internal static class ParetoArchive
{
    /// <summary>The indices of the front's members (see <see cref="ParetoArchive{T}"/>), admitted in list order, ascending.</summary>
    public static IReadOnlyList<int> FrontIndices(IReadOnlyList<IReadOnlyList<double>> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var archive = new ParetoArchive<int>();
        for (var i = 0; i < points.Count; i++)
        {
            archive.Admit(i, points[i]);
        }

        return archive.Members.Order().ToArray();
    }
}
