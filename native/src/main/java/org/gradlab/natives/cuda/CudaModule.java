package org.gradlab.natives.cuda;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * A module loaded with {@code cuModuleLoadData} into the current (primary) context, with its
 * functions looked up once and launched with {@code cuLaunchKernel}.
 */
public final class CudaModule implements AutoCloseable {
    private final String name;
    private CUmod_st module;
    private final Map<String, CUfunc_st> functions = new HashMap<>();

    /** Loads a CUBIN/PTX/fatbin image. The device's primary context must be current (cudaSetDevice). */
    public CudaModule(String name, byte[] image) {
        this.name = name;
        CUmod_st m = new CUmod_st();
        try (BytePointer img = new BytePointer(image.length + 1L)) {
            img.put(image).put(image.length, (byte) 0);
            CudaCheck.checkDriver(cudart.cuModuleLoadData(m, img), "cuModuleLoadData " + name);
        }
        this.module = m;
    }

    /** The kernel called {@code fn} (an {@code extern "C"} name). */
    public synchronized CUfunc_st function(String fn) {
        if (module == null) {
            throw new IllegalStateException("module " + name + " was unloaded");
        }
        return functions.computeIfAbsent(fn, k -> {
            CUfunc_st f = new CUfunc_st();
            CudaCheck.checkDriver(cudart.cuModuleGetFunction(f, module, k), "cuModuleGetFunction " + name + "/" + k);
            return f;
        });
    }

    /** Launches {@code fn} on {@code stream} (asynchronous; errors in the kernel surface at the next sync). */
    public void launch(String fn, int gridX, int blockX, int sharedBytes, CudaStream stream, KernelArgs args) {
        CUfunc_st f = function(fn);
        PointerPointer<?> params = args.pointers();
        CudaCheck.checkDriver(cudart.cuLaunchKernel(f, gridX, 1, 1, blockX, 1, 1, sharedBytes, stream.handle(), params,
                (PointerPointer<?>) null), "cuLaunchKernel " + name + "/" + fn + " grid=" + gridX + " block=" + blockX);
    }

    @Override
    public synchronized void close() {
        if (module != null) {
            cudart.cuModuleUnload(module);
            module = null;
            functions.clear();
        }
    }
}
