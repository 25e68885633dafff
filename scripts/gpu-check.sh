#!/usr/bin/env bash
# CPU half of the GPU check. On this (CPU) machine: builds every module's jar and copies the
# runtime dependency jars (one Maven reactor run, tests skipped), makes the GPU bundle (jlinked JRE,
# jars with trimmed natives, the DermaMNIST and BreastMNIST npz, the golden fixtures travel in the working tree), then checks
# that everything that travels to the GPU host fits: the repository's tracked and untracked-not-ignored
# files, a shared/ folder inside it if there is one, and the bundle, 64 MiB in all.
# The GPU half is ONE command run in the repository root on the GPU host, with the bundle carried:
#     bash scripts/gpu-suite.sh gpu-bundle
# Usage: scripts/gpu-check.sh [out-dir]   (default: gpu-bundle/ in the repository root, git-ignored)
# Env:   MVN (default: ./mvnw), MVN_OFFLINE (default -o; set empty to resolve from Maven Central),
#        TRAVEL_LIMIT_MB (default 64)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/gpu-bundle}
BUILD=$ROOT/target/gpu-build
MVN=${MVN:-$ROOT/mvnw}
OFFLINE=${MVN_OFFLINE--o}
TRAVEL_LIMIT_MB=${TRAVEL_LIMIT_MB:-64}
cd "$ROOT"
rm -rf "$BUILD"; mkdir -p "$BUILD/lib"
# one reactor: package native, engine, nn, challenge, bench and copy every module's runtime dependencies
# (reactor modules resolve to their freshly built jars; nothing is installed into ~/.m2)
"$MVN" $OFFLINE -q -B -ntp -Pcuda -pl bench -am -DskipTests -Dmaven.source.skip -Dmaven.javadoc.skip package dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$BUILD/lib"
cp "$ROOT"/bench/target/gradlab-bench-*.jar "$BUILD/lib/"
rm -f "$BUILD"/lib/*-tests.jar
"$ROOT/scripts/make-bundle.sh" "$BUILD/lib" "$OUT"

# what travels: tracked + untracked-not-ignored files, shared/ inside the checkout, and the carried bundle
files_bytes() { git -C "$ROOT" ls-files -co --exclude-standard -z | (cd "$ROOT" && xargs -0 -r stat -c %s 2>/dev/null) \
  | awk '{s += $1} END {print s + 0}'; }
TREE=$(files_bytes)
SHARED_IN=0
[ -d "$ROOT/shared" ] && SHARED_IN=$(du -sbL "$ROOT/shared" | cut -f1)
BUNDLE=$(du -sb "$OUT" | cut -f1)
ALL=$((TREE + SHARED_IN + BUNDLE))
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "travels to the GPU host: working tree $(mib "$TREE") + shared/ $(mib "$SHARED_IN") + bundle $(mib "$BUNDLE") = $(mib "$ALL")" \
     "(limit $TRAVEL_LIMIT_MB MiB)"
if [ "$ALL" -gt $((TRAVEL_LIMIT_MB * 1024 * 1024)) ]; then
  echo "too much travels: over $TRAVEL_LIMIT_MB MiB; leave data out of the bundle" >&2
  exit 1
fi
echo "bundle ready in $OUT; on the GPU host (repository root, bundle carried as $(basename "$OUT")):"
echo "    bash scripts/gpu-suite.sh $(basename "$OUT")"
