#!/usr/bin/env bash
# GPU half of the GPU check: ONE command on the GPU host, run in the repository root with the bundle
# (made on a CPU machine by scripts/gpu-check.sh) carried as the ignored path gpu-bundle/:
#     bash scripts/gpu-suite.sh [bundle-dir]          (default: gpu-bundle)
# Steps, each under `timeout -k 10` and the whole run inside BUDGET_S (two probes of at most 30 s each aside: give
# the device call BUDGET_S + 100 s), most important first:
#   host      nvidia-smi, glibc (`ldd --version`) against what the bundled JRE needs, the CUDA libraries found,
#             `java -version` of the bundled JRE (unpacked with gzip, outside the bundle)
#   selftest  GpuSelfTest: NVRTC, cuBLAS, cuDNN conv (float64 and float32) and batch norm, our kernels
#   parity    BackendParity: every engine op forward+backward, CUDA vs the CPU backend, plus: bad target ->
#             exception, use after release -> exception, device memory flat over training steps
#   golden    verify --device cuda over the repository's own PyTorch fixtures (engine/src/test/resources/fixtures/golden)
#   epochs    one timed training epoch (after a warm-up epoch) per experiment in EXPS, per GradLab math mode in
#             MATHS (exact; tf32 = -Dgradlab.cuda.math=tf32, cuDNN running the math type its search reports),
#             then per backbone in MODELS when this build's `bench epoch` has a --model option
#   pytorch   the same epochs in PyTorch (bench/scripts/pytorch_epoch.py), TF32 off and on (TF32S)
#   cudnn     bench cudnn: every conv algorithm cuDNN timed at the challenge's shapes, per math mode
# After the self-test says CUDA is unusable (exit 2) or `java -version` fails, every Java step is skipped.
# Output: only PASS/FAIL/RESULT/ERROR lines on the screen; every step's full log in $GRADLAB_WORK/logs, packed
# with the summary into suite-logs.tar.gz in the output folder ($OUT when set, the device tool's; else
# <bundle>/../gpu-results), re-packed after every step and on exit; summary.txt beside it. Two files in all.
# Env: EXPS (default "08 25"), MODELS (default "efficientnet_b0 vit_tiny"), MATHS (default "exact tf32"),
#      TF32S (default "off on"), EPOCHS (timed epochs, default 1), LIMIT (first N training images),
#      BUDGET_S (whole run, default 300), PYTHON (default /opt/torch/.venv/bin/python, else python3),
#      DEVICE (default cuda; cpu rehearses the script on a machine without GPU: the Java steps then run on the
#      CPU and the self-test's "CUDA unusable" does not stop them), GRADLAB_WORK (default /tmp/gradlab-gpu)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-$ROOT/gpu-bundle}" 2>/dev/null && pwd) || { echo "ERROR no bundle at ${1:-$ROOT/gpu-bundle}: run scripts/gpu-check.sh"; exit 2; }
export GRADLAB_WORK=${GRADLAB_WORK:-/tmp/gradlab-gpu}
LOGS=$GRADLAB_WORK/logs
RES=${OUT:-$(dirname "$B")/gpu-results}
rm -rf "$LOGS"; mkdir -p "$LOGS" "$RES"
EXPS=${EXPS:-08 25}
MODELS=${MODELS-efficientnet_b0 vit_tiny}
MATHS=${MATHS:-exact tf32}
TF32S=${TF32S:-off on}
EPOCHS=${EPOCHS:-1}
DEVICE=${DEVICE:-cuda}
BUDGET=${BUDGET_S:-300}
PY=${PYTHON:-/opt/torch/.venv/bin/python}
[ -x "$PY" ] || PY=$(command -v python3 || echo python3)
DATA="$B/data/dermamnist_jpeg.npz"
LIMIT_ARGS=()
[ -n "${LIMIT:-}" ] && LIMIT_ARGS=(--limit-train "$LIMIT")
RUN=(bash "$B/run-gpu.sh")
START=$(date +%s)
SUMMARY=$LOGS/summary.txt
FAILED=0
JAVA_OK=1

pack() {   # the archive and the summary, as they are now, into the output folder (atomic replace)
  tar -C "$GRADLAB_WORK" -czf "$RES/.suite-logs.tmp" logs 2>/dev/null && mv -f "$RES/.suite-logs.tmp" "$RES/suite-logs.tar.gz"
  cp -f "$SUMMARY" "$RES/summary.txt" 2>/dev/null
}
trap pack EXIT
trap 'echo "ERROR suite stopped by a signal after $(( $(date +%s) - START )) s"; exit 143' TERM INT HUP
say() { echo "$*" | tee -a "$SUMMARY"; }       # a summary line (always one of PASS/FAIL/RESULT/ERROR first)
# the screen gets only PASS/FAIL/RESULT/ERROR lines of a step's output, at most 25 per step
screen() { awk -v step="$1" '/^(PASS|FAIL|RESULT|ERROR)/ || / (FAIL|ERROR)/ {
  if (++n <= 25) { print; fflush() } else if (n == 26) { print "RESULT " step ": more lines in logs/" step ".log"; fflush() } }'; }

