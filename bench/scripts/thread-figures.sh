#!/usr/bin/env bash
# The thread figures of bench/README.md ("Threads"), in one go (about 35 minutes on a 2-vCPU host):
# GradLab against PyTorch 1.13 with one thread each and with two threads each (exps 01 08 21, and
# exp 25 on its first 1,280 images), so each row's GradLab figures at 1 and 2 threads also give the
# scaling; then exp 08 with OpenBLAS's own two threads in place of GradLab's pool, and one GEMM both ways.
#   bench/scripts/thread-figures.sh [LOG_DIR]      (default /tmp/gradlab-threads)
# Env: EXPS (default "01 08 21"), REPEAT (default 3), PYTHON, DATA (as compare-pytorch.sh).
# Run it on a quiet machine: it prints `uptime` first and last; a load above the core count makes
# every figure noise. OPENBLAS_CORETYPE is left as found; the table's header says which kernels ran.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOGS="${1:-/tmp/gradlab-threads}"
mkdir -p "$LOGS"
EXPS="${EXPS:-01 08 21}"
REPEAT="${REPEAT:-3}"
{ date -u; uptime; lscpu | sed -n 's/^Model name: *//p'; echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"; } | tee "$LOGS/machine.txt"
"$ROOT/gradlab" --help > /dev/null   # builds if needed
for t in 1 2; do
  THREADS=$t REPEAT="$REPEAT" EPOCHS=3 LOG="$LOGS/compare-$t.log" bash "$ROOT/bench/scripts/compare-pytorch.sh" $EXPS \
    | tee "$LOGS/compare-$t.txt"
  THREADS=$t REPEAT="$REPEAT" EPOCHS=1 LIMIT=1280 LOG="$LOGS/compare-25-$t.log" bash "$ROOT/bench/scripts/compare-pytorch.sh" 25 \
    | tee "$LOGS/compare-25-$t.txt"
done
# OpenBLAS's own threads (each GEMM split by OpenBLAS, everything else on one core) against the pool
for ((r = 1; r <= REPEAT; r++)); do
  GRADLAB_BLAS_THREADS=2 "$ROOT/gradlab" bench epoch --exp 08 --epochs 3 --workers 0 --threads 1 | tee -a "$LOGS/openblas-threads.txt" \
    | grep RESULT
done
# one GEMM (MatmulBench, through the engine): 1 thread; the pool's 2 one-thread calls; OpenBLAS's own 2 threads
for cfg in "1 1" "2 1" "1 2"; do
  read -r pool blas <<< "$cfg"
  echo "GRADLAB_THREADS=$pool GRADLAB_BLAS_THREADS=$blas"
  GRADLAB_THREADS=$pool GRADLAB_BLAS_THREADS=$blas "$ROOT/gradlab" bench kernels '\.MatmulBench' -- \
    -p mnk=512x512x512,64x196x288,128x196x576 -wi 2 -i 3 -f 1 -w 1 -r 1 | tee "$LOGS/matmul-$pool-$blas.txt" | grep 'MatmulBench.matmul '
done
uptime | tee -a "$LOGS/machine.txt"
