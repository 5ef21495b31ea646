#!/bin/sh
# The PyTorch side of the training-parity comparison on a GPU machine (issue 12 §1), from the repository root:
#   sh src/NasHpo.Benchmarks/training-parity-gpu.sh DATA.npz OUT_DIR [SEEDS] [PROCESSES]
# DATA.npz comes from `training_parity.py export` (6 MB); needs python3 with PyTorch (CUDA) and NumPy only.
# PROCESSES training processes share the GPU (each takes every n-th (seed, configuration)); results are resumable,
# so a second call after a time-out finishes the rest.
set -eu
data=$1; out=$2; seeds=${3:-1,2,3,4,5}; processes=${4:-10}
mkdir -p "$out"
i=0
while [ $i -lt "$processes" ]; do
  OMP_NUM_THREADS=1 python3 src/NasHpo.Benchmarks/training_parity.py run \
    --configs src/NasHpo.Benchmarks/results/training-parity/configs.json --data "$data" \
    --seeds "$seeds" --device cuda --shard "$i/$processes" --out "$out/pytorch-cuda-$i.json" > "$out/log-$i.txt" 2>&1 &
  i=$((i + 1))
done
wait
cat "$out"/log-*.txt
