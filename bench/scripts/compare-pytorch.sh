#!/usr/bin/env bash
# Same experiment, same data, same batch size, same thread count: GradLab vs PyTorch on this machine.
#   bench/scripts/compare-pytorch.sh [EXP...]        (default: 01 08 21 25)
# Env: DATA (npz, default ../shared/data/dermamnist_jpeg.npz), EPOCHS (timed epochs, default 3),
#      LIMIT (first N training images), PYTHON (default /usr/bin/python3 with Debian's python3-torch),
#      WORKERS (GradLab data-loading threads, default 0: batches are built on the training thread,
#      as pytorch_epoch.py does, so both use exactly THREADS threads),
#      THREADS (default 1: GradLab --threads and PyTorch set_num_threads/OMP_NUM_THREADS, the same on both sides),
#      BLAS_THREADS (GradLab's OpenBLAS threads inside each GEMM, default 1; with THREADS=1 and BLAS_THREADS=N
#      GradLab uses OpenBLAS's own threads instead of its pool),
#      LOG (where the full output of every run goes, default /tmp/gradlab-compare.log),
#      REPEAT (default 3: GradLab and PyTorch alternate REPEAT times and each side's median counts;
#      on this 2-vCPU host a single PyTorch run now and then comes out 40 % slower than the next).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${DATA:-$ROOT/../shared/data/dermamnist_jpeg.npz}"
EPOCHS="${EPOCHS:-3}"
PYTHON="${PYTHON:-/usr/bin/python3}"
LOG="${LOG:-/tmp/gradlab-compare.log}"   # full output of every run
: > "$LOG"
EXPS=("${@:-01 08 21 25}")
WORKERS="${WORKERS:-0}"
THREADS="${THREADS:-1}"
BLAS_THREADS="${BLAS_THREADS:-1}"
LIMIT_ARGS=()
[ -n "${LIMIT:-}" ] && LIMIT_ARGS=(--limit-train "$LIMIT")
printf "threads %s (GradLab BLAS threads %s), workers %s, %s\n" "$THREADS" "$BLAS_THREADS" "$WORKERS" "$(lscpu | sed -n 's/^Model name: *//p')" > /tmp/gradlab-compare.txt
printf "%-4s %14s %14s %8s\n" exp gradlab_s pytorch_s ratio >> /tmp/gradlab-compare.txt
REPEAT="${REPEAT:-3}"
median() { printf "%s\n" "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
for e in ${EXPS[@]}; do
  gs=(); ps=()
  for ((r = 1; r <= REPEAT; r++)); do
    gs+=("$(GRADLAB_BLAS_THREADS="$BLAS_THREADS" "$ROOT/gradlab" bench epoch --exp "$e" --epochs "$EPOCHS" --workers "$WORKERS" --threads "$THREADS" --data "$DATA" "${LIMIT_ARGS[@]}" | tee -a "$LOG" | sed -n 's/.*median_epoch_s=\([0-9.]*\).*/\1/p')")
    ps+=("$(OMP_NUM_THREADS="$THREADS" "$PYTHON" "$ROOT/bench/scripts/pytorch_epoch.py" --exp "$e" --epochs "$EPOCHS" --data "$DATA" --threads "$THREADS" "${LIMIT_ARGS[@]}" | tee -a "$LOG" | sed -n 's/.*median_epoch_s=\([0-9.]*\).*/\1/p')")
  done
  g=$(median "${gs[@]}")
  p=$(median "${ps[@]}")
  printf "%-4s %14s %14s %8.2f   (runs: gradlab %s; pytorch %s)\n" "$e" "$g" "$p" "$(echo "$g / $p" | bc -l)" "${gs[*]}" "${ps[*]}" >> /tmp/gradlab-compare.txt
done
cat /tmp/gradlab-compare.txt
