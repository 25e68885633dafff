package org.gradlab.natives.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GradLab's own CUDA kernels: sources are resources under
 * {@code org/gradlab/natives/cuda/kernels/*.cu}, compiled on first use with {@link NvrtcCompiler}
 * for the device's compute capability and launched on the context's stream. All pointers are
 * device addresses; all tensors are dense row-major unless strides are given (in elements).
 * Launches are asynchronous: errors surface at the next {@link CudaStream#synchronize()}.
 */
public final class Kernels implements AutoCloseable, KernelLauncher {
    /** Code shared by every kernel file, put in front of each by {@link #source}. */
    public static final String COMMON = "common.cuh";
    /** The kernel source files (resource names without directory). */
    public static final List<String> SOURCES = List.of("reduce.cu", "loss.cu", "optim.cu",
            TensorKernels.FILE, PoolingKernels.FILE, BatchNormKernels.FILE, ClassLossKernels.FILE,
            RowwiseKernels.FILE);
    /** The files that compile only with code their caller {@link #define defines} (tensor.cu: the engine's function cases). */
    public static final List<String> CALLER_DEFINED = List.of(TensorKernels.FILE);
    private static final String RESOURCE_DIR = "/org/gradlab/natives/cuda/kernels/";
    /** Threads per block of every launch (the block-reduction kernels assume exactly this). */
    static final int BLOCK = 256;

    private final CudaContext ctx;
    private TensorKernels tensor;
    private PoolingKernels pooling;
    private BatchNormKernels batchNorm;
    private ClassLossKernels classLoss;
    private RowwiseKernels rowwise;
    private final Map<String, CudaModule> modules = new HashMap<>();
    private final Map<String, String> definitions = new HashMap<>();

    Kernels(CudaContext ctx) {
        this.ctx = ctx;
    }

    /** The context these kernels run on. */
    public CudaContext context() {
        return ctx;
    }

    /** Engine tensor kernels (tensor.cu). */
    public synchronized TensorKernels tensor() {
        return tensor == null ? tensor = new TensorKernels(this) : tensor;
    }

    /** Pooling kernels (pool.cu). */
    public synchronized PoolingKernels pooling() {
        return pooling == null ? pooling = new PoolingKernels(this) : pooling;
    }

    /** Batch-norm kernels (norm.cu). */
    public synchronized BatchNormKernels batchNorm() {
        return batchNorm == null ? batchNorm = new BatchNormKernels(this) : batchNorm;
    }

    /** Classification-loss kernels with device-side target validation (closs.cu). */
    public synchronized ClassLossKernels classLoss() {
        return classLoss == null ? classLoss = new ClassLossKernels(this) : classLoss;
    }

    /** Layer-norm and softmax kernels (rowwise.cu). */
    public synchronized RowwiseKernels rowwise() {
        return rowwise == null ? rowwise = new RowwiseKernels(this) : rowwise;
    }

    /**
     * The text of kernel file {@code file}: {@value #COMMON} (the grid-stride loop and the block
     * reduction every file shares), then the file itself from its line 1. Pure Java (used by the
     * build-time nvcc check too).
     */
    public static String source(String file) {
        return resource(COMMON) + "#line 1 \"" + file + "\"\n" + resource(file);
    }

    private static String resource(String file) {
        try (InputStream in = Kernels.class.getResourceAsStream(RESOURCE_DIR + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no kernel source resource " + RESOURCE_DIR + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Code the caller generates for {@code file}, placed in front of its source when NVRTC compiles
     * it: the engine defines {@code tensor.cu}'s function cases from its own enums this way (this
     * module cannot see them). Must come before the file's first launch; defining the same code
     * again is a no-op.
     */
    public synchronized void define(String file, String code) {
        if (code.equals(definitions.get(file))) {
            return;
        }
        if (modules.containsKey(file)) {
            throw new IllegalStateException(file + " is already compiled: define its code before the first launch");
        }
        definitions.put(file, code);
    }

    /** The source NVRTC compiles for {@code file}: {@link #define defined} code, then the resource. */
    public synchronized String compiledSource(String file) {
        return definitions.getOrDefault(file, "") + source(file);
    }

    /**
     * Compiles (NVRTC, cached) and loads now every kernel file that is complete: all of
     * {@link #SOURCES} but those of {@link #CALLER_DEFINED} whose code has not been
     * {@link #define defined} yet (they would stop at their {@code #error}). Returns the number of
     * modules loaded.
     */
    public synchronized int compileAll() {
        for (String f : SOURCES) {
            if (!CALLER_DEFINED.contains(f) || definitions.containsKey(f)) {
                module(f);
            }
        }
        return modules.size();
    }

    private synchronized CudaModule module(String file) {
        CudaModule m = modules.get(file);
        if (m == null) {
            ctx.makeCurrent();
            byte[] cubin = NvrtcCompiler.compile(file, compiledSource(file), ctx.ccMajor(), ctx.ccMinor());
            m = new CudaModule(file, cubin);
            modules.put(file, m);
        }
        return m;
    }

    /** Launches {@code fn} of {@code file} with a grid-stride grid covering {@code items} (closes args). */
    @Override
    public void launch(String file, String fn, long items, KernelArgs args) {
        launchGrid(file, fn, KernelPlans.grid(items, BLOCK), args);
    }

    /** Launches {@code fn} of {@code file} with {@code grid} blocks of {@link #BLOCK} threads (closes args). */
    @Override
    public void launchGrid(String file, String fn, int grid, KernelArgs args) {
        try (args) {
            ctx.makeCurrent(); // cuLaunchKernel (driver API) needs the context current on THIS thread (e.g. a loader thread)
            module(file).launch(fn, grid, BLOCK, 0, ctx.stream(), args);
        }
    }

    // ---------------------------------------------------------------- reductions

    /**
     * Sums {@code axes} of {@code x} (shape, element strides); {@code out} is contiguous over the
     * kept dims in order ({@link KernelPlans#reduceOutputCount} elements). Deterministic.
     */
    public void sum(DType t, long x, long[] shape, long[] strides, int[] axes, long out) {
        long[] plan = KernelPlans.reduceStruct(shape, strides, axes);
        long nOut = KernelPlans.reduceOutputCount(shape, axes);
        if (nOut == 0) {
            return;
        }
        launchGrid("reduce.cu", "sum_" + t.suffix(), (int) Math.min(nOut, 65535L * 16), new KernelArgs().ptr(x)
                .ptr(out).i64(nOut).struct64(plan));
    }

    // ---------------------------------------------------------------- log-softmax

    /** {@code y = log_softmax(x)} over the last dim of a contiguous [rows, cols] tensor. */
    public void logSoftmaxForward(DType t, long x, long y, long rows, long cols) {
        launchGrid("loss.cu", "log_softmax_fwd_" + t.suffix(), rowGrid(rows), new KernelArgs().ptr(x).ptr(y).i64(rows).i64(cols));
    }

    /** {@code gx = gy - exp(y) * sum_last(gy)} where y is the log_softmax output. */
    public void logSoftmaxBackward(DType t, long gy, long y, long gx, long rows, long cols) {
        launchGrid("loss.cu", "log_softmax_bwd_" + t.suffix(), rowGrid(rows),
                new KernelArgs().ptr(gy).ptr(y).ptr(gx).i64(rows).i64(cols));
    }

    // ---------------------------------------------------------------- optimizers

    /** Fused SGD step (torch.optim.SGD semantics); {@code buf} may be 0 when momentum is 0. */
    public void sgdStep(DType t, long param, long grad, long buf, long n, double lr, double momentum, double dampening,
                        double weightDecay, boolean nesterov, boolean firstStep) {
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
        }
        launch("optim.cu", "sgd_" + t.suffix(), n, new KernelArgs().ptr(param).ptr(grad).ptr(buf).i64(n).f64(lr)
                .f64(momentum).f64(dampening).f64(weightDecay).i32(nesterov ? 1 : 0).i32(firstStep ? 1 : 0));
    }

    /**
     * Fused Adam ({@code decoupled=false}, L2 weight decay) or AdamW ({@code decoupled=true}) step;
     * {@code step} counts from 1 (bias corrections use it).
     */
    public void adamStep(DType t, long param, long grad, long m, long v, long n, double lr, double beta1, double beta2,
                         double eps, double weightDecay, long step, boolean decoupled) {
        if (step < 1) {
            throw new IllegalArgumentException("Adam step counts from 1, got " + step);
        }
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        launch("optim.cu", "adam_" + t.suffix(), n, new KernelArgs().ptr(param).ptr(grad).ptr(m).ptr(v).i64(n).f64(lr)
                .f64(beta1).f64(beta2).f64(eps).f64(weightDecay).f64(bc1).f64(bc2).i32(decoupled ? 1 : 0));
    }

    static int rowGrid(long rows) {
        return (int) Math.max(1, Math.min(rows, 65535L * 16));
    }

    @Override
    public synchronized void close() {
        for (CudaModule m : modules.values()) {
            m.close();
        }
        modules.clear();
    }
}
