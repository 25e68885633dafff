#!/usr/bin/env bash
# On the CPU machine: build the native module's jar (tests skipped), copy its runtime dependency jars,
# and make the GPU bundle. Then carry the bundle to the GPU host and run:  <bundle>/run-gpu.sh
# Usage: scripts/gpu-check.sh [out-dir]   (default: gpu-bundle/ in the repository root)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/gpu-bundle}
cd "$ROOT"
mvn -o -q -pl native package -DskipTests
mvn -o -q -pl native dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$ROOT/native/target/lib"
"$ROOT/scripts/make-bundle.sh" "$OUT"
echo "bundle ready in $OUT; on the GPU host run: $OUT/run-gpu.sh   (default main: org.gradlab.natives.cuda.GpuSelfTest)"
