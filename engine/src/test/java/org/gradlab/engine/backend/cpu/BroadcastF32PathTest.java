package org.gradlab.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.function.BinaryOperator;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The staged float32 add/mul against a broadcast operand (per-channel scale, bias, row vector,
 * either operand order, a non-contiguous operand) equals the float64 path exactly: one add or
 * multiply per element, so the float32 result is the float64 one rounded.
 */
class BroadcastF32PathTest {
    private static void check(int[] as, int[] bs, boolean transposeB, BinaryOperator<Tensor> op) {
        Generator g = new Generator(as.length * 31 + bs.length);
        Tensor a = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, as);
        Tensor b = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, bs);
        if (transposeB) {
            b = b.transpose(0, 1); // a strided view
        }
        float[] got = op.apply(a, b).toFloatArray();
        Tensor ref = op.apply(a.to(DType.F64), b.to(DType.F64)).to(DType.F32);
        assertArrayEquals(ref.toFloatArray(), got, 0f);
    }

    @Test
    void perChannelRowAndColumnOperandsInBothOrders() {
        for (BinaryOperator<Tensor> op : java.util.List.<BinaryOperator<Tensor>>of(Tensor::add, Tensor::mul)) {
            check(new int[] {4, 3, 5, 6}, new int[] {1, 3, 1, 1}, false, op);
            check(new int[] {1, 3, 1, 1}, new int[] {4, 3, 5, 6}, false, op);
            check(new int[] {4, 3, 5, 6}, new int[] {6}, false, op); // a row: step 1
            check(new int[] {3, 7}, new int[] {3, 1}, false, op);
            check(new int[] {5, 3}, new int[] {3, 5}, true, op); // b transposed to (5, 3)
            check(new int[] {2, 3}, new int[] {}, false, op); // a scalar
        }
    }
}
