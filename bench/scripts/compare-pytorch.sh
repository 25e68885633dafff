#!/usr/bin/env bash
# Same experiment, same data, same batch size, same thread count: GradLab vs PyTorch on this machine.
#   bench/scripts/compare-pytorch.sh [EXP|MODEL...]   (default: 01 08 21 25; MODEL: efficientnet_b0 or vit_tiny,
#                                                      timed with bench epoch --model / pytorch_epoch.py --model)
# Env: DATA (npz, default ../shared/data/dermamnist_jpeg.npz), EPOCHS (timed epochs, default 3),
#      LIMIT (first N training images), PYTHON (default /usr/bin/python3 with Debian's python3-torch),
#      WORKERS (GradLab data-loading threads, default 0: batches are built on the training thread,
#      as pytorch_epoch.py does, so both use exactly THREADS threads),
#      THREADS (default 1: GradLab --threads and PyTorch set_num_threads/OMP_NUM_THREADS, the same on both sides),
#      BLAS_THREADS (GradLab's OpenBLAS threads inside each GEMM, default 1; with THREADS=1 and BLAS_THREADS=N
#      GradLab uses OpenBLAS's own threads instead of its pool),
#      MODELS (backbones timed after the arguments, e.g. "efficientnet_b0 vit_tiny"; with MODELS and no
#      arguments only the backbones run), SIZE (backbones: image side, each image resized once before
#      timing, default the file's), PATCH (ViT patch side, default 4 below 64 px, else 8),
#      TORCH_BLAS (the BLAS behind PyTorch's matmuls and linear layers: "openblas", the default, puts the
#      OpenBLAS that GradLab loads first on PyTorch's library path as libblas.so.3, THREADS threads; "system"
#      leaves the system's libblas.so.3, on Debian the netlib reference BLAS, ~15x slower at sgemm 512^3),
#      LOG (where the full output of every run goes, default /tmp/gradlab-compare.log),
#      TABLE (the table, default /tmp/gradlab-compare.txt),
#      TORCH_HUGEPAGES (1: PyTorch's process gets the glibc tunable that ./gradlab sets for GradLab,
#      glibc.malloc.hugetlb=1, so both sides' large buffers sit on transparent huge pages; default 0:
#      PyTorch as it comes, which asks for none),
#      REPEAT (default 3: GradLab and PyTorch alternate REPEAT times and each side's median counts;
#      on this 2-vCPU host a single PyTorch run now and then comes out 40 % slower than the next),
#      HANDOFF (THREADS >= 2: 1, the default where gcc exists, builds bench/scripts/core-handoff.c and
#      measures before and after every run how many ns a cache line takes between CPUs 0 and 1; each run
#      is listed as seconds@ns-before/ns-after, and the table adds the medians and ratio over the runs whose
#      two figures both stayed below HANDOFF_NEAR ns, default 80: on a VM the host moves the vCPUs between
#      one shared L3 (~35 ns) and two (~170 ns), and split work slows down in the second; 0: off).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${DATA:-$ROOT/../shared/data/dermamnist_jpeg.npz}"
EPOCHS="${EPOCHS:-3}"
PYTHON="${PYTHON:-/usr/bin/python3}"
LOG="${LOG:-/tmp/gradlab-compare.log}"   # full output of every run
TABLE="${TABLE:-/tmp/gradlab-compare.txt}"
: > "$LOG"
EXPS=("$@")
[ $# -eq 0 ] && [ -z "${MODELS:-}" ] && EXPS=(01 08 21 25)
EXPS+=(${MODELS:-})
WORKERS="${WORKERS:-0}"
THREADS="${THREADS:-1}"
BLAS_THREADS="${BLAS_THREADS:-1}"
LIMIT_ARGS=()
[ -n "${LIMIT:-}" ] && LIMIT_ARGS=(--limit-train "$LIMIT")
DOCTOR=$("$ROOT/gradlab" doctor)
# OPENBLAS_VERBOSE=2 makes OpenBLAS name, on stderr, the kernel family it picked for this CPU ("Core: Cooperlake")
CORE=$(OPENBLAS_VERBOSE=2 "$ROOT/gradlab" doctor 2>&1 >/dev/null | sed -n 's/^Core: //p' | head -1)
TORCH_ENV=()
if [ "${TORCH_BLAS:-openblas}" = openblas ]; then
  # the OpenBLAS library GradLab itself loads (doctor prints where JavaCPP unpacked it), as libblas.so.3
  jni=$(sed -n 's/^BLAS: .*(\(.*\))$/\1/p' <<< "$DOCTOR")
  lib=$(ls "$(dirname "$jni")"/libopenblas*.so.0 2>/dev/null | head -1)
  [ -n "$lib" ] || { echo "compare-pytorch.sh: no libopenblas*.so.0 beside '$jni' (gradlab doctor); TORCH_BLAS=system skips it" >&2; exit 2; }
  mkdir -p /tmp/gradlab-torch-blas && ln -sf "$lib" /tmp/gradlab-torch-blas/libblas.so.3
  TORCH_ENV=(LD_LIBRARY_PATH="/tmp/gradlab-torch-blas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" OPENBLAS_NUM_THREADS="$THREADS")
fi
[ "${TORCH_HUGEPAGES:-0}" = 1 ] && TORCH_ENV+=(GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1")
printf "%s; OpenBLAS kernels %s; GradLab vector kernels %s; PyTorch BLAS %s, huge pages %s; threads %s (GradLab BLAS threads %s), workers %s; %s\n" "$(lscpu | sed -n 's/^Model name: *//p')" \
  "${CORE:-?}, $(sed -n 's/^ *kernels: //p' <<< "$DOCTOR" | sed 's/; CPU:.*//')" "$(sed -n 's/^Vector kernels: \([a-z]*\).*/\1/p' <<< "$DOCTOR")" "${TORCH_BLAS:-openblas}" "$([ "${TORCH_HUGEPAGES:-0}" = 1 ] && echo on || echo off)" "$THREADS" "$BLAS_THREADS" "$WORKERS" \
  "$(date -u '+%Y-%m-%d %H:%M UTC')" > "$TABLE"
printf "%-18s %14s %14s %8s\n" run gradlab_s pytorch_s ratio >> "$TABLE"
REPEAT="${REPEAT:-3}"
HANDOFF_BIN=""
if [ "$THREADS" -ge 2 ] && [ "${HANDOFF:-1}" = 1 ] && command -v gcc >/dev/null 2>&1; then
  HANDOFF_BIN=/tmp/gradlab-core-handoff
  gcc -O2 -pthread "$ROOT/bench/scripts/core-handoff.c" -o "$HANDOFF_BIN" || HANDOFF_BIN=""
fi
HANDOFF_NEAR="${HANDOFF_NEAR:-80}"
handoff() { [ -n "$HANDOFF_BIN" ] && "$HANDOFF_BIN" || echo "-"; }
# "seconds@before/after" -> seconds when both handoffs were measured and below HANDOFF_NEAR, else nothing
near() { local t=${1%%@*} h=${1#*@}; local b=${h%/*} a=${h#*/}
  if [[ "$b" =~ ^[0-9]+$ && "$a" =~ ^[0-9]+$ ]] && [ "$b" -lt "$HANDOFF_NEAR" ] && [ "$a" -lt "$HANDOFF_NEAR" ]; then echo "$t"; fi; }
median() { printf "%s\n" "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
for e in "${EXPS[@]}"; do
  case "$e" in
    efficientnet_b0|vit_tiny)
      WHAT=(--model "$e" ${SIZE:+--size "$SIZE"} ${PATCH:+--patch "$PATCH"}); label="$e@${SIZE:-28}${PATCH:+/p$PATCH}" ;;
    *) WHAT=(--exp "$e"); label="$e" ;;
  esac
  gs=(); ps=(); gruns=(); pruns=()
  for ((r = 1; r <= REPEAT; r++)); do
    h0=$(handoff)
    gs+=("$(GRADLAB_BLAS_THREADS="$BLAS_THREADS" "$ROOT/gradlab" bench epoch "${WHAT[@]}" --epochs "$EPOCHS" --workers "$WORKERS" --threads "$THREADS" --data "$DATA" "${LIMIT_ARGS[@]}" | tee -a "$LOG" | sed -n 's/.*median_epoch_s=\([0-9.]*\).*/\1/p')")
    h1=$(handoff)
    ps+=("$(env "${TORCH_ENV[@]}" OMP_NUM_THREADS="$THREADS" "$PYTHON" "$ROOT/bench/scripts/pytorch_epoch.py" "${WHAT[@]}" --epochs "$EPOCHS" --data "$DATA" --threads "$THREADS" "${LIMIT_ARGS[@]}" | tee -a "$LOG" | sed -n 's/.*median_epoch_s=\([0-9.]*\).*/\1/p')")
    h2=$(handoff)
    gruns+=("${gs[-1]}@$h0/$h1"); pruns+=("${ps[-1]}@$h1/$h2")
  done
  g=$(median "${gs[@]}")
  p=$(median "${ps[@]}")
  if [ -n "$HANDOFF_BIN" ]; then
    printf "%-18s %14s %14s %8.2f   (runs, s@handoff ns before/after: gradlab %s; pytorch %s)\n" "$label" "$g" "$p" "$(echo "$g / $p" | bc -l)" "${gruns[*]}" "${pruns[*]}" >> "$TABLE"
    gn=(); pn=()
    for x in "${gruns[@]}"; do t=$(near "$x"); [ -n "$t" ] && gn+=("$t"); done
    for x in "${pruns[@]}"; do t=$(near "$x"); [ -n "$t" ] && pn+=("$t"); done
    if [ ${#gn[@]} -gt 0 ] && [ ${#pn[@]} -gt 0 ]; then
      gm=$(median "${gn[@]}"); pm=$(median "${pn[@]}")
      printf "%-18s %14s %14s %8.2f   (only runs with both handoffs < %s ns: %d gradlab, %d pytorch)\n" "  near vCPUs" "$gm" "$pm" "$(echo "$gm / $pm" | bc -l)" "$HANDOFF_NEAR" ${#gn[@]} ${#pn[@]} >> "$TABLE"
    else
      printf "%-18s (no GradLab and PyTorch runs both with handoffs < %s ns)\n" "  near vCPUs" "$HANDOFF_NEAR" >> "$TABLE"
    fi
  else
    printf "%-18s %14s %14s %8.2f   (runs: gradlab %s; pytorch %s)\n" "$label" "$g" "$p" "$(echo "$g / $p" | bc -l)" "${gs[*]}" "${ps[*]}" >> "$TABLE"
  fi
done
cat "$TABLE"
