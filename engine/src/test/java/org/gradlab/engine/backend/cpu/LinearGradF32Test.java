package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.ReferenceCheck.assertClose;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.exactInF32;

import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.Linear;
import org.junit.jupiter.api.Test;

/**
 * Linear's gradients in float32 against the float64 reference: more outputs than inputs (the
 * weight gradient as (xᵀg)ᵀ and its transposed copy), fewer, as many, and a 3-D input; the same
 * exact-in-float32 inputs and upstream gradient on both sides.
 */
class LinearGradF32Test {
    @Test
    void gradientsMatchTheReference() {
        Generator gen = new Generator(11);
        int[][] shapes = {{37, 5, 41}, {37, 41, 5}, {20, 17, 17}, {64, 19, 70}}; // {rows, in, out}
        for (int[] s : shapes) {
            check(gen, new int[] {s[0], s[1]}, s[2]);
        }
        check(gen, new int[] {3, 13, 6}, 22);
    }

    private static void check(Generator gen, int[] inputShape, int out) {
        int in = inputShape[inputShape.length - 1];
        Tensor x = exactInF32(gen, inputShape);
        Tensor w = exactInF32(gen, out, in);
        Tensor b = exactInF32(gen, out);
        int[] outShape = inputShape.clone();
        outShape[outShape.length - 1] = out;
        Tensor g = exactInF32(gen, outShape);
        Tensor[] ref = grads(x, w, b, g);
        Tensor[] fast = grads(x.to(DType.F32), w.to(DType.F32), b.to(DType.F32), g.to(DType.F32));
        String what = "linear " + java.util.Arrays.toString(inputShape) + " -> " + out + ": ";
        assertClose(fast[0], ref[0], 1e-6, what + "input gradient");
        assertClose(fast[1], ref[1], 1e-6, what + "weight gradient");
        assertClose(fast[2], ref[2], 1e-6, what + "bias gradient");
    }

    private static Tensor[] grads(Tensor x, Tensor w, Tensor b, Tensor g) {
        Tensor xg = x.detach().requiresGrad(true);
        Tensor wg = w.detach().requiresGrad(true);
        Tensor bg = b.detach().requiresGrad(true);
        Linear.apply(xg, wg, bg).backward(g);
        return new Tensor[] {xg.grad(), wg.grad(), bg.grad()};
    }
}
