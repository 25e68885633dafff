package org.gradlab.natives.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.global.cudnn;
import org.junit.jupiter.api.Test;

/** Which cuDNN algorithms are acceptable, and falling back when the chosen one does not run (no GPU needed). */
class ConvAlgoChoiceTest {
    private static final Cudnn.Options EXACT = Cudnn.Options.defaults();
    private static final Cudnn.Options TF32 = new Cudnn.Options(true, true, true, 512L << 20);

    private static Cudnn.AlgoTiming found(int algo, int status, long workspace, boolean deterministic, int math) {
        return new Cudnn.AlgoTiming("forward", algo, status, 0.1f, workspace, deterministic, math, false);
    }

    @Test
    void candidatesKeepCudnnsOrderAndDropWhatTheOptionsRefuse() {
        List<Cudnn.AlgoTiming> seen = List.of(
                found(6, cudnn.CUDNN_STATUS_SUCCESS, 0, true, cudnn.CUDNN_TENSOR_OP_MATH),     // TF32: not for exact float32
                found(7, cudnn.CUDNN_STATUS_NOT_SUPPORTED, 0, true, cudnn.CUDNN_FMA_MATH),     // cannot run here
                found(4, cudnn.CUDNN_STATUS_SUCCESS, 1L << 40, true, cudnn.CUDNN_FMA_MATH),    // workspace over the limit
                found(5, cudnn.CUDNN_STATUS_SUCCESS, 0, false, cudnn.CUDNN_FMA_MATH),          // non-deterministic
                found(1, cudnn.CUDNN_STATUS_SUCCESS, 4096, true, cudnn.CUDNN_FMA_MATH),
                found(0, cudnn.CUDNN_STATUS_SUCCESS, 0, true, cudnn.CUDNN_DEFAULT_MATH));
        assertEquals(List.of(new Cudnn.Algo(1, 4096, cudnn.CUDNN_FMA_MATH), new Cudnn.Algo(0, 0, cudnn.CUDNN_DEFAULT_MATH)),
                ConvAlgoChoice.candidates(seen, EXACT, true));
        // float64 has no TF32: the tensor-op entry is kept; with TF32 allowed it is kept for float32 too, math type and all
        assertEquals(6, ConvAlgoChoice.candidates(seen, EXACT, false).get(0).algo());
        assertEquals(new Cudnn.Algo(6, 0, cudnn.CUDNN_TENSOR_OP_MATH), ConvAlgoChoice.candidates(seen, TF32, true).get(0));
        Cudnn.Options anyAlgo = new Cudnn.Options(false, true, false, 512L << 20);
        assertEquals(List.of(5, 1, 0), ConvAlgoChoice.candidates(seen, anyAlgo, true).stream().map(Cudnn.Algo::algo).toList());
    }

    @Test
    void aFailingAlgorithmFallsBackToTheNextAndStaysThere() {
        List<String> log = new ArrayList<>();
        List<Cudnn.Algo> c = List.of(new Cudnn.Algo(1, 0, 3), new Cudnn.Algo(0, 0, 3), new Cudnn.Algo(2, 64, 3));
        ConvAlgoChoice choice = new ConvAlgoChoice("forward s", c, EXACT, log::add);
        Map<Integer, Integer> status = Map.of(1, cudnn.CUDNN_STATUS_EXECUTION_FAILED, 0, cudnn.CUDNN_STATUS_SUCCESS,
                2, cudnn.CUDNN_STATUS_SUCCESS);
        List<Integer> tried = new ArrayList<>();
        assertEquals(0, choice.run(a -> {
            tried.add(a.algo());
            return status.get(a.algo());
        }).algo());
        assertEquals(List.of(1, 0), tried);
        assertEquals(0, choice.current().algo());
        assertEquals(1, log.size());
        assertTrue(log.get(0).contains("algorithm 1") && log.get(0).contains("status " + cudnn.CUDNN_STATUS_EXECUTION_FAILED), log.get(0));
        tried.clear();
        choice.run(a -> {
            tried.add(a.algo());
            return status.get(a.algo());
        });
        assertEquals(List.of(0), tried, "the algorithm that ran is kept for the next call");
    }

    @Test
    void whenNoneRunsTheErrorNamesEachAlgorithm() {
        List<Cudnn.Algo> c = List.of(new Cudnn.Algo(1, 1L << 30, 3), new Cudnn.Algo(0, 0, 3));
        ConvAlgoChoice choice = new ConvAlgoChoice("backward-data s", c, EXACT, line -> { });
        CudaException e = assertThrows(CudaException.class, () -> choice.run(a -> a.algo() == 1
                ? ConvAlgoChoice.WORKSPACE_NOT_ALLOCATED : cudnn.CUDNN_STATUS_NOT_SUPPORTED));
        assertTrue(e.getMessage().contains("algorithm 1 (fma): 1073741824 B workspace not allocatable"), e.getMessage());
        assertTrue(e.getMessage().contains("algorithm 0 (fma): status " + cudnn.CUDNN_STATUS_NOT_SUPPORTED), e.getMessage());
        assertEquals(cudnn.CUDNN_STATUS_NOT_SUPPORTED, e.code());
    }

    @Test
    void noCandidatesIsAClearError() {
        CudaException e = assertThrows(CudaException.class, () -> new ConvAlgoChoice("forward s", List.of(), EXACT, l -> { }));
        assertTrue(e.getMessage().contains("no usable forward s algorithm") && e.getMessage().contains("deterministic=true"),
                e.getMessage());
    }

    @Test
    void mathTypesHaveNames() {
        assertEquals("fma", ConvAlgoChoice.mathName(cudnn.CUDNN_FMA_MATH));
        assertEquals("tensor-op", ConvAlgoChoice.mathName(cudnn.CUDNN_TENSOR_OP_MATH));
        assertEquals("math-9", ConvAlgoChoice.mathName(9));
    }
}
