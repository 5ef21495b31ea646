#!/usr/bin/env python3
"""Issue 12 §1: the engine's training against a plain PyTorch loop, configuration by configuration.

The PyTorch side trains with src/examples/pytorch/train_table2.py (same network, initial distribution, data,
split, normalisation, batch order rule and Adam as src/NasHpo.Training); the engine's side is
`dotnet run -c Release --project src/NasHpo.Benchmarks -- training-parity ...` (TrainingParity.cs).

  export   writes the configs file's images (the seeded split's first 10 000 training, 2 000 validation and
           2 000 test images, as uint8, with their indices) to one compressed .npz: the data travels to a machine
           without Debian's dataset, and both sides see the same images.
  run      trains every configuration for every seed, nine epochs, recording the validation and test error after
           every epoch; resumable (each result is written as soon as it finishes); --shard i/n splits the work
           between processes (say, several on one GPU).
  compare  the per-configuration table: mean and spread over seeds of each side, and the difference.

  python3 training_parity.py export --configs results/training-parity/configs.json --out fashion-parity.npz
  python3 training_parity.py run --configs results/training-parity/configs.json --data fashion-parity.npz \
      --seeds 1,2,3 --device cuda --out results/training-parity/pytorch-cuda.json
  python3 training_parity.py compare --configs results/training-parity/configs.json \
      --ours results/training-parity/torchsharp-cpu.json --pytorch results/training-parity/pytorch-*.json
"""
import argparse
import glob
import json
import math
import os
import platform
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "examples", "pytorch"))
import train_table2 as t  # noqa: E402  (the example script is the PyTorch side)


def read_configs(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def export(args):
    spec = read_configs(args.configs)
    x_train, y_train, x_val, y_val, x_test, y_test = t.load_raw(args.data, spec["validationFraction"], spec["splitSeed"])
    n_train, n_val, n_test = spec["trainSubset"], spec["validationSubset"], spec["testSubset"]
    order = np.array(t.split_order(len(x_train) + len(x_val), spec["splitSeed"]), dtype=np.int64)
    validation_count = len(x_val)
    np.savez_compressed(
        args.out,
        x_train=x_train[:n_train], y_train=y_train[:n_train],
        x_val=x_val[:n_val], y_val=y_val[:n_val],
        x_test=x_test[:n_test], y_test=y_test[:n_test],
        # Indices into the 60 000 training images (validation, training) and the test file.
        train_index=order[validation_count:][:n_train], val_index=order[:validation_count][:n_val],
        test_index=np.arange(n_test))
    print(f"wrote {args.out}: {n_train} training, {n_val} validation, {n_test} test images "
          f"(split seed {spec['splitSeed']}, validation fraction {spec['validationFraction']})")


def load_results(path):
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f)["results"]
    return []


def write_results(path, results, document):
    document = dict(document, results=results)
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=1)
    os.replace(temporary, path)


def run(args):
    import torch
    spec = read_configs(args.configs)
    device = torch.device(args.device if args.device != "cuda" or torch.cuda.is_available() else "cpu")
    if args.threads:
        torch.set_num_threads(args.threads)
    data = t.load_data(args.data, spec["imageSize"], spec["trainSubset"], spec["validationSubset"], spec["testSubset"],
                       spec["validationFraction"], spec["splitSeed"])
    seeds = [int(s) for s in args.seeds.split(",")]
    shard, shards = (int(v) for v in args.shard.split("/"))
    # Every configuration once before any twice, cheapest first (as TrainingParity.cs orders them): a run cut short
    # by time then covers the most configurations.
    cost = lambda c: (t.multiply_accumulates(t.build_network(t.spec_of(c["configuration"]), spec["imageSize"]), spec["imageSize"]), c["id"])
    work = [(seed, c) for seed in seeds for c in sorted(spec["configurations"], key=cost)]
    work = [w for i, w in enumerate(work) if i % shards == shard]
    results = load_results(args.out)
    done = {(r["id"], r["seed"]) for r in results}
    document = {"implementation": f"PyTorch {torch.__version__} (src/examples/pytorch/train_table2.py)",
                "device": str(device) + (f" ({torch.cuda.get_device_name(0)})" if device.type == "cuda" else f" ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"),
                "command": " ".join([os.path.basename(sys.executable)] + sys.argv)}
    for seed, configuration in work:
        if (configuration["id"], seed) in done:
            continue
        result = train_one(configuration, seed, spec["epochs"], data, device, spec["imageSize"])
        results.append(result)
        write_results(args.out, results, document)
        print(f"config {result['id']} seed {seed}: val-error {[round(v, 4) for v in result['valErrors']]} "
              f"({result['seconds']:.0f} s){' diverged' if result['diverged'] else ''}", flush=True)


