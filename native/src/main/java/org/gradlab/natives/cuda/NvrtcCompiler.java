package org.gradlab.natives.cuda;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * Compiles CUDA C++ to a CUBIN for one GPU architecture with NVRTC. Results are cached in memory
 * for the life of the JVM and on disk across JVMs ({@link CubinCache}, keyed by source, options and
 * NVRTC version) in the directory {@code -Dgradlab.nvrtcCache=DIR} names (default
 * {@code ~/.cache/gradlab/nvrtc}; {@code off} disables it). Compile errors carry NVRTC's log.
 *
 * <p>Options: {@code -arch=sm_XY --std=c++17 -default-device}; no fast-math, so results follow
 * IEEE single/double precision (FMA contraction is on, as in nvcc's default).
 */
public final class NvrtcCompiler {
    /** System property naming the on-disk cache directory, or {@code off}. */
    public static final String CACHE_PROPERTY = "gradlab.nvrtcCache";

    private static final ConcurrentHashMap<String, byte[]> MEMORY = new ConcurrentHashMap<>();
    private static volatile CubinCache disk;
    private static volatile String version;

    private NvrtcCompiler() {}

    /** NVRTC options used for {@code sm_<major><minor>}. */
    public static List<String> options(int ccMajor, int ccMinor) {
        return List.of("-arch=sm_" + ccMajor + ccMinor, "--std=c++17", "-default-device");
    }

    /** Returns the CUBIN image of {@code source} for compute capability major.minor (cached in memory and on disk). */
    public static byte[] compile(String name, String source, int ccMajor, int ccMinor) {
        List<String> options = options(ccMajor, ccMinor);
        String key = CubinCache.key(source, options, nvrtcVersion());
        byte[] hit = MEMORY.get(key);
        if (hit != null) {
            return hit;
        }
        byte[] cubin = diskCache().get(key, name, () -> compileUncached(name, source, options));
        MEMORY.putIfAbsent(key, cubin);
        return cubin;
    }

    /** One line on the disk cache: where, how many images were loaded and how many compiled in this JVM. */
    public static String cacheSummary() {
        return diskCache().summary();
    }

    private static CubinCache diskCache() {
        CubinCache c = disk;
        if (c == null) {
            synchronized (NvrtcCompiler.class) {
                if (disk == null) {
                    disk = CubinCache.fromSetting(System.getProperty(CACHE_PROPERTY), Path.of(System.getProperty("user.home")));
                }
                c = disk;
            }
        }
        return c;
    }

    /** "major.minor" of the loaded libnvrtc. */
    private static String nvrtcVersion() {
        String v = version;
        if (v == null) {
            int[] major = {0};
            int[] minor = {0};
            CudaCheck.checkNvrtc(nvrtc.nvrtcVersion(major, minor), "nvrtcVersion");
            v = major[0] + "." + minor[0];
            version = v;
        }
        return v;
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
}
