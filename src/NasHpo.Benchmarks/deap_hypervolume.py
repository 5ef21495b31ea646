"""Times deap's C hypervolume (Fonseca et al.'s algorithm) on the fronts ParetoBenchmarks writes.

Input file: for each case a header line "dimension count runs ref_1 .. ref_d", then count lines of coordinates.
Output (stdout): one JSON object {"cases": [{"dimension", "count", "value", "median_ms", "runs_ms"}]}.
Points are passed as lists of lists, the fastest input form for the extension.
"""
import json
import statistics
import sys
import time


def main():
    try:
        from deap.tools._hypervolume import hv
    except ImportError as error:
        print(json.dumps({"error": "deap is not importable: %s" % error}))
        return 0

    cases = []
    with open(sys.argv[1]) as source:
        lines = iter(source)
        for header in lines:
            fields = header.split()
            if not fields:
                continue
            dimension, count, runs = int(fields[0]), int(fields[1]), int(fields[2])
            reference = [float(x) for x in fields[3:3 + dimension]]
            points = [[float(x) for x in next(lines).split()] for _ in range(count)]
            value = hv.hypervolume(points, reference)
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                value = hv.hypervolume(points, reference)
                times.append((time.perf_counter() - start) * 1000.0)
            cases.append({"dimension": dimension, "count": count, "value": value,
                          "median_ms": statistics.median(times), "runs_ms": times})
    print(json.dumps({"cases": cases}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
