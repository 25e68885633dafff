#!/usr/bin/env bash
# GPU half of the GPU check: ONE command on the GPU host, run in the repository root with the bundle
# (made on a CPU machine by scripts/gpu-check.sh) carried as the ignored path gpu-bundle/:
#     bash scripts/gpu-suite.sh [bundle-dir]          (default: gpu-bundle)
# Runs, each step time-limited so that the whole run stays inside one 10-minute device call:
#   1. GpuSelfTest (native layer: NVRTC kernels, cuBLAS, cuDNN conv/BN/pooling, allocator)
#   2. BackendParity --device cuda  (every engine op forward+backward, CUDA vs the CPU backend,
#      plus: bad target -> exception, use after release -> exception, flat device memory)
#   3. verify --device cuda          (PyTorch golden fixtures, ops + model01/model08, engine on CUDA)
#   4. one training epoch (after a warm-up epoch) of experiments 01 08 21 25 on the same DermaMNIST
#      data in GradLab (bench epoch --device cuda) and in PyTorch (bench/scripts/pytorch_epoch.py
#      --device cuda), then a table: GradLab s/epoch, PyTorch s/epoch, ratio.
#   5. bench cudnn (cuDNN's timing of every conv algorithm at the challenge's shapes, the chosen
#      one marked, and the chosen ones through the engine); skipped with DEVICE=cpu.
# Logs go to $OUT (the device tool's output folder) when set, else <bundle>/results.
# Env: EXPS (default "01 08 21 25"), EPOCHS (timed epochs, default 1), LIMIT (first N training images),
#      PYTHON (default /opt/torch/.venv/bin/python), BUDGET_S (whole run, default 570), JAVA_XMX (default 8g),
#      DEVICE (default cuda; cpu exercises the script itself on a machine without GPU)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-$ROOT/gpu-bundle}" && pwd)
RUN="$B/run-gpu.sh"
RES=${OUT:-$B/results}
mkdir -p "$RES"
EXPS=${EXPS:-01 08 21 25}
EPOCHS=${EPOCHS:-1}
DEVICE=${DEVICE:-cuda}
PY=${PYTHON:-/opt/torch/.venv/bin/python}
DATA="$B/data/dermamnist_jpeg.npz"
LIMIT_ARGS=()
[ -n "${LIMIT:-}" ] && LIMIT_ARGS=(--limit-train "$LIMIT")
START=$(date +%s)
BUDGET=${BUDGET_S:-570}
SUMMARY=()
FAILED=0

# step NAME MAX_SECONDS CMD...: runs CMD with a limit of min(MAX_SECONDS, time left), logs to $RES/NAME.log
step() {
  local name=$1 max=$2; shift 2
  local left=$((BUDGET - ($(date +%s) - START)))
  local lim=$((max < left ? max : left))
  echo; echo "===== $name (limit ${lim}s)"
  if [ "$lim" -le 5 ]; then
    echo "no time left"; SUMMARY+=("$name: NOT RUN (time budget spent)"); FAILED=1; return
  fi
  timeout "$lim" "$@" > >(tee "$RES/$name.log") 2>&1
  local rc=$?
  [ $rc -eq 0 ] || FAILED=1
  SUMMARY+=("$name: $([ $rc -eq 0 ] && echo PASS || echo "FAIL (exit $rc$([ $rc -eq 124 ] && echo ', timed out'))")")
}

# containers sometimes hide /proc/driver/nvidia although the driver works: then skip that pre-check
if [ ! -r /proc/driver/nvidia/version ] && nvidia-smi >/dev/null 2>&1; then
  export JAVA_OPTS_EXTRA="${JAVA_OPTS_EXTRA:-} -Dgradlab.skipDriverCheck=true"
fi
echo "bundle: $B   results: $RES"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "(no nvidia-smi)"
step selftest 150 "$RUN" org.gradlab.natives.cuda.GpuSelfTest
step parity 200 "$RUN" org.gradlab.engine.check.BackendParity --device "$DEVICE"
step golden 150 "$RUN" org.gradlab.challenge.cli.GradLab verify --golden "$B/golden" --device "$DEVICE"
for e in $EXPS; do
  step "gradlab_epoch_$e" 240 "$RUN" org.gradlab.challenge.cli.GradLab bench epoch --exp "$e" --device "$DEVICE" \
       --epochs "$EPOCHS" --data "$DATA" "${LIMIT_ARGS[@]}"
  step "pytorch_epoch_$e" 240 "$PY" "$ROOT/bench/scripts/pytorch_epoch.py" --exp "$e" --device "$DEVICE" \
       --epochs "$EPOCHS" --data "$DATA" "${LIMIT_ARGS[@]}"
done

[ "$DEVICE" = cpu ] || step cudnn_algorithms 90 "$RUN" org.gradlab.challenge.cli.GradLab bench cudnn --device "$DEVICE"

sec() { sed -n 's/.*median_epoch_s=\([0-9.]*\).*/\1/p' "$RES/$1.log" 2>/dev/null | tail -1; }
{
  echo
  echo "== one training epoch on $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1) (median of $EPOCHS after a warm-up epoch)"
  printf "%-4s %16s %16s %8s\n" exp "GradLab s/epoch" "PyTorch s/epoch" ratio
  for e in $EXPS; do
    g=$(sec "gradlab_epoch_$e"); p=$(sec "pytorch_epoch_$e")
    r=$( [ -n "$g" ] && [ -n "$p" ] && awk -v g="$g" -v p="$p" 'BEGIN { printf "%.2f", g / p }' || echo n/a)
    printf "%-4s %16s %16s %8s\n" "$e" "${g:-n/a}" "${p:-n/a}" "$r"
  done
  echo
  echo "== steps"
  printf '  %s\n' "${SUMMARY[@]}"
  echo "total $(( $(date +%s) - START )) s"
} | tee "$RES/summary.txt"
exit $FAILED
