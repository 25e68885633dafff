package org.gradlab.natives.cuda;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * Compiles CUDA C++ to a CUBIN for one GPU architecture with NVRTC, caching the result per
 * (source hash, architecture) for the life of the JVM. Compile errors carry NVRTC's log.
 *
 * <p>Options: {@code -arch=sm_XY --std=c++17 -default-device}; no fast-math, so results follow
 * IEEE single/double precision (FMA contraction is on, as in nvcc's default).
 */
public final class NvrtcCompiler {
    private static final ConcurrentHashMap<String, byte[]> CACHE = new ConcurrentHashMap<>();

    private NvrtcCompiler() {}

    /** NVRTC options used for {@code sm_<major><minor>}. */
    public static List<String> options(int ccMajor, int ccMinor) {
        return List.of("-arch=sm_" + ccMajor + ccMinor, "--std=c++17", "-default-device");
    }

    /** Returns the CUBIN image of {@code source} for compute capability major.minor (cached). */
    public static byte[] compile(String name, String source, int ccMajor, int ccMinor) {
        String key = sha256(source) + "@sm_" + ccMajor + ccMinor;
        byte[] hit = CACHE.get(key);
        if (hit != null) {
            return hit;
        }
        byte[] cubin = compileUncached(name, source, options(ccMajor, ccMinor));
        CACHE.putIfAbsent(key, cubin);
        return cubin;
    }

    static byte[] compileUncached(String name, String source, List<String> options) {
        _nvrtcProgram prog = new _nvrtcProgram();
        try (BytePointer src = new BytePointer(source, StandardCharsets.UTF_8); BytePointer nm = new BytePointer(name)) {
            CudaCheck.checkNvrtc(nvrtc.nvrtcCreateProgram(prog, src, nm, 0, (PointerPointer<?>) null, (PointerPointer<?>) null),
                    "nvrtcCreateProgram " + name);
        }
        try (PointerPointer<BytePointer> opts = new PointerPointer<>(options.toArray(new String[0]))) {
            int rc = nvrtc.nvrtcCompileProgram(prog, options.size(), opts);
            String log = log(prog);
            if (rc != nvrtc.NVRTC_SUCCESS) {
                throw new CudaException("NVRTC failed to compile " + name + " with " + options + ": "
                        + nvrtc.nvrtcGetErrorString(rc).getString() + "\n" + log, rc);
            }
            try (SizeTPointer size = new SizeTPointer(1)) {
                CudaCheck.checkNvrtc(nvrtc.nvrtcGetCUBINSize(prog, size), "nvrtcGetCUBINSize " + name);
                byte[] out = new byte[(int) size.get()];
                try (BytePointer bin = new BytePointer(size.get())) {
                    CudaCheck.checkNvrtc(nvrtc.nvrtcGetCUBIN(prog, bin), "nvrtcGetCUBIN " + name);
                    bin.get(out);
                }
                return out;
            }
        } finally {
            nvrtc.nvrtcDestroyProgram(prog);
        }
    }

    private static String log(_nvrtcProgram prog) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            if (nvrtc.nvrtcGetProgramLogSize(prog, size) != 0 || size.get() <= 1) {
                return "";
            }
            try (BytePointer log = new BytePointer(size.get())) {
                nvrtc.nvrtcGetProgramLog(prog, log);
                return log.getString();
            }
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
