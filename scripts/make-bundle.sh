#!/usr/bin/env bash
# Builds a self-contained GPU bundle (<= 64 MiB) on a CPU machine, adapted from
# /work/shared/device/make-bundle.sh: a jlinked JRE (jre.tar.gz: gzip, because a GPU host may lack xz), our module
# jars, the dependency jars with the CUDA natives jar trimmed to cudart/cublas/cudnn/nvrtc and the OpenBLAS natives
# trimmed, the DermaMNIST npz for the epoch timings, run-gpu.sh and MANIFEST.txt (what was built from which
# commit, and the glibc the JRE needs, which gpu-suite.sh compares with the host's). The golden fixtures are NOT in
# the bundle: the working tree that travels with it carries the repository's own trimmed copy
# (engine/src/test/resources/fixtures/golden, every file of both batches), which gpu-suite.sh verifies against.
# Usage: scripts/make-bundle.sh <lib-dir> <out-dir>   (lib-dir: all runtime jars, see gpu-check.sh)
# Env: JDK (default /usr/lib/jvm/java-17-openjdk-amd64), SHARED (default <repo>/../shared), LIMIT_MB (default 64)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
L=$(cd "${1:?lib dir}" && pwd); OUT=${2:?out dir}
JDK=${JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
SHARED=${SHARED:-$ROOT/../shared}
LIMIT_MB=${LIMIT_MB:-64}
rm -rf "$OUT"; mkdir -p "$OUT/lib" "$OUT/data"
OUT=$(cd "$OUT" && pwd)   # absolute: the jar steps below run in a temporary directory
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
# 1. minimal runtime: java.base + jdk.unsupported (JavaCPP's Unsafe) + java.logging/java.management (jmh-core,
#    whose classes the bench command references). No java.desktop: only the report charts need it.
#    The modules file is left uncompressed: gzip -9 of the whole then gives 14.7 MB, against 17.6 MB for jlink's own
#    zip compression gzipped (JDK 17.0.15).
if [ -d "$JDK/jmods" ]; then MP=(--module-path "$JDK/jmods"); else MP=(); fi
"$JDK/bin/jlink" "${MP[@]}" --add-modules java.base,jdk.unsupported,java.logging,java.management \
  --strip-debug --no-header-files --no-man-pages --output "$TMP/jre"
strip --strip-unneeded "$TMP/jre/lib/server/libjvm.so" 2>/dev/null || true
tar -C "$TMP" -cf - jre | gzip -9 > "$OUT/jre.tar.gz"
GLIBC=$( (objdump -T "$TMP"/jre/lib/server/libjvm.so "$TMP"/jre/lib/*.so "$TMP"/jre/bin/java 2>/dev/null || true) \
  | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
# 2. jars: class jars as they are, natives trimmed, build-only jars left out
for j in "$L"/*.jar; do
  case "$(basename "$j")" in
    cuda-*-linux-*|openblas-*-linux-*) ;;                                  # trimmed below
    *-android-*|*-macosx-*|*-windows-*|*-ios-*) ;;
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
# the epoch timings read train and val: the test split keeps 16 images (saves ~2 MB) and the training split its
# first 2,000 of 7,007 (saves ~11 MB), so that the working tree and the bundle fit the device tool's 64 MiB
python3 "$ROOT/scripts/trim-splits.py" "$SHARED/data/dermamnist_jpeg.npz" "$OUT/data/dermamnist_jpeg.npz" train=2000 test=16
cp "$ROOT/scripts/run-gpu.sh" "$OUT/"
{
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo '+changes')"
  echo "jdk=$("$JDK/bin/java" -version 2>&1 | head -1)"
  echo "glibc_needed=${GLIBC:-unknown}"
} > "$OUT/MANIFEST.txt"
du -b "$OUT"/jre.tar.gz "$OUT"/lib/*.jar "$OUT"/data/* | sort -n | tail -8 | numfmt --field=1 --to=iec
TOTAL=$(du -sb "$OUT" | cut -f1)
echo "TOTAL: $(numfmt --to=iec "$TOTAL") ($TOTAL bytes, limit ${LIMIT_MB} MiB)"
[ "$TOTAL" -le $((LIMIT_MB * 1024 * 1024)) ] || { echo "bundle is over ${LIMIT_MB} MiB" >&2; exit 1; }
