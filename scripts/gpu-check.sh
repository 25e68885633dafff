#!/usr/bin/env bash
# CPU half of the GPU check. On this (CPU) machine: builds every module's jar and copies the
# runtime dependency jars (one Maven reactor run, tests skipped), then makes the GPU bundle
# (jlinked JRE, jars with trimmed natives, the DermaMNIST npz, the op/model golden fixtures).
# The GPU half is ONE command run in the repository root on the GPU host, with the bundle carried:
#     bash scripts/gpu-suite.sh gpu-bundle
# Usage: scripts/gpu-check.sh [out-dir]   (default: gpu-bundle/ in the repository root, git-ignored)
# Env:   MVN (default: ./mvnw if present, else mvn), MVN_OFFLINE (default -o; set empty to resolve from Maven Central)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/gpu-bundle}
BUILD=$ROOT/target/gpu-build
MVN=${MVN:-mvn}
OFFLINE=${MVN_OFFLINE--o}
cd "$ROOT"
rm -rf "$BUILD"; mkdir -p "$BUILD/lib"
# one reactor: package native, engine, nn, challenge, bench and copy every module's runtime dependencies
# (reactor modules resolve to their freshly built jars; nothing is installed into ~/.m2)
"$MVN" $OFFLINE -q -B -Pcuda -pl bench -am -DskipTests package dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$BUILD/lib"
cp "$ROOT"/bench/target/gradlab-bench-*.jar "$BUILD/lib/"
rm -f "$BUILD"/lib/*-tests.jar
"$ROOT/scripts/make-bundle.sh" "$BUILD/lib" "$OUT"
echo "bundle ready in $OUT; on the GPU host (repository root, bundle carried as $(basename "$OUT")):"
echo "    bash scripts/gpu-suite.sh $(basename "$OUT")"
