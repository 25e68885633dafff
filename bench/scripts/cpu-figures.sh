#!/usr/bin/env bash
# Every CPU figure in bench/README.md, in one go (about 20 minutes on a 2-core host):
# the JMH kernel tables (batch 32), per-op profiles of exps 01 and 08 (GradLab and PyTorch) and the
# epoch ratios against PyTorch.
#   bench/scripts/cpu-figures.sh [LOG_DIR]      (default /tmp/gradlab-figures)
# OpenBLAS picks its kernels for this CPU unless OPENBLAS_CORETYPE forces a core type; the
# script reports which, and KEEP_CORETYPE=1 keeps a forced setting (by default it is unset for
# these runs, as on a user's machine).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOGS="${1:-/tmp/gradlab-figures}"
mkdir -p "$LOGS"
if [ -z "${KEEP_CORETYPE:-}" ] && [ -n "${OPENBLAS_CORETYPE:-}" ]; then
  echo "unsetting OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for these runs (KEEP_CORETYPE=1 keeps them)"
  unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
fi
# one thread each, as the tables say: the kernels' pool (GRADLAB_THREADS, also read by JMH's forked JVMs)
# and OpenBLAS; the two-thread figures come from compare-pytorch.sh with THREADS=2
export GRADLAB_THREADS=1
"$ROOT/gradlab" --help > /dev/null   # builds if needed
JMH=(-wi 2 -i 3 -f 1 -w 1 -r 1)
# one call, so the derived table can set each conv against its equal GEMM (GFLOP/s, share, ns per element)
"$ROOT/gradlab" bench kernels '^org.gradlab.bench.(Matmul|Conv|PoolNorm|Elementwise)Bench' -- -p batch=32 "${JMH[@]}" 2>&1 \
  | tee "$LOGS/kernels.txt" | sed -n '/^Benchmark /,$p' 
for e in 01 08; do   # where the time goes, per op: GradLab's op profiler and torch.profiler, one epoch each
  GRADLAB_BLAS_THREADS=1 "$ROOT/gradlab" bench epoch --exp "$e" --epochs 2 --workers 0 --threads 1 --profile | tee "$LOGS/profile-$e.txt"
  OMP_NUM_THREADS=1 "${PYTHON:-/usr/bin/python3}" "$ROOT/bench/scripts/pytorch_epoch.py" --exp "$e" --epochs 1 --threads 1 \
    --data "${DATA:-$ROOT/../shared/data/dermamnist_jpeg.npz}" --profile | tee "$LOGS/profile-$e-pytorch.txt"
done
EPOCHS=3 LOG="$LOGS/compare-small.log" bash "$ROOT/bench/scripts/compare-pytorch.sh" 01 08 21 | tee "$LOGS/compare-small.txt"
REPEAT="${REPEAT:-3}" EPOCHS=1 LIMIT=1280 LOG="$LOGS/compare-25.log" bash "$ROOT/bench/scripts/compare-pytorch.sh" 25 | tee "$LOGS/compare-25.txt"
