package org.gradlab.engine.backend.cuda;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Locale;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Storage;
import org.gradlab.engine.backend.Backend;
import org.gradlab.engine.backend.ConvKernels;
import org.gradlab.engine.backend.ElementwiseKernels;
import org.gradlab.engine.backend.LossKernels;
import org.gradlab.engine.backend.MatmulKernels;
import org.gradlab.engine.backend.NormKernels;
import org.gradlab.engine.backend.OptimKernels;
import org.gradlab.engine.backend.PoolKernels;
import org.gradlab.engine.backend.ReduceKernels;
import org.gradlab.engine.backend.RowKernels;
import org.gradlab.natives.NativeBuffer;
import org.gradlab.natives.cuda.CachingAllocator;
import org.gradlab.natives.cuda.Cublas;
import org.gradlab.natives.cuda.CudaContext;
import org.gradlab.natives.cuda.CudaSupport;

/**
 * The CUDA backend of one device: memory from the device's caching allocator, all work on the
 * device's one stream, cuBLAS for GEMM, cuDNN for convolution and batch norm, our NVRTC kernels
 * for the rest. Host↔device copies happen only in {@link #upload}/{@link #downloadDoubles}/
 * {@link #downloadFloats}, i.e. in {@code Tensor.of/to(device)/toFloatArray/item}; a download
 * waits for the stream (and so reports asynchronous kernel faults there).
 *
 * <p>Math mode (system property {@code gradlab.cuda.math}): {@code exact} (default: FP32 GEMM and
 * convolutions without TF32, cuBLAS default math, cuDNN FMA math), {@code pedantic} (cuBLAS
 * pedantic math as well) or {@code tf32} (TF32 tensor cores in cuBLAS and cuDNN).
 *
 * <p>Created reflectively by {@code Backends} through {@link #create(int)}; on a machine where
 * CUDA is not usable that throws an {@link IllegalStateException} naming the missing piece
 * (driver, libcudart, libcublas, libcudnn, libnvrtc) and the versions found.
 */
public final class CudaBackend implements Backend {
    /** System property choosing the math mode: exact | pedantic | tf32. */
    public static final String MATH_PROPERTY = "gradlab.cuda.math";

    private final CudaContext ctx;
    private final Device device;
    private final CudaElementwise elementwise = new CudaElementwise();
    private final CudaReduce reduce = new CudaReduce();
    private final CudaMatmul matmul = new CudaMatmul();
    private final CudaConv conv = new CudaConv();
    private final CudaPool pool = new CudaPool();
    private final CudaNorm norm = new CudaNorm();
    private final CudaLoss loss = new CudaLoss();
    private final CudaOptim optim = new CudaOptim();
    private final CudaRows rows = new CudaRows();

    private CudaBackend(CudaContext ctx) {
        this.ctx = ctx;
        this.device = Device.cuda(ctx.device());
    }

    /** The backend of CUDA device {@code deviceIndex}; prints the CUDA/cuDNN/cuBLAS versions once per JVM. */
    public static CudaBackend create(int deviceIndex) {
        CudaSupport.Status s = CudaSupport.status();
        if (!s.usable()) {
            throw new IllegalStateException("CUDA is not usable: " + s.reason() + " (found: " + s.versions() + ")");
        }
        CudaSupport.printVersionsOnce(System.err);
        CudaContext ctx = CudaContext.get(deviceIndex);
        String math = System.getProperty(MATH_PROPERTY, "exact").trim().toLowerCase(Locale.ROOT);
        switch (math) {
            case "exact" -> ctx.setMathMode(Cublas.MathMode.DEFAULT, false);
            case "pedantic" -> ctx.setMathMode(Cublas.MathMode.PEDANTIC, false);
            case "tf32" -> ctx.setMathMode(Cublas.MathMode.TF32, true);
            default -> throw new IllegalArgumentException("-D" + MATH_PROPERTY + "=" + math + ": expected exact, pedantic or tf32");
        }
        FunctionCases.defineIn(ctx.kernels());
        return new CudaBackend(ctx);
    }