# step NAME MAX_SECONDS CMD...: CMD under `timeout -k 10` with min(MAX_SECONDS, time left); returns CMD's status
step() {
  local name=$1 max=$2; shift 2
  local left=$((BUDGET - ($(date +%s) - START)))
  local lim=$((max < left ? max : left))
  if [ "$lim" -le 5 ]; then say "FAIL $name: NOT RUN (time budget of ${BUDGET}s spent)"; FAILED=1; pack; return 99; fi
  local t0; t0=$(date +%s)
  echo "== $name (limit ${lim}s): ${JAVA_OPTS_EXTRA:+JAVA_OPTS_EXTRA=\"$JAVA_OPTS_EXTRA\" }$*" > "$LOGS/$name.log"
  timeout -k 10 "$lim" "$@" 2>&1 | tee -a "$LOGS/$name.log" | screen "$name"
  local rc=${PIPESTATUS[0]} took=$(( $(date +%s) - t0 ))
  if [ "$rc" -eq 0 ]; then say "PASS $name (${took} s)"
  else
    FAILED=1
    say "FAIL $name (exit $rc$( [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && echo ", killed at its ${lim} s limit"), ${took} s)"
    say "ERROR $name, last line: $(grep -v '^[[:space:]]*$' "$LOGS/$name.log" | tail -1 | cut -c1-300)"
  fi
  pack
  return "$rc"
}
skip() { say "RESULT $1: SKIPPED ($2)"; }
tally() { grep -E "$2" "$LOGS/$1.log" 2>/dev/null | tail -1 | sed "s/^/RESULT $1: /" | tee -a "$SUMMARY"; }   # a step's total line
# device memory after each epoch, as bench epoch prints it on CUDA: the same figures every epoch = no leak
memory() { grep 'device memory:' "$LOGS/$1.log" 2>/dev/null | sed "s/^ */RESULT $1 /" | tee -a "$SUMMARY"; }
java_step() {   # a step that needs the JVM (and, on cuda, a usable CUDA)
  local name=$1
  if [ "$JAVA_OK" -ne 1 ]; then skip "$name" "$JAVA_WHY"; return 98; fi
  step "$@"
}

# ---------------------------------------------------------------- host
# containers sometimes hide /proc/driver/nvidia although the driver works: then skip that pre-check
if [ ! -r /proc/driver/nvidia/version ] && nvidia-smi >/dev/null 2>&1; then
  export JAVA_OPTS_EXTRA="${JAVA_OPTS_EXTRA:-} -Dgradlab.skipDriverCheck=true"
fi
BASE_OPTS=${JAVA_OPTS_EXTRA:-}
say "RESULT host: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1 || true)$(command -v nvidia-smi >/dev/null || echo 'no nvidia-smi')"
say "RESULT host: $(ldd --version 2>&1 | head -1); bundled JRE needs glibc >= $(sed -n 's/^glibc_needed=//p' "$B/MANIFEST.txt" 2>/dev/null); bundle $(sed -n 's/^commit=//p' "$B/MANIFEST.txt" 2>/dev/null)"
if ! step java_version 60 "${RUN[@]}" --check; then
  JAVA_OK=0; JAVA_WHY="java -version failed on this host: see logs/java_version.log"
fi
grep -E 'MISSING|no /proc' "$LOGS/java_version.log" 2>/dev/null | sed 's/^ */RESULT host: /' | tee -a "$SUMMARY"

# ---------------------------------------------------------------- Java steps, most important first
java_step selftest 120 "${RUN[@]}" org.gradlab.natives.cuda.GpuSelfTest
rc=$?
if [ "$rc" -eq 2 ] && [ "$DEVICE" != cpu ]; then
  JAVA_OK=0; JAVA_WHY="the self-test found CUDA unusable: see logs/selftest.log"
fi
java_step parity 180 "${RUN[@]}" org.gradlab.engine.check.BackendParity --device "$DEVICE"
tally parity '^PARITY '
java_step golden 120 "${RUN[@]}" org.gradlab.challenge.cli.GradLab verify --golden "$ROOT/engine/src/test/resources/fixtures/golden" --device "$DEVICE"
tally golden '^TOTAL:'
for math in $MATHS; do
  export JAVA_OPTS_EXTRA="$BASE_OPTS -Dgradlab.cuda.math=$math"
  for e in $EXPS; do
    java_step "gradlab_epoch_${e}_$math" 150 "${RUN[@]}" org.gradlab.challenge.cli.GradLab bench epoch --exp "$e" \
      --device "$DEVICE" --epochs "$EPOCHS" --data "$DATA" "${LIMIT_ARGS[@]}"
    memory "gradlab_epoch_${e}_$math"
  done
