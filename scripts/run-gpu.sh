#!/usr/bin/env bash
# Runs on the GPU host (no Java installed; CUDA 13.0 runtime in /usr/local/cuda; cuDNN/cuBLAS/NVRTC only as
# pip wheels in the torch venv). Unpacks the bundled JRE (jre.tar.gz: gzip, no xz needed) OUTSIDE the bundle,
# puts every wheel lib dir on LD_LIBRARY_PATH and JavaCPP's preload path, and starts the JVM.
# Call it with bash (the copy to the GPU host need not keep its run bit):
#     bash run-gpu.sh [MAIN_CLASS [ARGS...]]   (default MAIN_CLASS: org.gradlab.natives.cuda.GpuSelfTest)
#     bash run-gpu.sh --check                  host checks: glibc, the shared libraries found, the driver, java -version;
#                                              exit status of java -version
# Env: GRADLAB_WORK (default /tmp/gradlab-gpu: the unpacked JRE, JavaCPP's and NVRTC's caches; the bundle stays as
#      carried), TORCH_SITE (the venv's site-packages), JAVA_XMX (default 8g), JAVA_OPTS_EXTRA (more JVM flags,
#      e.g. "-Dgradlab.cuda.math=tf32")
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${GRADLAB_WORK:-/tmp/gradlab-gpu}
SP=${TORCH_SITE:-/opt/torch/.venv/lib/python3.12/site-packages}
[ -f "$HERE/jre.tar.gz" ] || { echo "ERROR no jre.tar.gz beside $0: run the copy in a bundle made by scripts/gpu-check.sh" >&2; exit 2; }
mkdir -p "$WORK"
# the JRE is unpacked once per bundle (the marker holds the tarball's checksum)
SUM=$(cksum < "$HERE/jre.tar.gz")
if [ ! -x "$WORK/jre/bin/java" ] || [ "$(cat "$WORK/jre.cksum" 2>/dev/null)" != "$SUM" ]; then
  rm -rf "$WORK/jre"
  tar -C "$WORK" -xzf "$HERE/jre.tar.gz" 2>/dev/null \
    || python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$HERE/jre.tar.gz" "$WORK"
  chmod u+x "$WORK"/jre/bin/* "$WORK"/jre/lib/jspawnhelper 2>/dev/null || true   # in case the unpacker dropped run bits
  echo "$SUM" > "$WORK/jre.cksum"
fi
JAVA="$WORK/jre/bin/java"
# CUDA-13 wheels install to nvidia/cu13/lib; cuDNN to nvidia/cudnn/lib; cu12-style wheels to nvidia/<pkg>/lib
NVLIBS=$( (find "$SP/nvidia" -maxdepth 3 -type d -name lib 2>/dev/null || true) | sort | paste -sd: -)
# the driver's libcuda.so.1: usually in ldconfig's cache; some containers mount it under /usr/local/nvidia only
DRIVER_LIBS=$(for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do if [ -d "$d" ]; then printf ':%s' "$d"; fi; done)
export LD_LIBRARY_PATH="${NVLIBS:+$NVLIBS:}/usr/local/cuda/lib64$DRIVER_LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
find_so() { local d; IFS=: read -ra ds <<< "$LD_LIBRARY_PATH"; for d in "${ds[@]}"; do [ -e "$d/$1" ] && { echo "$d/$1"; return 0; }; done
            ldconfig -p 2>/dev/null | awk -v s="$1" '$1==s {print $NF; f=1} END {exit !f}' | head -1; }
if [ "${1:-}" = --check ]; then
  echo "host: $(ldd --version 2>&1 | head -1); the bundled JRE needs glibc >= $(sed -n 's/^glibc_needed=//p' "$HERE/MANIFEST.txt" 2>/dev/null)"
  echo "shared libraries the JNI libs of cuda 13.1-9.19-1.5.13 need:"
  for so in libcuda.so.1 libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libnvrtc.so.13 \
            libcudnn.so.9 libcudnn_graph.so.9 libcudnn_ops.so.9 libcudnn_cnn.so.9 libcudnn_adv.so.9; do
    printf '  %-22s %s\n' "$so" "$(find_so "$so" || echo MISSING)"
  done
  if [ -r /proc/driver/nvidia/version ]; then head -1 /proc/driver/nvidia/version; else echo "no /proc/driver/nvidia/version"; fi
  exec "$JAVA" -version
fi
MAIN=${1:-org.gradlab.natives.cuda.GpuSelfTest}; shift || true
JAVA_OPTS=(-Xmx${JAVA_XMX:-8g}
  -Dorg.bytedeco.javacpp.cachedir="$WORK/javacpp-cache"
  -Dorg.bytedeco.javacpp.platform.preloadpath="$NVLIBS"
  -Dorg.bytedeco.javacpp.maxPhysicalBytes=0
  -Dgradlab.nvrtcCache="$WORK/nvrtc-cache"
)
read -ra EXTRA <<< "${JAVA_OPTS_EXTRA:-}"
exec "$JAVA" "${JAVA_OPTS[@]}" "${EXTRA[@]}" -cp "$HERE/lib/*" "$MAIN" "$@"
