#!/usr/bin/env bash
# Runs on the GPU host (no Java installed; CUDA 13.0 runtime in /usr/local/cuda; cuDNN/cuBLAS/NVRTC only as
# pip wheels in the torch venv). Unpacks the bundled JRE, puts every wheel lib dir on LD_LIBRARY_PATH and
# JavaCPP's preload path, prints which libraries it found, and starts the JVM.
# Usage: run-gpu.sh [MAIN_CLASS [ARGS...]]   (default MAIN_CLASS: org.gradlab.natives.cuda.GpuSelfTest)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
MAIN=${1:-org.gradlab.natives.cuda.GpuSelfTest}; shift || true
SP=${TORCH_SITE:-/opt/torch/.venv/lib/python3.12/site-packages}
[ -x "$HERE/jre/bin/java" ] || tar -C "$HERE" -xJf "$HERE/jre.tar.xz"
# CUDA-13 wheels install to nvidia/cu13/lib; cuDNN to nvidia/cudnn/lib; cu12-style wheels to nvidia/<pkg>/lib
NVLIBS=$( (find "$SP/nvidia" -maxdepth 3 -type d -name lib 2>/dev/null || true) | sort | paste -sd: -)
export LD_LIBRARY_PATH="${NVLIBS:+$NVLIBS:}/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
find_so() { local d; IFS=: read -ra ds <<< "$LD_LIBRARY_PATH"; for d in "${ds[@]}"; do [ -e "$d/$1" ] && { echo "$d/$1"; return 0; }; done
            ldconfig -p 2>/dev/null | awk -v s="$1" '$1==s {print $NF; f=1} END {exit !f}' | head -1; }
echo "== shared libraries the JNI libs of cuda 13.1-9.19-1.5.13 need:"
for so in libcuda.so.1 libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libnvrtc.so.13 \
          libcudnn.so.9 libcudnn_graph.so.9 libcudnn_ops.so.9 libcudnn_cnn.so.9 libcudnn_adv.so.9; do
  printf '  %-22s %s\n' "$so" "$(find_so "$so" || echo MISSING)"
done
if [ -r /proc/driver/nvidia/version ]; then head -1 /proc/driver/nvidia/version; else echo "no /proc/driver/nvidia/version"; fi
JAVA_OPTS=(-Xmx${JAVA_XMX:-8g}
  -Dorg.bytedeco.javacpp.cachedir="$HERE/.javacpp-cache"
  -Dorg.bytedeco.javacpp.platform.preloadpath="$NVLIBS"
  -Dorg.bytedeco.javacpp.maxPhysicalBytes=0
)
"$HERE/jre/bin/java" -version 2>&1 | head -1
# extra JVM flags, e.g. JAVA_OPTS_EXTRA="-Dgradlab.cuda.math=tf32"
read -ra EXTRA <<< "${JAVA_OPTS_EXTRA:-}"
exec "$HERE/jre/bin/java" "${JAVA_OPTS[@]}" "${EXTRA[@]}" -cp "$HERE/lib/*" "$MAIN" "$@"