done
export JAVA_OPTS_EXTRA="$BASE_OPTS"
# the new backbones' epochs, where this build has them (bench epoch --model NAME)
HAS_MODEL=0
if [ -n "$MODELS" ] && [ "$JAVA_OK" -eq 1 ]; then
  timeout -k 5 30 "${RUN[@]}" org.gradlab.challenge.cli.GradLab bench epoch --help > "$LOGS/bench_epoch_help.log" 2>&1
  grep -q -- '--model' "$LOGS/bench_epoch_help.log" && HAS_MODEL=1
fi
for m in $MODELS; do
  if [ "$HAS_MODEL" -ne 1 ]; then skip "gradlab_epoch_${m}" "this build's bench epoch has no --model option"; continue; fi
  for math in $MATHS; do
    export JAVA_OPTS_EXTRA="$BASE_OPTS -Dgradlab.cuda.math=$math"
    java_step "gradlab_epoch_${m}_$math" 180 "${RUN[@]}" org.gradlab.challenge.cli.GradLab bench epoch --model "$m" \
      --device "$DEVICE" --epochs "$EPOCHS" --data "$DATA" "${LIMIT_ARGS[@]}"
    memory "gradlab_epoch_${m}_$math"
  done
done
export JAVA_OPTS_EXTRA="$BASE_OPTS"

# ---------------------------------------------------------------- PyTorch, then cuDNN's algorithm table
if timeout -k 5 30 "$PY" -c 'import torch' > "$LOGS/pytorch_import.log" 2>&1; then
  for tf in $TF32S; do
    for e in $EXPS; do
      step "pytorch_epoch_${e}_tf32$tf" 150 "$PY" "$ROOT/bench/scripts/pytorch_epoch.py" --exp "$e" --device "$DEVICE" \
        --tf32 "$tf" --epochs "$EPOCHS" --data "$DATA" "${LIMIT_ARGS[@]}"
    done
    for m in $MODELS; do
      if [ "$HAS_MODEL" -ne 1 ]; then skip "pytorch_epoch_${m}_tf32$tf" "no GradLab counterpart in this build"; continue; fi
      step "pytorch_epoch_${m}_tf32$tf" 180 "$PY" "$ROOT/bench/scripts/pytorch_epoch.py" --model "$m" --device "$DEVICE" \
        --tf32 "$tf" --epochs "$EPOCHS" --data "$DATA" "${LIMIT_ARGS[@]}"
    done
  done
else
  skip pytorch "no PyTorch for $PY: $(tail -1 "$LOGS/pytorch_import.log")"
fi
if [ "$DEVICE" = cpu ]; then
  skip cudnn_algorithms "DEVICE=cpu"
else
  for math in $MATHS; do
    export JAVA_OPTS_EXTRA="$BASE_OPTS -Dgradlab.cuda.math=$math"
    java_step "cudnn_algorithms_$math" 90 "${RUN[@]}" org.gradlab.challenge.cli.GradLab bench cudnn --device "$DEVICE"
  done
  export JAVA_OPTS_EXTRA="$BASE_OPTS"
fi

# ---------------------------------------------------------------- the epoch table
sec() { sed -n 's/^RESULT .*median_epoch_s=\([0-9.]*\).*/\1/p' "$LOGS/$1.log" 2>/dev/null | tail -1; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v g="$1" -v p="$2" 'BEGIN { printf "%.2f", g / p }' || echo n/a; }
say "RESULT epoch table: seconds per training epoch on $DEVICE (median of $EPOCHS after a warm-up epoch)${LIMIT:+, first $LIMIT images}"
say "RESULT   run              GradLab-exact GradLab-tf32 PyTorch-tf32off PyTorch-tf32on exact/off tf32/on"
for r in $EXPS $MODELS; do
  ge=$(sec "gradlab_epoch_${r}_exact"); gt=$(sec "gradlab_epoch_${r}_tf32")
  po=$(sec "pytorch_epoch_${r}_tf32off"); pn=$(sec "pytorch_epoch_${r}_tf32on")
  say "$(printf 'RESULT   %-16s %13s %12s %15s %14s %9s %7s' "$r" "${ge:-n/a}" "${gt:-n/a}" "${po:-n/a}" "${pn:-n/a}" \
    "$(ratio "$ge" "$po")" "$(ratio "$gt" "$pn")")"
done
say "RESULT suite: $(grep -c '^PASS' "$SUMMARY") passed, $(grep -c '^FAIL' "$SUMMARY") failed, $(grep -c 'SKIPPED' "$SUMMARY") skipped in $(( $(date +%s) - START )) s (budget ${BUDGET} s); logs: suite-logs.tar.gz"
exit $FAILED
