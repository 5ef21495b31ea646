#!/usr/bin/env python3
"""A dependency-free trial program for nashpo's command workload (problem.type = command).

It "trains" for --epochs epochs: each epoch moves a loss towards the quadratic bowl (x-2)^2 + (y-1)^2 (plus
shift^2 when --shift is given), so a larger budget gives a lower loss, and reports it:

    NASHPO_REPORT {"epoch": 3, "loss": 1.27}

The last report gives both objectives of the study, "loss" and "size" (x^2 + y^2, which conflicts with the loss,
so the study has a Pareto front). `--cheap` prints only the cheap objective ("size") and exits, for cheap-command.

Checkpoints follow the protocol: the state is written atomically to $NASHPO_CHECKPOINT_DIR/state.json after every
epoch; a trial first resumes from its own directory (it was interrupted), else continues from
$NASHPO_PARENT_CHECKPOINT_DIR (it was promoted), else starts from scratch. The metric "start-epoch" says which.

For tests, QUADRATIC_FAIL makes it misbehave: exit (exit code 3 after a line on stderr), nan (a NaN loss),
missing (no "size" in the last report), hang (never ends), or crash-after=N (exit 9 after epoch N, once per
trial: a rerun finds the marker in its checkpoint directory). QUADRATIC_EPOCH_SECONDS sleeps per epoch.
"""

import argparse
import json
import math
import os
import sys
import time


def report(**values):
    print("NASHPO_REPORT " + json.dumps(values), flush=True)


def load_state(directory):
    if not directory:
        return None
    path = os.path.join(directory, "state.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def save_state(directory, state):
    path = os.path.join(directory, "state.json")
    temporary = path + ".tmp"
    with open(temporary, "w") as f:
        json.dump(state, f)
    os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--x", type=float, required=True)
    parser.add_argument("--y", type=float, required=True)
    parser.add_argument("--shift", type=float, default=0.0)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--cheap", action="store_true")
    args = parser.parse_args()

    size = args.x ** 2 + args.y ** 2
    if args.cheap:
        report(size=size)
        return 0

    failure = os.environ.get("QUADRATIC_FAIL", "")
    if failure == "exit":
        print("quadratic.py: failing on purpose", file=sys.stderr)
        return 3
    if failure == "hang":
        print("hanging on purpose", flush=True)
        while True:
            time.sleep(1)

    # The request file holds everything; read it to show it is there (and check the trial's name).
    with open(os.environ["NASHPO_REQUEST"]) as f:
        request = json.load(f)
    assert request["trial"] == os.environ["NASHPO_TRIAL"], "the request file and NASHPO_TRIAL disagree"

    own = os.environ["NASHPO_CHECKPOINT_DIR"]
    state = load_state(own)
    start_from = "own"
    if state is None:
        state = load_state(os.environ.get("NASHPO_PARENT_CHECKPOINT_DIR"))
        start_from = "parent"
    if state is None:
        state = {"epoch": 0, "progress": 0.0, "crashed": False}
        start_from = "scratch"
    start_epoch = state["epoch"]
    print(f"starting at epoch {start_epoch} from {start_from} on {os.environ['NASHPO_DEVICE']}", flush=True)

    target = (args.x - 2) ** 2 + (args.y - 1) ** 2 + args.shift ** 2
    pause = float(os.environ.get("QUADRATIC_EPOCH_SECONDS", "0"))
    loss = target + 1.0
    for epoch in range(start_epoch + 1, args.epochs + 1):
        if pause > 0:
            time.sleep(pause)
        state["epoch"] = epoch
        state["progress"] = 1.0 - 0.5 ** epoch
        loss = target + 0.5 ** epoch
        if failure == "nan":
            loss = math.nan
        if failure.startswith("crash-after=") and epoch == int(failure.split("=")[1]) and not state.get("crashed"):
            state["crashed"] = True
            save_state(own, state)
            print(f"crashing on purpose after epoch {epoch}", file=sys.stderr, flush=True)
            return 9
        save_state(own, state)
        report(epoch=epoch, loss=loss)

    if start_epoch >= args.epochs:
        loss = target + 0.5 ** state["epoch"]
    final = {"epoch": max(args.epochs, start_epoch), "loss": loss, "start-epoch": start_epoch}
    if failure != "missing":
        final["size"] = size
    report(**final)
    return 0


if __name__ == "__main__":
    sys.exit(main())