    public CudaContext context() {
        return ctx;
    }

    /** The device allocator's counters (allocated / cached / peak bytes, cudaMalloc calls). */
    public CachingAllocator.Stats memoryStats() {
        return ctx.allocator().stats();
    }

    /** Waits until all queued work of this device has finished. */
    public void synchronize() {
        ctx.synchronize();
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public Storage allocate(DType dtype, long size) {
        return new CudaStorage(ctx, dtype, size, true);
    }

    @Override
    public Storage upload(DType dtype, double[] data) {
        CudaStorage s = new CudaStorage(ctx, dtype, data.length, false);
        if (data.length == 0) {
            return s;
        }
        try (NativeBuffer h = NativeBuffer.allocate((long) data.length * dtype.bytes())) {
            if (dtype == DType.F64) {
                h.asDoubles().put(data);
            } else {
                FloatBuffer f = h.asFloats();
                for (int i = 0; i < data.length; i++) {
                    f.put(i, (float) data[i]);
                }
            }
            ctx.stream().copyHostToDevice(h, 0, s.address(0), h.bytes()); // waits: h may be freed afterwards
        }
        return s;
    }

    @Override
    public Storage upload(float[] data) {
        CudaStorage s = new CudaStorage(ctx, DType.F32, data.length, false);
        if (data.length == 0) {
            return s;
        }
        try (NativeBuffer h = NativeBuffer.allocate((long) data.length * 4)) {
            h.asFloats().put(data);
            ctx.stream().copyHostToDevice(h, 0, s.address(0), h.bytes());
        }
        return s;
    }

    @Override
    public double[] downloadDoubles(Storage s, long offset, int count) {
        CudaStorage c = cuda(s);
        double[] out = new double[count];
        if (count == 0) {
            return out;
        }
        try (NativeBuffer h = NativeBuffer.allocate((long) count * c.dtype().bytes())) {
            ctx.stream().copyDeviceToHost(c.address(offset), h, 0, h.bytes());
            if (c.dtype() == DType.F64) {
                h.asDoubles().get(out);
            } else {
                FloatBuffer f = h.asFloats();
                for (int i = 0; i < count; i++) {
                    out[i] = f.get(i);
                }
            }
        }
        return out;
    }

    @Override
    public float[] downloadFloats(Storage s, long offset, int count) {
        CudaStorage c = cuda(s);
        float[] out = new float[count];
        if (count == 0) {
            return out;
        }
        try (NativeBuffer h = NativeBuffer.allocate((long) count * c.dtype().bytes())) {
            ctx.stream().copyDeviceToHost(c.address(offset), h, 0, h.bytes());
            if (c.dtype() == DType.F32) {
                h.asFloats().get(out);
            } else {
                DoubleBuffer d = h.asDoubles();
                for (int i = 0; i < count; i++) {
                    out[i] = (float) d.get(i);
                }
            }
        }
        return out;
    }

    private CudaStorage cuda(Storage s) {
        if (!(s instanceof CudaStorage c) || c.context() != ctx) {
            throw new IllegalArgumentException("storage on " + s.device() + " passed to the backend of " + device);
        }
        if (c.isReleased()) {
            c.address(0); // throws the released-memory message
        }
        return c;
    }

    @Override
    public ElementwiseKernels elementwise() {
        return elementwise;
    }

    @Override
    public ReduceKernels reduce() {
        return reduce;
    }

    @Override
    public MatmulKernels matmul() {
        return matmul;
    }

    @Override
    public ConvKernels conv() {
        return conv;
    }

    @Override
    public PoolKernels pool() {
        return pool;
    }

    @Override
    public NormKernels norm() {
        return norm;
    }

    @Override
    public LossKernels loss() {
        return loss;
    }

    @Override
    public OptimKernels optim() {
        return optim;
    }

    @Override
    public RowKernels rows() {
        return rows;
    }
}
