package org.gradlab.natives.cuda;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdDataAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdFilterAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * cuDNN's algorithm search for one convolution shape, per direction ({@link Cudnn}'s helper):
 * {@code cudnnFind*AlgorithmEx} on scratch buffers (so the caller's output is untouched) when
 * {@link Cudnn.Options#benchmark}, else the {@code cudnnGet*Algorithm_v7} heuristics; returns every
 * algorithm cuDNN reported, in its order, with status, time, workspace, determinism and math type.
 * {@link ConvAlgoChoice} then keeps the acceptable ones.
 */
final class ConvSearch {
    private static final int MAX_ALGOS = 16;

    private ConvSearch() {}

    /** Per-shape convolution descriptors and, per direction, the algorithm choice (null until the first call). */
    static final class Plan {
        cudnnTensorStruct x;
        cudnnFilterStruct w;
        cudnnTensorStruct y;
        cudnnConvolutionStruct conv;
        int[] out;
        ConvAlgoChoice fwd;
        ConvAlgoChoice bwdData;
        ConvAlgoChoice bwdFilter;
    }

    static void setMath(Plan p, int mathType) {
        CudaCheck.checkCudnn(cudnn.cudnnSetConvolutionMathType(p.conv, mathType), "cudnnSetConvolutionMathType " + mathType);
    }

    /** Before a search with TF32 allowed: the descriptor back to DEFAULT math (a run may have set another). */
    static void resetMath(Plan p, Cudnn.Options o) {
        if (o.allowTf32()) {
            setMath(p, cudnn.CUDNN_DEFAULT_MATH);
        }
    }

    static List<Cudnn.AlgoTiming> forward(cudnnContext h, CachingAllocator alloc, Cudnn.Options o, ConvShape s, Plan p,
                                             long x, long w) {
        resetMath(p, o);
        try (cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(MAX_ALGOS); IntPointer n = new IntPointer(1)) {
            if (o.benchmark()) {
                try (DeviceBuffer scratchY = alloc.allocate(bytes(s.type(), p.out));
                     DeviceBuffer ws = searchWorkspace(alloc, o.workspaceLimit())) {
                    CudaCheck.checkCudnn(cudnn.cudnnFindConvolutionForwardAlgorithmEx(h, p.x, ptr(x), p.w, ptr(w), p.conv,
                            p.y, ptr(scratchY.address()), MAX_ALGOS, n, perf, ptr(ws.address()), ws.bytes()),
                            "cudnnFindConvolutionForwardAlgorithmEx " + s);
                }
            } else {
                CudaCheck.checkCudnn(cudnn.cudnnGetConvolutionForwardAlgorithm_v7(h, p.x, p.w, p.conv, p.y, MAX_ALGOS, n, perf),
                        "cudnnGetConvolutionForwardAlgorithm_v7 " + s);
            }
            List<Cudnn.AlgoTiming> seen = new ArrayList<>();
            for (int i = 0; i < n.get(); i++) {
                cudnnConvolutionFwdAlgoPerf_t r = perf.getPointer(i);
                seen.add(new Cudnn.AlgoTiming("forward", r.algo(), r.status(), r.time(), r.memory(),
                        r.determinism() == cudnn.CUDNN_DETERMINISTIC, r.mathType(), false));
            }
            return seen;
        }
    }

    static List<Cudnn.AlgoTiming> backwardData(cudnnContext h, CachingAllocator alloc, Cudnn.Options o, ConvShape s, Plan p,
                                             long w, long dy) {
        resetMath(p, o);
        try (cudnnConvolutionBwdDataAlgoPerf_t perf = new cudnnConvolutionBwdDataAlgoPerf_t(MAX_ALGOS);
             IntPointer n = new IntPointer(1)) {
            if (o.benchmark()) {
                try (DeviceBuffer scratchDx = alloc.allocate(bytes(s.type(), s.x()));
                     DeviceBuffer ws = searchWorkspace(alloc, o.workspaceLimit())) {
                    CudaCheck.checkCudnn(cudnn.cudnnFindConvolutionBackwardDataAlgorithmEx(h, p.w, ptr(w), p.y, ptr(dy),
                            p.conv, p.x, ptr(scratchDx.address()), MAX_ALGOS, n, perf, ptr(ws.address()), ws.bytes()),
                            "cudnnFindConvolutionBackwardDataAlgorithmEx " + s);
                }
            } else {
                CudaCheck.checkCudnn(cudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(h, p.w, p.y, p.conv, p.x, MAX_ALGOS,
                        n, perf), "cudnnGetConvolutionBackwardDataAlgorithm_v7 " + s);
            }
            List<Cudnn.AlgoTiming> seen = new ArrayList<>();
            for (int i = 0; i < n.get(); i++) {
                cudnnConvolutionBwdDataAlgoPerf_t r = perf.getPointer(i);
                seen.add(new Cudnn.AlgoTiming("backward-data", r.algo(), r.status(), r.time(), r.memory(),
                        r.determinism() == cudnn.CUDNN_DETERMINISTIC, r.mathType(), false));
            }
            return seen;
        }
    }

    static List<Cudnn.AlgoTiming> backwardFilter(cudnnContext h, CachingAllocator alloc, Cudnn.Options o, ConvShape s, Plan p,
                                             long x, long dy) {
        resetMath(p, o);
        try (cudnnConvolutionBwdFilterAlgoPerf_t perf = new cudnnConvolutionBwdFilterAlgoPerf_t(MAX_ALGOS);
             IntPointer n = new IntPointer(1)) {
            if (o.benchmark()) {
                try (DeviceBuffer scratchDw = alloc.allocate(bytes(s.type(), s.w()));
                     DeviceBuffer ws = searchWorkspace(alloc, o.workspaceLimit())) {
                    CudaCheck.checkCudnn(cudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx(h, p.x, ptr(x), p.y, ptr(dy),
                            p.conv, p.w, ptr(scratchDw.address()), MAX_ALGOS, n, perf, ptr(ws.address()), ws.bytes()),
                            "cudnnFindConvolutionBackwardFilterAlgorithmEx " + s);
                }
            } else {
                CudaCheck.checkCudnn(cudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, p.x, p.y, p.conv, p.w,
                        MAX_ALGOS, n, perf), "cudnnGetConvolutionBackwardFilterAlgorithm_v7 " + s);
            }
            List<Cudnn.AlgoTiming> seen = new ArrayList<>();
            for (int i = 0; i < n.get(); i++) {
                cudnnConvolutionBwdFilterAlgoPerf_t r = perf.getPointer(i);
                seen.add(new Cudnn.AlgoTiming("backward-filter", r.algo(), r.status(), r.time(), r.memory(),
                        r.determinism() == cudnn.CUDNN_DETERMINISTIC, r.mathType(), false));
            }
            return seen;
        }
    }

    /** Workspace for FindEx: the limit, halved on OOM down to 0 (then algorithms needing none remain). */
    private static DeviceBuffer searchWorkspace(CachingAllocator alloc, long limit) {
        long size = limit;
        while (true) {
            try {
                return alloc.allocate(size);
            } catch (CudaOutOfMemoryError e) {
                if (size == 0) {
                    throw e;
                }
                size = size < (1 << 20) ? 0 : size / 2;
            }
        }
    }

    private static long bytes(DType t, int[] shape) {
        long n = t.bytes();
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static Pointer ptr(long address) {
        return DevicePointers.of(address);
    }
}
