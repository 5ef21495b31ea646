#!/bin/bash
# One prepared check on the GPU machine: (1) the PyTorch side of the training-parity comparison, (2) the PyTorch
# example study on cuda:0 with two trials at once on the GPU, (3) issue 12's real-training protocol: MO-BOHB and
# random search, 3 seeds each, 270 epochs per study. Everything comes back as one archive.
set -u
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
root=$(pwd); work=/tmp/gpucheck; mkdir -p $work/res
log() { echo "[$(date +%T)] $*" | tee -a $work/res/timeline.txt; }
log start
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > $work/res/gpu.txt 2>&1
python3 -c "import torch,numpy; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'numpy', numpy.__version__)" >> $work/res/gpu.txt 2>&1
nproc >> $work/res/gpu.txt
mkdir -p $work/cli && tar xJf .gpu/nashpo.tar.xz -C $work/cli
nashpo=$work/cli/pubslim/nashpo
$nashpo --version >> $work/res/gpu.txt 2>&1
data=$root/.gpu/fmnist-parity.npz
log unpacked

# (1) parity, PyTorch side on cuda, 3 seeds, 8 processes (background)
( sh src/NasHpo.Benchmarks/training-parity-gpu.sh $data $work/res/parity 1,2,3 8 > $work/res/parity-run.log 2>&1; log parity-done ) &
parity=$!

# (2) the example study, two slots on one GPU
log example-start
timeout 120 $nashpo run hocon/studies/pytorch-table2.conf --study-id gpu-example --db $work/res/example.db \
  --set 'devices=["cuda:0","cuda:0"]' \
  --set 'problem.command=["python3","train_table2.py","--image-size","16","--train-subset","10000","--validation-subset","2000","--test-subset","2000","--split-seed","1"]' \
  --set 'problem.cheap-command=["python3","train_table2.py","--count-params","--image-size","16"]' \
  --set "problem.environment.FASHION_MNIST=\"$data\"" --set stop.max-evaluations=40 > $work/res/example-run.log 2>&1
log "example-end rc=$?"
$nashpo report gpu-example --db $work/res/example.db --out $work/res/example-report > /dev/null 2>&1
wait $parity

# (3) issue 12's protocol: mo-bohb and random, seeds 1-3, three slots each on the one GPU, 270 epochs each
log protocol-start
for seed in 1 2 3; do
  for method in mo-bohb random; do
    timeout 290 $nashpo run hocon/studies/pytorch-table2-issue12.conf --study-id $method-s$seed --seed $seed \
      --db $work/res/protocol-$method-s$seed.db --set optimizer.type=$method \
      --set 'devices=["cuda:0","cuda:0","cuda:0"]' --set "problem.environment.FASHION_MNIST=\"$data\"" \
      --set stop.max-wall-clock=270s > $work/res/protocol-$method-s$seed.log 2>&1 &
  done
done
wait
log protocol-end
for seed in 1 2 3; do for method in mo-bohb random; do
  $nashpo status $method-s$seed --db $work/res/protocol-$method-s$seed.db --json >> $work/res/protocol-status.jsonl 2>&1
done; done
tar czf $OUT/gpucheck.tar.gz -C $work res
log packed
cp $work/res/timeline.txt $work/res/gpu.txt $OUT/ 2>/dev/null
cat $work/res/protocol-status.jsonl | cut -c1-300
