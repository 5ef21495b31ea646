"""Draws the configurations of the training-parity comparison (issue 12 §1) from paper 001's Table 2 space as the
issue narrows it for a CPU: conv layers 1-3 with 16-128 filters and kernels 3/5/7, batch norm, global average
pooling, fc layers 1-3 with 2-512 units, Adam's learning rate 1e-5-1 and batch size 16-256 (log scales as in
Table 2). Only active parameters are written, with the names of hocon/spaces/joint-nas-hpo-table2.conf.

Usage: python3 draw_parity_configs.py [--seed 2026] [--count 20] > results/training-parity/configs.json
"""
import argparse
import json
import math
import random


def log_int(rng, lower, upper):
    # Uniform in log space over [lower, upper + 1), floored: every integer gets its share of the log range.
    return min(upper, int(math.exp(rng.uniform(math.log(lower), math.log(upper + 1)))))


def draw(rng):
    conv_layers = rng.randint(1, 3)
    fc_layers = rng.randint(1, 3)
    configuration = {"conv_layers": conv_layers}
    for i in range(1, conv_layers + 1):
        configuration[f"filters_{i}"] = log_int(rng, 16, 128)
        configuration[f"kernel_{i}"] = rng.choice([3, 5, 7])
        configuration[f"batch_norm_{i}"] = rng.random() < 0.5
    configuration["global_avg_pooling"] = rng.random() < 0.5
    configuration["fc_layers"] = fc_layers
    for i in range(1, fc_layers + 1):
        configuration[f"units_{i}"] = log_int(rng, 2, 512)
    configuration["learning_rate"] = math.exp(rng.uniform(math.log(1e-5), math.log(1.0)))
    configuration["batch_size"] = log_int(rng, 16, 256)
    return configuration


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    configurations = [{"id": i, "configuration": draw(rng)} for i in range(args.count)]
    print(json.dumps({
        "description": "issue 12 §1: training parity, Table 2 space narrowed for a CPU; 28x28 images, "
                       "10 000 training and 2 000 validation images, 9 epochs",
        "command": f"python3 src/NasHpo.Benchmarks/draw_parity_configs.py --seed {args.seed} --count {args.count}",
        "imageSize": 28, "trainSubset": 10000, "validationSubset": 2000, "testSubset": 2000,
        "validationFraction": 0.2, "splitSeed": 1, "epochs": 9,
        "configurations": configurations}, indent=1))


if __name__ == "__main__":
    main()
