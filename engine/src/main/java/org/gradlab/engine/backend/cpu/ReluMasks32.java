package org.gradlab.engine.backend.cpu;

import java.nio.IntBuffer;

/**
 * ReLU's backward mask applied while a batch-norm backward stages its channels of the gradient
 * ({@link CpuNorm}'s float32 batch norm + ReLU). Moved out of CpuNorm as it is, to keep that file short.
 */
final class ReluMasks32 {
    private ReluMasks32() {}

    /**
     * Channels [c0, c1) of the gradient (bits {@code gBits} from {@code go}) staged as
     * {@link ChannelLoops32#stage} stages them, with +0 where the forward's output (bits
     * {@code outBits} from {@code oo}) is not > 0: the Relu op's mask, as out > 0 exactly where
     * y > 0. NOTE: on the bits, because C2 vectorises the mask over int[] only (a float select
     * becomes a branch, mispredicted on half of the signs); g moves into the float scratch once.
     */
    static float[] stageMaskedByOutput(IntBuffer gBits, int go, IntBuffer outBits, int oo, int n, int c, int s,
                                               int c0, int c1) {
        int row = (c1 - c0) * s;
        int len = n * row;
        int[] gb = HeapStage.bitScratch(0, len);
        int[] ob = HeapStage.bitScratch(1, len);
        for (int i = 0; i < n; i++) {
            gBits.get(go + (i * c + c0) * s, gb, i * row, row);
            outBits.get(oo + (i * c + c0) * s, ob, i * row, row);
        }
        CpuElementwise.reluBackward(gb, ob, len);
        float[] ga = HeapStage.scratch(0, len);
        OffHeap.moveBits(ga, gb, len, false);
        return ga;
    }
}
