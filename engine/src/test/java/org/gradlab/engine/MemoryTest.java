package org.gradlab.engine;

import static org.junit.jupiter.api.Assertions.*;

import org.gradlab.engine.ops.Linear;
import org.gradlab.natives.NativeBuffer;
import org.junit.jupiter.api.Test;

/** Off-heap memory is released deterministically: many training-like steps leave nothing behind. */
class MemoryTest {
    @Test
    void stepsInsideScopesDoNotLeak() {
        Generator gen = new Generator(1);
        Tensor w;
        Tensor b;
        try (MemoryScope p = MemoryScope.persistent()) {
            w = Tensor.normal(gen, 0, 0.1, DType.F32, Device.CPU, 16, 64).requiresGrad(true);
            b = Tensor.zeros(DType.F32, Device.CPU, 16).requiresGrad(true);
        }
        // warm-up step allocates the persistent gradients once
        step(gen, w, b);
        long before = settledLiveBytes(); // other tests' unreachable buffers go first: their cleaners are not this test's business

        for (int i = 0; i < 500; i++) {
            step(gen, w, b);
        }
        assertEquals(before, NativeBuffer.liveBytes(), "off-heap bytes after 500 steps");
    }

    /** Live off-heap bytes once the GC has run the cleaners of unreachable buffers (at most ~2 s of trying). */
    private static long settledLiveBytes() {
        long last = -1;
        for (int i = 0; i < 20 && NativeBuffer.liveBytes() != last; i++) {
            last = NativeBuffer.liveBytes();
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return NativeBuffer.liveBytes();
    }

    private static void step(Generator gen, Tensor w, Tensor b) {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, 32, 64);
            Tensor loss = Linear.apply(x, w, b).relu().mean();
            w.zeroGrad();
            b.zeroGrad();
            loss.backward();
            // an SGD step, in place
            w.backend().elementwise().axpy(w, w.grad(), -0.01);
            b.backend().elementwise().axpy(b, b.grad(), -0.01);
        }
    }

    /**
     * Backward frees each gradient once the op that consumed it is done (not at the scope's end):
     * through a chain of ten ops on 64 Ki floats, backward leaves about two gradients' worth of
     * new off-heap memory (the leaf's gradient and the one handed to it), not eleven.
     */
    @Test
    void backwardFreesEachGradientOnceItIsConsumed() {
        int n = 1 << 16;
        long bytes = (long) n * Float.BYTES;
        Tensor x;
        try (MemoryScope p = MemoryScope.persistent()) {
            x = Tensor.ones(DType.F32, Device.CPU, n).requiresGrad(true);
        }
        try (MemoryScope s = MemoryScope.open()) {
            Tensor y = x;
            for (int i = 0; i < 10; i++) {
                y = y.mul(1.5);
            }
            Tensor loss = y.sum();
            long before = NativeBuffer.liveBytes();
            loss.backward();
            long grown = NativeBuffer.liveBytes() - before;
            assertTrue(grown <= 3 * bytes, "backward kept " + grown + " bytes, expected at most " + 3 * bytes);
            assertEquals(Math.pow(1.5, 10), x.grad().toFloatArray()[n - 1], 1e-3);
        }
    }

    /**
     * What a backward allocates for itself, a weight's gradient once it is in the weight's
     * {@code .grad}, and the two halves of a pending sum go as soon as the op is done: through ten
     * residual linear layers (256 x 256 weights, activations of 32 x 256 floats), backward leaves
     * a few activations' worth of new memory, not ten weight gradients (each as large as eight
     * activations) and twenty summands.
     */
    @Test
    void backwardFreesScratchLeafGradientsAndSummands() {
        Generator gen = new Generator(3);
        Tensor x;
        Tensor[] w = new Tensor[10];
        try (MemoryScope p = MemoryScope.persistent()) {
            x = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, 32, 256);
            for (int i = 0; i < w.length; i++) {
                w[i] = Tensor.normal(gen, 0, 0.05, DType.F32, Device.CPU, 256, 256).requiresGrad(true);
            }
        }
        long activation = 32L * 256 * Float.BYTES;
        for (int step = 0; step < 2; step++) { // the first step allocates the weights' .grad
            try (MemoryScope s = MemoryScope.open()) {
                Tensor y = x;
                for (Tensor wi : w) {
                    y = y.add(Linear.apply(y, wi, null).relu());
                }
                Tensor loss = y.sum();
                long before = NativeBuffer.liveBytes();
                loss.backward();
                long grown = NativeBuffer.liveBytes() - before;
                if (step == 1) {
                    assertTrue(grown <= 4 * activation, "backward kept " + grown + " bytes, expected at most " + 4 * activation);
                }
            }
        }
        assertTrue(w[0].grad().abs().sum().item() > 0, "the first layer got a gradient");
        x.release();
        for (Tensor wi : w) {
            wi.grad().release();
            wi.release();
        }
    }

    @Test
    void closeKeepingFreesTheRestAndHandsTheSurvivorsToTheScopeBelow() {
        Tensor survivor;
        Tensor scratch;
        Tensor unowned;
        try (MemoryScope step = MemoryScope.open()) {
            MemoryScope inner = MemoryScope.open();
            survivor = Tensor.zeros(4);
            scratch = Tensor.zeros(4);
            inner.closeKeeping(survivor, null);
            assertTrue(scratch.storage().isReleased(), "scratch freed with the inner scope");
            assertFalse(survivor.storage().isReleased(), "survivor lives on");
            try (MemoryScope p = MemoryScope.persistent()) {
                MemoryScope inner2 = MemoryScope.open();
                unowned = Tensor.zeros(4);
                inner2.closeKeeping(unowned);
            }
        }
        assertTrue(survivor.storage().isReleased(), "the step's scope owned the survivor");
        assertFalse(unowned.storage().isReleased(), "below a persistent scope a survivor belongs to no scope");
        unowned.release();
    }

    @Test
    void tensorUsedAfterItsScopeFailsClearlyInsteadOfCrashing() {
        Tensor t;
        try (MemoryScope s = MemoryScope.open()) {
            t = Tensor.zeros(4);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, t::toFloatArray);
        assertTrue(e.getMessage().contains("released"), e.getMessage());
    }

    @Test
    void keptTensorsSurviveTheirScope() {
        Tensor t;
        try (MemoryScope s = MemoryScope.open()) {
            t = MemoryScope.keep(Tensor.full(DType.F32, Device.CPU, 2, 3));
        }
        assertArrayEquals(new float[] {2, 2, 2}, t.toFloatArray());
    }
}
