#!/usr/bin/env bash
# Same experiment, same data, same batch size, same thread count: GradLab vs PyTorch on this machine.
#   bench/scripts/compare-pytorch.sh [EXP...]        (default: 01 08 21 25)
# Env: DATA (npz, default ../shared/data/dermamnist_jpeg.npz), EPOCHS (timed epochs, default 3),
#      LIMIT (first N training images), PYTHON (default /usr/bin/python3 with Debian's python3-torch),
#      WORKERS (GradLab data-loading threads, default 0: batches are built on the training thread,
#      as pytorch_epoch.py does, so both use exactly one thread),
#      LOG (where the full output of every run goes, default /tmp/gradlab-compare.log).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${DATA:-$ROOT/../shared/data/dermamnist_jpeg.npz}"
EPOCHS="${EPOCHS:-3}"
PYTHON="${PYTHON:-/usr/bin/python3}"
LOG="${LOG:-/tmp/gradlab-compare.log}"   # full output of every run
: > "$LOG"
EXPS=("${@:-01 08 21 25}")
WORKERS="${WORKERS:-0}"
LIMIT_ARGS=()
[ -n "${LIMIT:-}" ] && LIMIT_ARGS=(--limit-train "$LIMIT")
printf "%-4s %14s %14s %8s\n" exp gradlab_s pytorch_s ratio > /tmp/gradlab-compare.txt
for e in ${EXPS[@]}; do
  g=$(GRADLAB_BLAS_THREADS=1 "$ROOT/gradlab" bench epoch --exp "$e" --epochs "$EPOCHS" --workers "$WORKERS" --data "$DATA" "${LIMIT_ARGS[@]}" | tee -a "$LOG" | sed -n 's/.*median_epoch_s=\([0-9.]*\).*/\1/p')
  p=$(OMP_NUM_THREADS=1 "$PYTHON" "$ROOT/bench/scripts/pytorch_epoch.py" --exp "$e" --epochs "$EPOCHS" --data "$DATA" --threads 1 "${LIMIT_ARGS[@]}" | tee -a "$LOG" | sed -n 's/.*median_epoch_s=\([0-9.]*\).*/\1/p')
  printf "%-4s %14s %14s %8.2f\n" "$e" "$g" "$p" "$(echo "$g / $p" | bc -l)" >> /tmp/gradlab-compare.txt
done
cat /tmp/gradlab-compare.txt
