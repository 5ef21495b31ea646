#!/usr/bin/env python3
"""Where each method's median regret curve is worse than random search's, after a given budget.

Reads the regret-budget.csv that `nashpo compare` writes for a tabular study (one row per method and budget step:
method, budget_spent, regret_mean, regret_sem, regret_median, seeds) and prints, for every method but random search,
its median regret at 90 epochs and at the end beside random search's, and the budget steps from START on (default 69,
the end of the first Hyperband iteration for budgets 1-9 and eta 3) where its median is above random search's.

  python3 src/NasHpo.Benchmarks/regret_curve_check.py compare-tabular/regret-budget.csv [START]
"""
import collections
import csv
import sys


def main():
    path = sys.argv[1]
    start = float(sys.argv[2]) if len(sys.argv) > 2 else 69.0
    series = collections.defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            series[row["method"]].append((float(row["budget_spent"]), float(row["regret_median"])))
    random = series["random"]

    def at(points, budget):
        # The last value recorded at or before the budget: the curve is a step function.
        value = None
        for spent, regret in points:
            if spent > budget + 1e-9:
                break
            value = regret
        return value

    grid = [spent for spent, _ in random if spent >= start]
    for method, points in series.items():
        if method == "random":
            continue
        worse = [round(b, 1) for b in grid if at(points, b) is not None and at(points, b) > at(random, b) + 1e-12]
        shown = ", ".join(str(b) for b in worse[:12]) + (", ..." if len(worse) > 12 else "")
        print(f"{method:13s} median regret at the last step up to 90: {at(points, 90):.4f} (random {at(random, 90):.4f}); "
              f"at the end {points[-1][1]:.4f} (random {random[-1][1]:.4f}); "
              f"worse than random at {len(worse)} of {len(grid)} steps from {start:g}: [{shown}]")


if __name__ == "__main__":
    main()
