package org.gradlab.natives.cuda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdDataAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdFilterAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnPoolingStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * cuDNN on device pointers (NCHW, dense): 2-D convolution forward / backward-data /
 * backward-filter, spatial batch normalization, max and average pooling. Takes raw device
 * addresses and {@code int[]} shapes, no engine types.
 *
 * <p><b>Convolution algorithms</b> are chosen ONCE per {@link ConvShape} and direction, then
 * cached: with {@link Options#benchmark} by {@code cudnnFind*AlgorithmEx} (times every algorithm on
 * scratch buffers so the caller's output is untouched), else by the {@code cudnnGet*Algorithm_v7}
 * heuristics. With {@link Options#deterministic} only algorithms cuDNN reports as deterministic are
 * taken. Workspace comes from the {@link CachingAllocator}, capped by {@link Options#workspaceLimit}.
 *
 * <p><b>Math</b>: by default exact FP32 ({@code CUDNN_FMA_MATH}: no TF32 tensor cores; note that
 * cuDNN's {@code CUDNN_DEFAULT_MATH} MAY use TF32 for FP32 data on Ampere and later).
 * {@link Options#allowTf32} selects {@code CUDNN_DEFAULT_MATH}, which permits TF32.
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
     * @param allowTf32      use CUDNN_DEFAULT_MATH (TF32 allowed) instead of CUDNN_FMA_MATH
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

    /** Pooling modes. */
    public enum PoolMode { MAX, AVG_INCLUDE_PADDING, AVG_EXCLUDE_PADDING }

    /** Chosen algorithm and its workspace. */
    public record Algo(int algo, long workspace) {}

    /**
     * One algorithm as cuDNN reported it while choosing (FindEx: measured; _v7 heuristics: time
     * -1): direction ("forward", "backward-data", "backward-filter"), algorithm number, status
     * (0 = usable), milliseconds, workspace bytes, whether deterministic, whether chosen.
     */
    public record AlgoTiming(String direction, int algo, int status, float milliseconds, long workspace,
                             boolean deterministic, boolean chosen) {}

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
    private final Map<String, cudnnPoolingStruct> pools = new HashMap<>();
    private final Map<ConvShape, ConvPlan> convs = new HashMap<>();
    private final Map<ConvShape, List<AlgoTiming>> timings = new HashMap<>();

    /** Per-shape convolution descriptors and lazily chosen algorithms. */
    private static final class ConvPlan {
        cudnnTensorStruct x;
        cudnnFilterStruct w;
        cudnnTensorStruct y;
        cudnnConvolutionStruct conv;
        int[] out;
        Algo fwd;
        Algo bwdData;
        Algo bwdFilter;
    }

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

    /** Output shape of a convolution (pure Java). */
    public static int[] convOutputShape(ConvShape s) {
        return s.output();
    }

    /** {@code y = conv2d(x, w)} (cross-correlation, as in PyTorch); y has {@link ConvShape#output()} shape. */
    public synchronized void convForward(ConvShape s, long x, long w, long y) {
        ConvPlan p = plan(s);
        if (p.fwd == null) {
            p.fwd = chooseForward(s, p, x, w);
        }
        try (DeviceBuffer ws = workspace(p.fwd.workspace())) {
            CudaCheck.checkCudnn(cudnn.cudnnConvolutionForward(handle(), one(s.type()), p.x, ptr(x), p.w, ptr(w), p.conv,
                    p.fwd.algo(), ws == null ? null : ptr(ws.address()), p.fwd.workspace(), zero(s.type()), p.y, ptr(y)),
                    "cudnnConvolutionForward " + s + " algo " + p.fwd.algo());
        }
    }

    /** {@code dx = conv2d_backward_data(w, dy)} (overwrites dx). */
    public synchronized void convBackwardData(ConvShape s, long w, long dy, long dx) {
        ConvPlan p = plan(s);
        if (p.bwdData == null) {
            p.bwdData = chooseBackwardData(s, p, w, dy);
        }
        try (DeviceBuffer ws = workspace(p.bwdData.workspace())) {
            CudaCheck.checkCudnn(cudnn.cudnnConvolutionBackwardData(handle(), one(s.type()), p.w, ptr(w), p.y, ptr(dy), p.conv,
                    p.bwdData.algo(), ws == null ? null : ptr(ws.address()), p.bwdData.workspace(), zero(s.type()), p.x, ptr(dx)),
                    "cudnnConvolutionBackwardData " + s + " algo " + p.bwdData.algo());
        }
    }

    /** {@code dw = conv2d_backward_filter(x, dy)}; {@code accumulate} adds into dw instead of overwriting. */
    public synchronized void convBackwardFilter(ConvShape s, long x, long dy, long dw, boolean accumulate) {
        ConvPlan p = plan(s);
        if (p.bwdFilter == null) {
            p.bwdFilter = chooseBackwardFilter(s, p, x, dy);
        }
        try (DeviceBuffer ws = workspace(p.bwdFilter.workspace())) {
            CudaCheck.checkCudnn(cudnn.cudnnConvolutionBackwardFilter(handle(), one(s.type()), p.x, ptr(x), p.y, ptr(dy), p.conv,
                    p.bwdFilter.algo(), ws == null ? null : ptr(ws.address()), p.bwdFilter.workspace(),
                    accumulate ? one(s.type()) : zero(s.type()), p.w, ptr(dw)),
                    "cudnnConvolutionBackwardFilter " + s + " algo " + p.bwdFilter.algo());
        }
    }

    /** Every algorithm cuDNN reported while choosing for {@code s} so far (empty before the first call). */
    public synchronized List<AlgoTiming> algorithmTimings(ConvShape s) {
        return List.copyOf(timings.getOrDefault(s, List.of()));
    }

    private void record(ConvShape s, String direction, List<AlgoTiming> seen, Algo chosen) {
        List<AlgoTiming> all = timings.computeIfAbsent(s, k -> new ArrayList<>());
        for (AlgoTiming t : seen) {
            all.add(new AlgoTiming(direction, t.algo(), t.status(), t.milliseconds(), t.workspace(), t.deterministic(),
                    t.algo() == chosen.algo()));
        }
    }

    /** The algorithms chosen so far for {@code s}: {fwd, bwdData, bwdFilter}, null where not yet chosen. */
    public synchronized Algo[] chosenAlgorithms(ConvShape s) {
        ConvPlan p = convs.get(s);
        return p == null ? new Algo[3] : new Algo[] {p.fwd, p.bwdData, p.bwdFilter};
    }

    private ConvPlan plan(ConvShape s) {
        ConvPlan p = convs.get(s);
        if (p != null) {
            return p;
        }
        p = new ConvPlan();
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
        int math = options.allowTf32() ? cudnn.CUDNN_DEFAULT_MATH : cudnn.CUDNN_FMA_MATH;
        CudaCheck.checkCudnn(cudnn.cudnnSetConvolutionMathType(c, math), "cudnnSetConvolutionMathType");
        int[] n = {0}, k = {0}, h = {0}, w = {0};
        CudaCheck.checkCudnn(cudnn.cudnnGetConvolution2dForwardOutputDim(c, p.x, p.w, n, k, h, w),
                "cudnnGetConvolution2dForwardOutputDim " + s);
        if (n[0] != p.out[0] || k[0] != p.out[1] || h[0] != p.out[2] || w[0] != p.out[3]) {
            throw new IllegalStateException("cuDNN output shape [" + n[0] + ", " + k[0] + ", " + h[0] + ", " + w[0]
                    + "] differs from computed " + Arrays.toString(p.out) + " for " + s);
        }
        return p;
    }

    private static final int MAX_ALGOS = 16;

    private Algo chooseForward(ConvShape s, ConvPlan p, long x, long w) {
        List<Algo> candidates = new ArrayList<>();
        List<AlgoTiming> seen = new ArrayList<>();
        try (cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(MAX_ALGOS); IntPointer n = new IntPointer(1)) {
            if (options.benchmark()) {
                long outBytes = bytes(s.type(), p.out);
                try (DeviceBuffer scratchY = allocator.allocate(outBytes); DeviceBuffer ws = searchWorkspace()) {
                    CudaCheck.checkCudnn(cudnn.cudnnFindConvolutionForwardAlgorithmEx(handle(), p.x, ptr(x), p.w, ptr(w), p.conv,
                            p.y, ptr(scratchY.address()), MAX_ALGOS, n, perf, ptr(ws.address()), ws.bytes()),
                            "cudnnFindConvolutionForwardAlgorithmEx " + s);
                }
            } else {
                CudaCheck.checkCudnn(cudnn.cudnnGetConvolutionForwardAlgorithm_v7(handle(), p.x, p.w, p.conv, p.y, MAX_ALGOS, n, perf),
                        "cudnnGetConvolutionForwardAlgorithm_v7 " + s);
            }
            for (int i = 0; i < n.get(); i++) {
                cudnnConvolutionFwdAlgoPerf_t r = perf.getPointer(i);
                seen.add(new AlgoTiming("forward", r.algo(), r.status(), r.time(), r.memory(),
                        r.determinism() == cudnn.CUDNN_DETERMINISTIC, false));
                if (accept(r.status(), r.determinism(), r.memory())) {
                    candidates.add(new Algo(r.algo(), r.memory()));
                }
            }
        }
        Algo a = pick(candidates, "forward", s);
        record(s, "forward", seen, a);
        try (SizeTPointer sz = new SizeTPointer(1)) { // the exact workspace of the chosen algorithm
            CudaCheck.checkCudnn(cudnn.cudnnGetConvolutionForwardWorkspaceSize(handle(), p.x, p.w, p.conv, p.y, a.algo(), sz),
                    "cudnnGetConvolutionForwardWorkspaceSize");
            return new Algo(a.algo(), Math.max(a.workspace(), sz.get()));
        }
    }

    private Algo chooseBackwardData(ConvShape s, ConvPlan p, long w, long dy) {
        List<Algo> candidates = new ArrayList<>();
        List<AlgoTiming> seen = new ArrayList<>();
        try (cudnnConvolutionBwdDataAlgoPerf_t perf = new cudnnConvolutionBwdDataAlgoPerf_t(MAX_ALGOS);
             IntPointer n = new IntPointer(1)) {
            if (options.benchmark()) {
                try (DeviceBuffer scratchDx = allocator.allocate(bytes(s.type(), s.x())); DeviceBuffer ws = searchWorkspace()) {
                    CudaCheck.checkCudnn(cudnn.cudnnFindConvolutionBackwardDataAlgorithmEx(handle(), p.w, ptr(w), p.y, ptr(dy),
                            p.conv, p.x, ptr(scratchDx.address()), MAX_ALGOS, n, perf, ptr(ws.address()), ws.bytes()),
                            "cudnnFindConvolutionBackwardDataAlgorithmEx " + s);
                }
            } else {
                CudaCheck.checkCudnn(cudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(handle(), p.w, p.y, p.conv, p.x, MAX_ALGOS,
                        n, perf), "cudnnGetConvolutionBackwardDataAlgorithm_v7 " + s);
            }
            for (int i = 0; i < n.get(); i++) {
                cudnnConvolutionBwdDataAlgoPerf_t r = perf.getPointer(i);
                seen.add(new AlgoTiming("backward-data", r.algo(), r.status(), r.time(), r.memory(),
                        r.determinism() == cudnn.CUDNN_DETERMINISTIC, false));
                if (accept(r.status(), r.determinism(), r.memory())) {
                    candidates.add(new Algo(r.algo(), r.memory()));
                }
            }
        }
        Algo a = pick(candidates, "backward-data", s);
        record(s, "backward-data", seen, a);
        try (SizeTPointer sz = new SizeTPointer(1)) {
            CudaCheck.checkCudnn(cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(handle(), p.w, p.y, p.conv, p.x, a.algo(), sz),
                    "cudnnGetConvolutionBackwardDataWorkspaceSize");
            return new Algo(a.algo(), Math.max(a.workspace(), sz.get()));
        }
    }

    private Algo chooseBackwardFilter(ConvShape s, ConvPlan p, long x, long dy) {
        List<Algo> candidates = new ArrayList<>();
        List<AlgoTiming> seen = new ArrayList<>();
        try (cudnnConvolutionBwdFilterAlgoPerf_t perf = new cudnnConvolutionBwdFilterAlgoPerf_t(MAX_ALGOS);
             IntPointer n = new IntPointer(1)) {
            if (options.benchmark()) {
                try (DeviceBuffer scratchDw = allocator.allocate(bytes(s.type(), s.w())); DeviceBuffer ws = searchWorkspace()) {
                    CudaCheck.checkCudnn(cudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx(handle(), p.x, ptr(x), p.y, ptr(dy),
                            p.conv, p.w, ptr(scratchDw.address()), MAX_ALGOS, n, perf, ptr(ws.address()), ws.bytes()),
                            "cudnnFindConvolutionBackwardFilterAlgorithmEx " + s);
                }
            } else {
                CudaCheck.checkCudnn(cudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle(), p.x, p.y, p.conv, p.w,
                        MAX_ALGOS, n, perf), "cudnnGetConvolutionBackwardFilterAlgorithm_v7 " + s);
            }
            for (int i = 0; i < n.get(); i++) {
                cudnnConvolutionBwdFilterAlgoPerf_t r = perf.getPointer(i);
                seen.add(new AlgoTiming("backward-filter", r.algo(), r.status(), r.time(), r.memory(),
                        r.determinism() == cudnn.CUDNN_DETERMINISTIC, false));
                if (accept(r.status(), r.determinism(), r.memory())) {
                    candidates.add(new Algo(r.algo(), r.memory()));
                }
            }
        }
        Algo a = pick(candidates, "backward-filter", s);
        record(s, "backward-filter", seen, a);
        try (SizeTPointer sz = new SizeTPointer(1)) {
            CudaCheck.checkCudnn(cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(handle(), p.x, p.y, p.conv, p.w, a.algo(),
                    sz), "cudnnGetConvolutionBackwardFilterWorkspaceSize");
            return new Algo(a.algo(), Math.max(a.workspace(), sz.get()));
        }
    }

    private boolean accept(int status, int determinism, long memory) {
        return status == cudnn.CUDNN_STATUS_SUCCESS && memory <= options.workspaceLimit()
                && (!options.deterministic() || determinism == cudnn.CUDNN_DETERMINISTIC);
    }

    private Algo pick(List<Algo> candidates, String dir, ConvShape s) {
        if (candidates.isEmpty()) {
            throw new CudaException("cuDNN found no usable " + dir + " algorithm for " + s + " (deterministic="
                    + options.deterministic() + ", workspace limit " + options.workspaceLimit() + " B)");
        }
        return candidates.get(0); // FindEx sorts by time, _v7 by expected performance
    }

    /** Workspace for FindEx: the limit, halved on OOM down to 0 (then algorithms needing none remain). */
    private DeviceBuffer searchWorkspace() {
        long size = options.workspaceLimit();
        while (true) {
            try {
                return allocator.allocate(size);
            } catch (CudaOutOfMemoryError e) {
                if (size == 0) {
                    throw e;
                }
                size = size < (1 << 20) ? 0 : size / 2;
            }
        }
    }

    private DeviceBuffer workspace(long bytes) {
        return bytes <= 0 ? null : allocator.allocate(bytes);
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

    // ------------------------------------------------------------------ pooling

    /** Output shape of 2-D pooling (floor mode, pure Java). */
    public static int[] poolOutputShape(int[] xShape, int[] window, int[] pad, int[] stride) {
        int p = (xShape[2] + 2 * pad[0] - window[0]) / stride[0] + 1;
        int q = (xShape[3] + 2 * pad[1] - window[1]) / stride[1] + 1;
        if (p <= 0 || q <= 0) {
            throw new IllegalArgumentException("pooling output would be empty for " + Arrays.toString(xShape));
        }
        return new int[] {xShape[0], xShape[1], p, q};
    }

    /**
     * 2-D pooling forward; MAX uses CUDNN_POOLING_MAX_DETERMINISTIC; AVG includes or excludes the
     * padding in the divisor (PyTorch's count_include_pad=True/False).
     */
    public synchronized void poolForward(DType t, PoolMode mode, int[] xShape, long x, int[] window, int[] pad, int[] stride,
                                         long y) {
        int[] out = poolOutputShape(xShape, window, pad, stride);
        CudaCheck.checkCudnn(cudnn.cudnnPoolingForward(handle(), pool(mode, window, pad, stride), one(t), tensor(t, xShape), ptr(x),
                zero(t), tensor(t, out), ptr(y)), "cudnnPoolingForward " + mode + " " + Arrays.toString(xShape));
    }

    /** 2-D pooling backward: dx from y (forward output), dy and x (overwrites dx). */
    public synchronized void poolBackward(DType t, PoolMode mode, int[] xShape, long x, long y, long dy, int[] window, int[] pad,
                                          int[] stride, long dx) {
        int[] out = poolOutputShape(xShape, window, pad, stride);
        cudnnTensorStruct yd = tensor(t, out);
        cudnnTensorStruct xd = tensor(t, xShape);
        CudaCheck.checkCudnn(cudnn.cudnnPoolingBackward(handle(), pool(mode, window, pad, stride), one(t), yd, ptr(y), yd, ptr(dy),
                xd, ptr(x), zero(t), xd, ptr(dx)), "cudnnPoolingBackward " + mode + " " + Arrays.toString(xShape));
    }

    private cudnnPoolingStruct pool(PoolMode mode, int[] window, int[] pad, int[] stride) {
        String key = mode + Arrays.toString(window) + Arrays.toString(pad) + Arrays.toString(stride);
        cudnnPoolingStruct d = pools.get(key);
        if (d == null) {
            d = new cudnnPoolingStruct();
            CudaCheck.checkCudnn(cudnn.cudnnCreatePoolingDescriptor(d), "cudnnCreatePoolingDescriptor");
            pools.put(key, d);
            int m = switch (mode) {
                case MAX -> cudnn.CUDNN_POOLING_MAX_DETERMINISTIC;
                case AVG_INCLUDE_PADDING -> cudnn.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
                case AVG_EXCLUDE_PADDING -> cudnn.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
            };
            CudaCheck.checkCudnn(cudnn.cudnnSetPooling2dDescriptor(d, m, cudnn.CUDNN_NOT_PROPAGATE_NAN, window[0], window[1], pad[0],
                    pad[1], stride[0], stride[1]), "cudnnSetPooling2dDescriptor " + key);
        }
        return d;
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

    private static long bytes(DType t, int[] shape) {
        long n = t.bytes();
        for (int d : shape) {
            n *= d;
        }
        return n;
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
        for (ConvPlan p : convs.values()) {
            cudnn.cudnnDestroyConvolutionDescriptor(p.conv);
        }
        for (cudnnTensorStruct d : tensors.values()) {
            cudnn.cudnnDestroyTensorDescriptor(d);
        }
        for (cudnnFilterStruct d : filters.values()) {
            cudnn.cudnnDestroyFilterDescriptor(d);
        }
        for (cudnnPoolingStruct d : pools.values()) {
            cudnn.cudnnDestroyPoolingDescriptor(d);
        }
        convs.clear();
        tensors.clear();
        filters.clear();
        pools.clear();
        cudnn.cudnnDestroy(handle);
        handle = null;
        for (Pointer p : new Pointer[] {oneF, zeroF, oneD, zeroD}) {
            p.close();
        }
    }
}
