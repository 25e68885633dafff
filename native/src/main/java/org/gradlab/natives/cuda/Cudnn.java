package org.gradlab.natives.cuda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * cuDNN on device pointers (NCHW, dense): 2-D convolution forward / backward-data /
 * backward-filter and spatial batch normalization (pooling is our own pool.cu). Takes raw device
 * addresses and {@code int[]} shapes, no engine types.
 *
 * <p><b>Convolution algorithms</b> are chosen ONCE per {@link ConvShape} and direction, then
 * cached: with {@link Options#benchmark} by {@code cudnnFind*AlgorithmEx} (times every algorithm on
 * scratch buffers so the caller's output is untouched), else by the {@code cudnnGet*Algorithm_v7}
 * heuristics ({@link ConvSearch}). With {@link Options#deterministic} only algorithms cuDNN reports
 * as deterministic are taken. When the chosen one fails to run, the next acceptable one is taken
 * ({@link ConvAlgoChoice}). Workspace comes from the {@link CachingAllocator}, capped by
 * {@link Options#workspaceLimit}.
 *
 * <p><b>Math</b>: by default exact FP32: descriptors use {@code CUDNN_FMA_MATH} and algorithms that
 * cuDNN reports with tensor-op math are refused for float32 (note that {@code CUDNN_DEFAULT_MATH}
 * MAY use TF32 for FP32 data on Ampere and later). {@link Options#allowTf32} searches with
 * {@code CUDNN_DEFAULT_MATH} and runs each algorithm with the math type the search reported for it
 * (as PyTorch does with {@code allow_tf32}); {@link #algorithmTimings} shows that math type.
 *
 * <p>Descriptors are cached per shape and destroyed by {@link #close()}. Not thread-safe: methods
 * are synchronized; all work is queued on the stream given at construction.
 */
public final class Cudnn implements AutoCloseable {
    /** cuDNN requires batch-norm epsilon >= CUDNN_BN_MIN_EPSILON (1e-5). */
    public static final double BN_MIN_EPSILON = 1e-5;

    /**
     * Options.
     *
     * @param allowTf32      search with CUDNN_DEFAULT_MATH and run the math type found (TF32 allowed) instead of CUDNN_FMA_MATH
     * @param benchmark      choose algorithms by timing (FindEx) instead of heuristics (_v7)
     * @param deterministic  accept only deterministic algorithms
     * @param workspaceLimit largest workspace an algorithm may use, in bytes
     */
    public record Options(boolean allowTf32, boolean benchmark, boolean deterministic, long workspaceLimit) {
        /** Exact FP32, FindEx, deterministic, 512 MiB workspace. */
        public static Options defaults() {
            return new Options(false, true, true, 512L << 20);
        }
    }

    /** An algorithm, its workspace in bytes and the cuDNN math type it runs with. */
    public record Algo(int algo, long workspace, int mathType) {}

    /**
     * One algorithm as cuDNN reported it while choosing (FindEx: measured; _v7 heuristics: time
     * -1): direction ("forward", "backward-data", "backward-filter"), algorithm number, status
     * (0 = usable), milliseconds, workspace bytes, whether deterministic, the math type cuDNN ran
     * it with ({@link #mathName()}), whether the engine uses it.
     */
    public record AlgoTiming(String direction, int algo, int status, float milliseconds, long workspace,
                             boolean deterministic, int mathType, boolean chosen) {
        /** The math type's name: default, tensor-op (TF32 for float32 data), tensor-op+conversion, fma (exact). */
        public String mathName() {
            return ConvAlgoChoice.mathName(mathType);
        }
    }

    private final CudaStream stream;
    private final CachingAllocator allocator;
    private final Options options;
    private cudnnContext handle;
    private final FloatPointer oneF = new FloatPointer(1).put(1f);
    private final FloatPointer zeroF = new FloatPointer(1).put(0f);
    private final DoublePointer oneD = new DoublePointer(1).put(1d);
    private final DoublePointer zeroD = new DoublePointer(1).put(0d);
    private final Map<String, cudnnTensorStruct> tensors = new HashMap<>();
    private final Map<String, cudnnFilterStruct> filters = new HashMap<>();
    private final Map<ConvShape, ConvSearch.Plan> convs = new HashMap<>();
    private final Map<ConvShape, List<AlgoTiming>> timings = new HashMap<>();

    public Cudnn(CudaStream stream, CachingAllocator allocator, Options options) {
        this.stream = stream;
        this.allocator = allocator;
        this.options = options;
        cudnnContext h = new cudnnContext();
        CudaCheck.checkCudnn(cudnn.cudnnCreate(h), "cudnnCreate");
        this.handle = h;
        CudaCheck.checkCudnn(cudnn.cudnnSetStream(h, stream.handle()), "cudnnSetStream");
    }

    public Options options() {
        return options;
    }

    /** cudnnGetVersion(), e.g. 91900 for 9.19.0. */
    public static long version() {
        return cudnn.cudnnGetVersion();
    }

    // ------------------------------------------------------------------ convolution

    /** {@code y = conv2d(x, w)} (cross-correlation, as in PyTorch); y has {@link ConvShape#output()} shape. */
    public synchronized void convForward(ConvShape s, long x, long w, long y) {
        ConvSearch.Plan p = plan(s);
        if (p.fwd == null) {
            p.fwd = choose(s, p, "forward", ConvSearch.forward(handle(), allocator, options, s, p, x, w),
                    (a, sz) -> cudnn.cudnnGetConvolutionForwardWorkspaceSize(handle(), p.x, p.w, p.conv, p.y, a, sz));
        }
        run(p, p.fwd, (a, ws) -> cudnn.cudnnConvolutionForward(handle(), one(s.type()), p.x, ptr(x), p.w, ptr(w), p.conv,
                a.algo(), ws, a.workspace(), zero(s.type()), p.y, ptr(y)));
    }

    /** {@code dx = conv2d_backward_data(w, dy)} (overwrites dx). */
    public synchronized void convBackwardData(ConvShape s, long w, long dy, long dx) {
        ConvSearch.Plan p = plan(s);
        if (p.bwdData == null) {
            p.bwdData = choose(s, p, "backward-data", ConvSearch.backwardData(handle(), allocator, options, s, p, w, dy),
                    (a, sz) -> cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(handle(), p.w, p.y, p.conv, p.x, a, sz));
        }
        run(p, p.bwdData, (a, ws) -> cudnn.cudnnConvolutionBackwardData(handle(), one(s.type()), p.w, ptr(w), p.y, ptr(dy),
                p.conv, a.algo(), ws, a.workspace(), zero(s.type()), p.x, ptr(dx)));
    }

    /** {@code dw = conv2d_backward_filter(x, dy)}; {@code accumulate} adds into dw instead of overwriting. */
    public synchronized void convBackwardFilter(ConvShape s, long x, long dy, long dw, boolean accumulate) {
        ConvSearch.Plan p = plan(s);
        if (p.bwdFilter == null) {
            p.bwdFilter = choose(s, p, "backward-filter", ConvSearch.backwardFilter(handle(), allocator, options, s, p, x, dy),
                    (a, sz) -> cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(handle(), p.x, p.y, p.conv, p.w, a, sz));
        }
        run(p, p.bwdFilter, (a, ws) -> cudnn.cudnnConvolutionBackwardFilter(handle(), one(s.type()), p.x, ptr(x), p.y, ptr(dy),
                p.conv, a.algo(), ws, a.workspace(), accumulate ? one(s.type()) : zero(s.type()), p.w, ptr(dw)));
    }

    /**
     * Every algorithm cuDNN reported while choosing for {@code s} so far (empty before the first
     * call), the ones the engine now uses marked {@link AlgoTiming#chosen()}.
     */
    public synchronized List<AlgoTiming> algorithmTimings(ConvShape s) {
        ConvSearch.Plan p = convs.get(s);
        List<AlgoTiming> out = new ArrayList<>();
        for (AlgoTiming t : timings.getOrDefault(s, List.of())) {
            ConvAlgoChoice c = p == null ? null : switch (t.direction()) {
                case "forward" -> p.fwd;
                case "backward-data" -> p.bwdData;
                default -> p.bwdFilter;
            };
            boolean chosen = c != null && c.current().algo() == t.algo() && c.current().mathType() == t.mathType();
            out.add(new AlgoTiming(t.direction(), t.algo(), t.status(), t.milliseconds(), t.workspace(), t.deterministic(),
                    t.mathType(), chosen));
        }
        return out;
    }

    /** The algorithms used for {@code s}: {fwd, bwdData, bwdFilter}, null where not yet chosen. */
    public synchronized Algo[] chosenAlgorithms(ConvShape s) {
        ConvSearch.Plan p = convs.get(s);
        return p == null ? new Algo[3] : new Algo[] {current(p.fwd), current(p.bwdData), current(p.bwdFilter)};
    }

    private static Algo current(ConvAlgoChoice c) {
        return c == null ? null : c.current();
    }

    private ConvSearch.Plan plan(ConvShape s) {
        ConvSearch.Plan p = convs.get(s);
        if (p != null) {
            return p;
        }
        p = new ConvSearch.Plan();
        int dt = dataType(s.type());
        p.out = s.output();
        p.x = tensor(s.type(), s.x());
        p.w = filter(s.type(), s.w());
        p.y = tensor(s.type(), p.out);
        cudnnConvolutionStruct c = new cudnnConvolutionStruct();
        CudaCheck.checkCudnn(cudnn.cudnnCreateConvolutionDescriptor(c), "cudnnCreateConvolutionDescriptor");
        p.conv = c;
        convs.put(s, p); // registered before further calls so close() destroys it on failure too
        CudaCheck.checkCudnn(cudnn.cudnnSetConvolution2dDescriptor(c, s.pad()[0], s.pad()[1], s.stride()[0], s.stride()[1],
                s.dilation()[0], s.dilation()[1], cudnn.CUDNN_CROSS_CORRELATION, dt), "cudnnSetConvolution2dDescriptor " + s);
        if (s.groups() > 1) {
            CudaCheck.checkCudnn(cudnn.cudnnSetConvolutionGroupCount(c, s.groups()), "cudnnSetConvolutionGroupCount");
        }
        ConvSearch.setMath(p, options.allowTf32() ? cudnn.CUDNN_DEFAULT_MATH : cudnn.CUDNN_FMA_MATH);
        int[] n = {0}, k = {0}, h = {0}, w = {0};
        CudaCheck.checkCudnn(cudnn.cudnnGetConvolution2dForwardOutputDim(c, p.x, p.w, n, k, h, w),
                "cudnnGetConvolution2dForwardOutputDim " + s);
        if (n[0] != p.out[0] || k[0] != p.out[1] || h[0] != p.out[2] || w[0] != p.out[3]) {
            throw new IllegalStateException("cuDNN output shape [" + n[0] + ", " + k[0] + ", " + h[0] + ", " + w[0]
                    + "] differs from computed " + Arrays.toString(p.out) + " for " + s);
        }
        return p;
    }

    /** One direction's {@code cudnnGet*WorkspaceSize}: its status; the bytes go to {@code size}. */
    private interface WorkspaceQuery {
        int query(int algo, SizeTPointer size);
    }

    /** One direction's convolution call with algorithm {@code a} and its workspace: cuDNN's status. */
    private interface ConvCall {
        int call(Algo a, Pointer workspace);
    }

    /** Keeps what the search saw, and the acceptable algorithms with their exact workspace, in cuDNN's order. */
    private ConvAlgoChoice choose(ConvShape s, ConvSearch.Plan p, String direction, List<AlgoTiming> seen, WorkspaceQuery exact) {
        timings.computeIfAbsent(s, k -> new ArrayList<>()).addAll(seen);
        List<Algo> candidates = new ArrayList<>();
        try (SizeTPointer size = new SizeTPointer(1)) {
            for (Algo a : ConvAlgoChoice.candidates(seen, options, s.type() == DType.FLOAT32)) {
                if (options.allowTf32()) {
                    ConvSearch.setMath(p, a.mathType());
                }
                if (exact.query(a.algo(), size) == cudnn.CUDNN_STATUS_SUCCESS) { // else cuDNN cannot size it here: not a candidate
                    candidates.add(new Algo(a.algo(), Math.max(a.workspace(), size.get()), a.mathType()));
                }
            }
        }
        return new ConvAlgoChoice(direction + " " + s, candidates, options, System.err::println);
    }

    /** Runs the direction's current algorithm (with TF32 allowed: under the math type its search reported), falling back. */
    private void run(ConvSearch.Plan p, ConvAlgoChoice choice, ConvCall call) {
        choice.run(a -> {
            if (options.allowTf32()) {
                ConvSearch.setMath(p, a.mathType());
            }
            DeviceBuffer ws;
            try {
                ws = a.workspace() <= 0 ? null : allocator.allocate(a.workspace());
            } catch (CudaOutOfMemoryError e) {
                return ConvAlgoChoice.WORKSPACE_NOT_ALLOCATED;
            }
            try (ws) {
                return call.call(a, ws == null ? null : ptr(ws.address()));
            }
        });
    }

    // ------------------------------------------------------------------ batch normalization

    /**
     * Spatial batch norm, training: normalises x [N,C,H,W] with batch statistics per channel, writes y,
     * updates {@code runningMean = (1-momentum)*runningMean + momentum*batchMean} and likewise
     * {@code runningVar} — NOTE: cuDNN updates the running variance with the UNBIASED batch variance
     * (sum of squares / (N*H*W - 1)), as PyTorch does, while normalisation uses the biased one.
     * {@code saveMean} / {@code saveInvStd} (1/sqrt(biasedVar + eps)) are kept for
     * {@link #batchNormBackward}. Parameter tensors have C elements of the same dtype as x.
     */
    public synchronized void batchNormForwardTraining(DType t, int[] xShape, long x, long y, long scale, long bias,
                                                      double momentum, long runningMean, long runningVar, double eps,
                                                      long saveMean, long saveInvStd) {
        checkEps(eps);
        cudnnTensorStruct xd = tensor(t, xShape);
        cudnnTensorStruct pd = tensor(t, new int[] {1, xShape[1], 1, 1});
        CudaCheck.checkCudnn(cudnn.cudnnBatchNormalizationForwardTraining(handle(), cudnn.CUDNN_BATCHNORM_SPATIAL, one(t), zero(t),
                xd, ptr(x), xd, ptr(y), pd, ptr(scale), ptr(bias), momentum, ptr(runningMean), ptr(runningVar), eps,
                ptr(saveMean), ptr(saveInvStd)), "cudnnBatchNormalizationForwardTraining " + Arrays.toString(xShape));
    }

    /** Spatial batch norm, inference: {@code y = scale*(x-mean)/sqrt(var+eps) + bias} with the running stats. */
    public synchronized void batchNormForwardInference(DType t, int[] xShape, long x, long y, long scale, long bias,
                                                       long runningMean, long runningVar, double eps) {
        checkEps(eps);
        cudnnTensorStruct xd = tensor(t, xShape);
        cudnnTensorStruct pd = tensor(t, new int[] {1, xShape[1], 1, 1});
        CudaCheck.checkCudnn(cudnn.cudnnBatchNormalizationForwardInference(handle(), cudnn.CUDNN_BATCHNORM_SPATIAL, one(t), zero(t),
                xd, ptr(x), xd, ptr(y), pd, ptr(scale), ptr(bias), ptr(runningMean), ptr(runningVar), eps),
                "cudnnBatchNormalizationForwardInference " + Arrays.toString(xShape));
    }

    /**
     * Spatial batch norm, backward: writes dx, dScale, dBias (overwriting) from dy, using the
     * saveMean / saveInvStd of the matching training forward (same eps).
     */
    public synchronized void batchNormBackward(DType t, int[] xShape, long x, long dy, long dx, long scale, long dScale,
                                               long dBias, double eps, long saveMean, long saveInvStd) {
        checkEps(eps);
        cudnnTensorStruct xd = tensor(t, xShape);
        cudnnTensorStruct pd = tensor(t, new int[] {1, xShape[1], 1, 1});
        CudaCheck.checkCudnn(cudnn.cudnnBatchNormalizationBackward(handle(), cudnn.CUDNN_BATCHNORM_SPATIAL, one(t), zero(t), one(t),
                zero(t), xd, ptr(x), xd, ptr(dy), xd, ptr(dx), pd, ptr(scale), ptr(dScale), ptr(dBias), eps, ptr(saveMean),
                ptr(saveInvStd)), "cudnnBatchNormalizationBackward " + Arrays.toString(xShape));
    }

    private static void checkEps(double eps) {
        if (eps < BN_MIN_EPSILON) {
            throw new IllegalArgumentException("cuDNN batch norm requires eps >= " + BN_MIN_EPSILON + ", got " + eps);
        }
    }

    // ------------------------------------------------------------------ descriptors and helpers

    private cudnnTensorStruct tensor(DType t, int[] shape) {
        if (shape.length != 4) {
            throw new IllegalArgumentException("cuDNN tensors here are 4-D NCHW, got " + Arrays.toString(shape));
        }
        String key = t + Arrays.toString(shape);
        cudnnTensorStruct d = tensors.get(key);
        if (d == null) {
            d = new cudnnTensorStruct();
            CudaCheck.checkCudnn(cudnn.cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor");
            tensors.put(key, d);
            CudaCheck.checkCudnn(cudnn.cudnnSetTensor4dDescriptor(d, cudnn.CUDNN_TENSOR_NCHW, dataType(t), shape[0], shape[1],
                    shape[2], shape[3]), "cudnnSetTensor4dDescriptor " + key);
        }
        return d;
    }

    private cudnnFilterStruct filter(DType t, int[] shape) {
        String key = t + Arrays.toString(shape);
        cudnnFilterStruct d = filters.get(key);
        if (d == null) {
            d = new cudnnFilterStruct();
            CudaCheck.checkCudnn(cudnn.cudnnCreateFilterDescriptor(d), "cudnnCreateFilterDescriptor");
            filters.put(key, d);
            CudaCheck.checkCudnn(cudnn.cudnnSetFilter4dDescriptor(d, dataType(t), cudnn.CUDNN_TENSOR_NCHW, shape[0], shape[1],
                    shape[2], shape[3]), "cudnnSetFilter4dDescriptor " + key);
        }
        return d;
    }

    private static int dataType(DType t) {
        return t == DType.FLOAT32 ? cudnn.CUDNN_DATA_FLOAT : cudnn.CUDNN_DATA_DOUBLE;
    }

    /** cuDNN scaling factors are float for float data and double for double data. */
    private Pointer one(DType t) {
        return t == DType.FLOAT32 ? oneF : oneD;
    }

    private Pointer zero(DType t) {
        return t == DType.FLOAT32 ? zeroF : zeroD;
    }

    private static Pointer ptr(long address) {
        return DevicePointers.of(address);
    }

    private cudnnContext handle() {
        if (handle == null) {
            throw new IllegalStateException("Cudnn handle was closed");
        }
        return handle;
    }

    public CudaStream stream() {
        return stream;
    }

    @Override
    public synchronized void close() {
        if (handle == null) {
            return;
        }
        for (ConvSearch.Plan p : convs.values()) {
            cudnn.cudnnDestroyConvolutionDescriptor(p.conv);
        }
        for (cudnnTensorStruct d : tensors.values()) {
            cudnn.cudnnDestroyTensorDescriptor(d);
        }
        for (cudnnFilterStruct d : filters.values()) {
            cudnn.cudnnDestroyFilterDescriptor(d);
        }
        convs.clear();
        tensors.clear();
        filters.clear();
        cudnn.cudnnDestroy(handle);
        handle = null;
        for (Pointer p : new Pointer[] {oneF, zeroF, oneD, zeroD}) {
            p.close();
        }
    }
}
