#!/bin/bash
# Second, short check: the PyTorch example study on cuda:0 with two trials at once on the GPU (first bracket only),
# bringing back only small files (status, trials, curves, timeline); checkpoints stay there.
set -u
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1
root=$(pwd); work=/tmp/g2; mkdir -p $work
echo "nproc $(nproc); cpus $(grep -c ^processor /proc/cpuinfo)" > $OUT/machine.txt
mkdir -p $work/cli && tar xJf .gpu/nashpo.tar.xz -C $work/cli
nashpo=$work/cli/pubslim/nashpo
data=$root/.gpu/fmnist-parity.npz
start=$(date +%s)
timeout 150 $nashpo run hocon/studies/pytorch-table2.conf --study-id gpu-example --db $work/example.db \
  --set 'devices=["cuda:0","cuda:0"]' \
  --set 'problem.command=["python3","train_table2.py","--image-size","16","--train-subset","5000","--validation-subset","1000","--test-subset","1000","--split-seed","1"]' \
  --set 'problem.cheap-command=["python3","train_table2.py","--count-params","--image-size","16"]' \
  --set "problem.environment.FASHION_MNIST=\"$data\"" --set stop.max-evaluations=13 > $OUT/example-run.log 2>&1
echo "rc=$? seconds=$(( $(date +%s) - start ))" >> $OUT/machine.txt
$nashpo status gpu-example --db $work/example.db --json > $OUT/status.json 2>&1
$nashpo report gpu-example --db $work/example.db --out $work/report > /dev/null 2>&1
cp $work/report/trials.csv $work/report/curves.csv $OUT/ 2>/dev/null
ls $work/example.db.checkpoints/gpu-example 2>/dev/null | head -20 >> $OUT/machine.txt
tail -3 $work/example.db.checkpoints/gpu-example/*.log 2>/dev/null | head -40 > $OUT/trial-logs.txt
cat $OUT/machine.txt; cat $OUT/status.json
