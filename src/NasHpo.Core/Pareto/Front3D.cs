namespace NasHpo.Core.Pareto;

/// <summary>
/// A set of mutually non-dominated three-objective points that reports, for each point inserted, the volume it adds:
/// the step of the four-objective sweep in the spirit of HV4D (Guerreiro and Fonseca 2018). The points are kept in two
/// orders, by x and by z. The added volume of p is found by sweeping z upward from p: the points below p, taken in x
/// order, give in one linear pass the part of p's (x, y) box already covered; each point above p then covers more of
/// it, until a point whose (x, y) is no worse than p's closes the box. Linear per insertion apart from the small
/// staircase updates, so O(n²) for n insertions.
/// </summary>
internal sealed class Front3D
{
    private readonly double _referenceX;
    private readonly double _referenceY;
    private readonly double _referenceZ;
    private readonly double[] _x;
    private readonly double[] _y;
    private readonly double[] _z;
    private readonly double[] _stairX;
    private readonly double[] _stairY;
    private int[] _byX;
    private int[] _byZ;
    private int[] _spare;
    private int _count;
    private int _slots;
    private int _stairCount;

    public Front3D(int capacity, double referenceX, double referenceY, double referenceZ)
    {
        _referenceX = referenceX;
        _referenceY = referenceY;
        _referenceZ = referenceZ;
        _x = new double[capacity];
        _y = new double[capacity];
        _z = new double[capacity];
        _stairX = new double[capacity + 1];
        _stairY = new double[capacity + 1];
        _byX = new int[capacity];
        _byZ = new int[capacity];
        _spare = new int[capacity];
    }

    /// <summary>
    /// Adds (px, py, pz) and returns the volume it adds; a point weakly dominated by a member adds nothing and is not
    /// kept. Members the new point dominates are dropped.
    /// </summary>
    public double Insert(double px, double py, double pz)
    {
        if (!CoverBelow(px, py, pz, out var covered))
        {
            return 0.0;
        }

        var boxArea = (_referenceX - px) * (_referenceY - py);
        var added = 0.0;
        var lastZ = pz;
        var closed = false;
        for (var k = FirstAbove(pz); k < _count; k++)
        {
            var id = _byZ[k];
            var z = _z[id];
            added += (boxArea - covered) * (z - lastZ);
            lastZ = z;
            var x = _x[id];
            var y = _y[id];
            if (x <= px && y <= py)
            {
                closed = true;
                break;
            }

            covered += AddToStaircase(Math.Max(x, px), Math.Max(y, py));
        }

        if (!closed)
        {
            added += (boxArea - covered) * (_referenceZ - lastZ);
        }

        Store(px, py, pz);
        return added;
    }

    // Builds the staircase of the members with z <= pz clipped to p's box, in one pass in x order; false when one of
    // them weakly dominates p.
    private bool CoverBelow(double px, double py, double pz, out double covered)
    {
        _stairCount = 0;
        covered = 0.0;
        var lowestY = _referenceY;
        for (var k = 0; k < _count; k++)
        {
            var id = _byX[k];
            if (_z[id] > pz)
            {
                continue;
            }

            var x = _x[id];
            var y = _y[id];
            if (x <= px && y <= py)
            {
                return false;
            }

            var cy = Math.Max(y, py);
            if (cy < lowestY)
            {
                var cx = Math.Max(x, px);
                if (_stairCount > 0 && _stairX[_stairCount - 1] == cx)
                {
                    _stairY[_stairCount - 1] = cy;
                }
                else
                {
                    _stairX[_stairCount] = cx;
                    _stairY[_stairCount] = cy;
                    _stairCount++;
                }

                lowestY = cy;
            }
        }

        for (var s = 0; s < _stairCount; s++)
        {
            var right = s + 1 < _stairCount ? _stairX[s + 1] : _referenceX;
            covered += (right - _stairX[s]) * (_referenceY - _stairY[s]);
        }

        return true;
    }

    // Adds a clipped point to the staircase (x ascending, y strictly descending) and returns the area it adds.
    private double AddToStaircase(double cx, double cy)
    {
        // Last step with x <= cx.
        var low = 0;
        var high = _stairCount;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_stairX[middle] <= cx)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        var predecessor = low - 1;
        if (predecessor >= 0 && _stairY[predecessor] <= cy)
        {
            return 0.0;
        }

        // A step at the same x but higher is dominated by the new one: it is removed below, and the bound comes from
        // the step before it.
        var firstRemoved = predecessor + 1;
        if (predecessor >= 0 && _stairX[predecessor] == cx)
        {
            firstRemoved = predecessor;
            predecessor--;
        }

        var height = predecessor >= 0 ? _stairY[predecessor] : _referenceY;
        var left = cx;
        var gain = 0.0;
        var end = firstRemoved;
        while (end < _stairCount && _stairY[end] >= cy)
        {
            gain += (_stairX[end] - left) * (height - cy);
            height = _stairY[end];
            left = _stairX[end];
            end++;
        }

        var right = end < _stairCount ? _stairX[end] : _referenceX;
        gain += (right - left) * (height - cy);

        var removed = end - firstRemoved;
        if (removed != 1)
        {
            var tail = _stairCount - end;
            Array.Copy(_stairX, end, _stairX, firstRemoved + 1, tail);
            Array.Copy(_stairY, end, _stairY, firstRemoved + 1, tail);
            _stairCount += 1 - removed;
        }

        _stairX[firstRemoved] = cx;
        _stairY[firstRemoved] = cy;
        return gain;
    }

    private int FirstAbove(double pz)
    {
        var low = 0;
        var high = _count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_z[_byZ[middle]] <= pz)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private void Store(double px, double py, double pz)
    {
        var id = _slots++;
        _x[id] = px;
        _y[id] = py;
        _z[id] = pz;
        var kept = 0;
        _byX = Merge(_byX, _x, px, id, py, pz, ref kept);
        _byZ = Merge(_byZ, _z, pz, id, py, pz, ref kept);
        _count = kept;
    }

    // Rewrites one order without the members p dominates and with p in its place; the spare array takes turns.
    private int[] Merge(int[] order, double[] key, double pKey, int id, double py, double pz, ref int kept)
    {
        var px = _x[id];
        var target = _spare;
        var written = 0;
        var placed = false;
        for (var k = 0; k < _count; k++)
        {
            var member = order[k];
            if (_x[member] >= px && _y[member] >= py && _z[member] >= pz)
            {
                continue;
            }

            if (!placed && key[member] > pKey)
            {
                target[written++] = id;
                placed = true;
            }

            target[written++] = member;
        }

        if (!placed)
        {
            target[written++] = id;
        }

        _spare = order;
        kept = written;
        return target;
    }
}
