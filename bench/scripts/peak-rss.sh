#!/usr/bin/env bash
# Peak resident memory over one exp-25 run (ResNet-18, batch 64), GradLab against PyTorch 1.13, one thread each,
# on the first LIMIT training images (one warm-up and one timed epoch, as compare-pytorch.sh runs them):
# /usr/bin/time -v's maximum resident set size, and VmRSS sampled every second, to see whether it stays flat.
#   bench/scripts/peak-rss.sh [LOG_DIR]      (default /tmp/gradlab-rss; per run: NAME.time, NAME.rss = "seconds KB" lines)
# Env: LIMIT (default 1280), EXP (default 25), DATA, PYTHON (as compare-pytorch.sh), SIDES (default "gradlab pytorch";
# "gradlab" measures only this build, e.g. to compare two builds' scripts in one call).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOGS="${1:-/tmp/gradlab-rss}"
LIMIT="${LIMIT:-1280}"
EXP="${EXP:-25}"
DATA="${DATA:-$ROOT/../shared/data/dermamnist_jpeg.npz}"
PYTHON="${PYTHON:-/usr/bin/python3}"
mkdir -p "$LOGS"
DOCTOR=$("$ROOT/gradlab" doctor)   # builds if needed
# PyTorch on the OpenBLAS GradLab loads, as compare-pytorch.sh's default TORCH_BLAS=openblas
jni=$(sed -n 's/^BLAS: .*(\(.*\))$/\1/p' <<< "$DOCTOR")
lib=$(ls "$(dirname "$jni")"/libopenblas*.so.0 2>/dev/null | head -1)
[ -n "$lib" ] || { echo "peak-rss.sh: no libopenblas*.so.0 beside '$jni' (gradlab doctor)" >&2; exit 2; }
mkdir -p /tmp/gradlab-torch-blas && ln -sf "$lib" /tmp/gradlab-torch-blas/libblas.so.3

# measure NAME CMD...: runs CMD under /usr/bin/time -v, samples its child's VmRSS every second
measure() {
  local name=$1; shift
  /usr/bin/time -v "$@" > "$LOGS/$name.out" 2> "$LOGS/$name.time" &
  local tp=$! t0 c r
  t0=$(date +%s)
  : > "$LOGS/$name.rss"
  while kill -0 "$tp" 2>/dev/null; do
    c=$(pgrep -P "$tp" | head -1 || true)
    r=$([ -n "$c" ] && awk '/^VmRSS/ {print $2}' "/proc/$c/status" 2>/dev/null || true)
    [ -n "$r" ] && echo "$(( $(date +%s) - t0 )) $r" >> "$LOGS/$name.rss"
    sleep 1
  done
  wait "$tp"
  printf "%-8s peak RSS %8s KB; VmRSS at 25/50/75/100 %% of the run: %s; %s\n" "$name" \
    "$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$LOGS/$name.time")" \
    "$(awk '{v[NR] = $2} END {for (q = 1; q <= 4; q++) printf "%s ", v[int(NR * q / 4)]}' "$LOGS/$name.rss")" \
    "$(grep -h '^RESULT' "$LOGS/$name.out" | sed 's/.*\(median_epoch_s=[0-9.]*\).*/\1/')"
}
{ date -u; uptime; lscpu | sed -n 's/^Model name: *//p'; } | tee "$LOGS/machine.txt"
SIDES="${SIDES:-gradlab pytorch}"
if [[ " $SIDES " == *" gradlab "* ]]; then
  measure gradlab env GRADLAB_BLAS_THREADS=1 "$ROOT/gradlab" bench epoch --exp "$EXP" --epochs 1 --workers 0 --threads 1 \
    --data "$DATA" --limit-train "$LIMIT"
fi
if [[ " $SIDES " == *" pytorch "* ]]; then
  measure pytorch env LD_LIBRARY_PATH="/tmp/gradlab-torch-blas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" OPENBLAS_NUM_THREADS=1 \
  OMP_NUM_THREADS=1 "$PYTHON" "$ROOT/bench/scripts/pytorch_epoch.py" --exp "$EXP" --epochs 1 --threads 1 --data "$DATA" \
  --limit-train "$LIMIT"
fi
