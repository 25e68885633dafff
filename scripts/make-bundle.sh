#!/usr/bin/env bash
# Build a self-contained GPU bundle (< 64 MiB) on a CPU machine: jlinked JRE (tar.xz) + our jars +
# dependency jars with the CUDA natives jar trimmed to cudart/cublas/cudnn/nvrtc (OpenBLAS natives
# trimmed too). Adapted from /work/shared/device/make-bundle.sh to the GradLab layout.
# Usage: scripts/make-bundle.sh <out-dir>     (expects native/target/*.jar and native/target/lib/*.jar)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:?out dir}
JDK=${JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
L=$ROOT/native/target/lib
[ -d "$L" ] || { echo "missing $L: run scripts/gpu-check.sh (or mvn dependency:copy-dependencies) first" >&2; exit 1; }
rm -rf "$OUT"; mkdir -p "$OUT/lib"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
# 1. minimal runtime: JavaCPP needs only java.base + jdk.unsupported (sun.misc.Unsafe)
if [ -d "$JDK/jmods" ]; then MP=(--module-path "$JDK/jmods"); COMP=--compress=2; else MP=(); COMP=--compress=zip-9; fi
"$JDK/bin/jlink" "${MP[@]}" --add-modules java.base,jdk.unsupported --strip-debug --no-header-files --no-man-pages $COMP --output "$TMP/jre"
strip --strip-unneeded "$TMP/jre/lib/server/libjvm.so" 2>/dev/null || true
tar -C "$TMP" -cJf "$OUT/jre.tar.xz" jre
# 2. jars: class jars as-is, natives trimmed
cp "$L"/javacpp-*.jar "$OUT/lib/"
for j in "$L"/cuda-*.jar; do case "$j" in *-linux-*) ;; *) cp "$j" "$OUT/lib/";; esac; done
CUDA_NAT=$(ls "$L"/cuda-*-linux-x86_64.jar)
( cd "$TMP" && mkdir n && cd n && unzip -q "$CUDA_NAT" 'org/bytedeco/cuda/linux-x86_64/libjni'{cudart,cublas,cudnn,nvrtc}'.so' \
  && "$JDK/bin/jar" --create --file "$OUT/lib/$(basename "${CUDA_NAT%.jar}")-trim.jar" -C . org )
for j in "$L"/openblas-*.jar; do case "$j" in *-linux-*) ;; *) cp "$j" "$OUT/lib/";; esac; done
OB_NAT=$(ls "$L"/openblas-*-linux-x86_64.jar)
( cd "$TMP" && mkdir o && cd o && unzip -q "$OB_NAT" 'org/bytedeco/openblas/linux-x86_64/lib'{openblas.so.0,jniopenblas_nolapack.so,gfortran.so.5,quadmath.so.0,gcc_s.so.1} \
  && "$JDK/bin/jar" --create --file "$OUT/lib/$(basename "${OB_NAT%.jar}")-trim.jar" -C . org )
cp "$ROOT"/native/target/gradlab-native-*.jar "$OUT/lib/"
cp "$ROOT/scripts/run-gpu.sh" "$OUT/"
du -b "$OUT"/jre.tar.xz "$OUT"/lib/*.jar | numfmt --field=1 --to=iec
TOTAL=$(du -sb "$OUT" | cut -f1)
echo "TOTAL: $(numfmt --to=iec "$TOTAL")"
[ "$TOTAL" -lt $((60 * 1024 * 1024)) ] || { echo "bundle is over 60 MB" >&2; exit 1; }
