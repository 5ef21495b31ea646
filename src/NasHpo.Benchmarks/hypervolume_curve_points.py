#!/usr/bin/env python3
"""Mean and median hypervolume of each method at fixed epoch counts (or seconds), from a compare's curve CSV.

`nashpo compare` writes hypervolume-budget.csv (method, budget_spent, hv_mean, hv_sem, seeds, seed_1, ...): the
hypervolume each run had found at each step of budget spent. This prints, per method, "epochs: mean/median" at a few
epoch counts, the form the real-training curves take in the notes and READMEs. Given hypervolume-wall-time.csv (the
same with wall_time_s in place of budget_spent), the points are seconds of wall clock.

  python3 src/NasHpo.Benchmarks/hypervolume_curve_points.py compare-out/hypervolume-budget.csv [27,54,90,...]
  python3 src/NasHpo.Benchmarks/hypervolume_curve_points.py compare-out/hypervolume-wall-time.csv 60,180,300,420,600
"""
import collections
import csv
import statistics
import sys


def main():
    points = [float(p) for p in sys.argv[2].split(",")] if len(sys.argv) > 2 else [27, 54, 69, 90, 120, 150, 180, 210, 240, 270]
    series = collections.defaultdict(list)
    with open(sys.argv[1], encoding="utf-8") as f:
        for row in csv.DictReader(f):
            values = [float(v) for k, v in row.items() if k.startswith("seed_") and v != ""]
            step = row["budget_spent"] if "budget_spent" in row else row["wall_time_s"]
            series[row["method"]].append((float(step), values))
    for method, steps in series.items():
        shown = []
        for point in points:
            # The last step at or before the point: the curve is a step function.
            values = next((v for b, v in reversed(steps) if b <= point + 1e-9), None)
            shown.append(f"{point:g}: " + ("-" if not values else f"{statistics.mean(values):.3f}/{statistics.median(values):.3f}"))
        print(f"{method:13s} " + " | ".join(shown))


if __name__ == "__main__":
    main()