def train_one(configuration, seed, epochs, data, device, image_size):
    spec = t.spec_of(configuration["configuration"])
    # One seed per (seed, configuration), as the engine derives one from its seed and the configuration.
    trainer = t.Trainer(spec, data, t.combine(seed, configuration["id"]), device, image_size)
    validation, test, losses = [], [], []

    def on_epoch(tr):
        val_error, test_error = tr.errors()
        validation.append(val_error)
        test.append(test_error)
        losses.append(tr.last_loss)
        return {"epoch": tr.epochs_done(), "val-error": val_error}

    started = time.perf_counter()
    diverged = False
    try:
        trainer.train(epochs, None, on_epoch, print_reports=False)
    except t.Diverged:
        diverged = True
    return {"id": configuration["id"], "seed": seed, "params": trainer.parameters, "valErrors": validation,
            "testErrors": test, "trainLosses": losses, "diverged": diverged,
            "seconds": time.perf_counter() - started}


def final_error(result, epochs):
    """The validation error after the last epoch; a run that diverged counts as guessing (0.9), as a failed trial
    leaves no result in a study either way."""
    if result["diverged"] or len(result["valErrors"]) < epochs:
        return 0.9
    return result["valErrors"][-1]


def summary(values):
    if not values:
        return None, None
    mean = sum(values) / len(values)
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else float("nan")
    return mean, spread


def compare(args):
    spec = read_configs(args.configs)
    epochs = spec["epochs"]
    ours = load_results(args.ours)
    pytorch = [r for pattern in args.pytorch for path in sorted(glob.glob(pattern)) for r in load_results(path)]
    lines = [f"| config | params (ours / PyTorch) | lr | batch | ours: val error after {epochs} epochs, per seed | ours mean | "
             "PyTorch: per seed | PyTorch mean ± sd | ours − PyTorch |",
             "|---|---|---|---|---|---|---|---|---|"]
    differences = []
    for c in spec["configurations"]:
        a = [r for r in ours if r["id"] == c["id"]]
        b = [r for r in pytorch if r["id"] == c["id"]]
        if not a and not b:
            continue
        fa = [final_error(r, epochs) for r in sorted(a, key=lambda r: r["seed"])]
        fb = [final_error(r, epochs) for r in sorted(b, key=lambda r: r["seed"])]
        ma, _ = summary(fa)
        mb, sb = summary(fb)
        params = f"{int(a[0]['params']) if a else '–'} / {int(b[0]['params']) if b else '–'}"
        mark = lambda r, v: f"{v:.3f}{'*' if r['diverged'] else ''}"
        diff = f"{ma - mb:+.3f}" if a and b else "–"
        if a and b:
            differences.append(ma - mb)
        cfg = c["configuration"]
        lines.append(f"| {c['id']} | {params} | {cfg['learning_rate']:.2g} | {cfg['batch_size']} | "
                     f"{', '.join(mark(r, v) for r, v in zip(sorted(a, key=lambda r: r['seed']), fa)) or '–'} | "
                     f"{'%.3f' % ma if a else '–'} | "
                     f"{', '.join(mark(r, v) for r, v in zip(sorted(b, key=lambda r: r['seed']), fb)) or '–'} | "
                     f"{'%.3f ± %.3f' % (mb, sb) if b else '–'} | {diff} |")
    if differences:
        mean, spread = summary(differences)
        lines.append("")
        lines.append(f"{len(differences)} configurations on both sides: ours − PyTorch, mean {mean:+.4f}"
                     + (f", sd {spread:.4f}, standard error {spread / math.sqrt(len(differences)):.4f}" if len(differences) > 1 else "")
                     + ". `*`: diverged (NaN loss), counted as 0.9.")
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    e = commands.add_parser("export")
    e.add_argument("--configs", required=True)
    e.add_argument("--data", default=t.DEBIAN_DATA)
    e.add_argument("--out", required=True)
    r = commands.add_parser("run")
    r.add_argument("--configs", required=True)
    r.add_argument("--data", default=t.DEBIAN_DATA, help="the exported .npz, or the IDX folder")
    r.add_argument("--seeds", default="1,2")
    r.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N")
    r.add_argument("--threads", type=int, default=0, help="CPU threads (0: PyTorch's default)")
    r.add_argument("--shard", default="0/1", help="i/n: only every n-th (seed, configuration), from the i-th")
    r.add_argument("--out", required=True)
    c = commands.add_parser("compare")
    c.add_argument("--configs", required=True)
    c.add_argument("--ours", required=True)
    c.add_argument("--pytorch", nargs="+", required=True)
    c.add_argument("--out")
    args = parser.parse_args()
    {"export": export, "run": run, "compare": compare}[args.command](args)


if __name__ == "__main__":
    main()
