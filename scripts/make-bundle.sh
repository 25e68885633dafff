#!/usr/bin/env bash
# Builds a self-contained GPU bundle (<= 64 MiB) on a CPU machine, adapted from
# /work/shared/device/make-bundle.sh: a jlinked JRE (tar.xz), our module jars, the dependency jars
# with the CUDA natives jar trimmed to cudart/cublas/cudnn/nvrtc and the OpenBLAS natives trimmed,
# the DermaMNIST npz for the epoch timings and the small golden fixtures (ops incl. the second batch's
# layer norm / softmax / attention / soft-target CE / clipping ones (245 KB), model01, model08;
# resnet18.npz, 45 MB, does not fit and stays a CPU test).
# Usage: scripts/make-bundle.sh <lib-dir> <out-dir>   (lib-dir: all runtime jars, see gpu-check.sh)
# Env: JDK (default /usr/lib/jvm/java-17-openjdk-amd64), SHARED (default <repo>/../shared), LIMIT_MB (default 64)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
L=$(cd "${1:?lib dir}" && pwd); OUT=${2:?out dir}
JDK=${JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
SHARED=${SHARED:-$ROOT/../shared}
LIMIT_MB=${LIMIT_MB:-64}
rm -rf "$OUT"; mkdir -p "$OUT/lib" "$OUT/data" "$OUT/golden"
OUT=$(cd "$OUT" && pwd)   # absolute: the jar steps below run in a temporary directory
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
# 1. minimal runtime: java.base + jdk.unsupported (JavaCPP's Unsafe) + java.logging/java.management (jmh-core,
#    whose classes the bench command references). No java.desktop: only the report charts need it.
if [ -d "$JDK/jmods" ]; then MP=(--module-path "$JDK/jmods"); COMP=--compress=2; else MP=(); COMP=--compress=zip-9; fi
"$JDK/bin/jlink" "${MP[@]}" --add-modules java.base,jdk.unsupported,java.logging,java.management \
  --strip-debug --no-header-files --no-man-pages $COMP --output "$TMP/jre"
strip --strip-unneeded "$TMP/jre/lib/server/libjvm.so" 2>/dev/null || true
tar -C "$TMP" -cJf "$OUT/jre.tar.xz" jre
# 2. jars: class jars as they are, natives trimmed, build-only jars left out
for j in "$L"/*.jar; do
  case "$(basename "$j")" in
    cuda-*-linux-*|openblas-*-linux-*) ;;                                  # trimmed below
    cuda-*-linux-*.jar|*-android-*|*-macosx-*|*-windows-*|*-ios-*) ;;
    jmh-generator-*|gradlab-benchmarks.jar) ;;
    # report/chart stack (java.desktop) and JMH's statistics: not used by verify, parity or bench epoch
    pdfbox-*|fontbox-*|graphics2d-*|VectorGraphics2D-*|animated-gif-lib-*|xchart-*|commons-logging-*|commons-math3-*) ;;
    *) cp "$j" "$OUT/lib/";;
  esac
done
CUDA_NAT=$(ls "$L"/cuda-*-linux-x86_64.jar)
( cd "$TMP" && mkdir n && cd n && unzip -q "$CUDA_NAT" 'org/bytedeco/cuda/linux-x86_64/libjni'{cudart,cublas,cudnn,nvrtc}'.so' \
  && "$JDK/bin/jar" --create --file "$OUT/lib/$(basename "${CUDA_NAT%.jar}")-trim.jar" -C . org )
OB_NAT=$(ls "$L"/openblas-*-linux-x86_64.jar)
( cd "$TMP" && mkdir o && cd o && unzip -q "$OB_NAT" 'org/bytedeco/openblas/linux-x86_64/lib'{openblas.so.0,jniopenblas_nolapack.so,gfortran.so.5,quadmath.so.0,gcc_s.so.1} \
  && "$JDK/bin/jar" --create --file "$OUT/lib/$(basename "${OB_NAT%.jar}")-trim.jar" -C . org )
# 3. data and fixtures
cp "$SHARED/data/dermamnist_jpeg.npz" "$OUT/data/"
for f in add avgpool batchnorm2d conv2d cross_entropy linear maxpool2d relu reshape model01 model08 \
         layernorm activations attention soft_cross_entropy grad_clip; do
  cp "$SHARED/golden/$f.npz" "$OUT/golden/"
done
cp "$ROOT/scripts/run-gpu.sh" "$OUT/"
du -b "$OUT"/jre.tar.xz "$OUT"/lib/*.jar "$OUT"/data/* | sort -n | tail -8 | numfmt --field=1 --to=iec
du -sb "$OUT"/golden | numfmt --field=1 --to=iec
TOTAL=$(du -sb "$OUT" | cut -f1)
echo "TOTAL: $(numfmt --to=iec "$TOTAL") ($TOTAL bytes, limit ${LIMIT_MB} MiB)"
[ "$TOTAL" -le $((LIMIT_MB * 1024 * 1024)) ] || { echo "bundle is over ${LIMIT_MB} MiB" >&2; exit 1; }
