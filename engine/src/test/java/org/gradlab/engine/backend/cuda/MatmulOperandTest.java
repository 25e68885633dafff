package org.gradlab.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.cuda.CudaMatmul.Operand;
import org.junit.jupiter.api.Test;

/**
 * How CudaMatmul hands row-major views to cuBLAS (pure Java, runs on CPU tensors): plain views
 * keep their row stride as leading dimension, transposed views become a transpose flag with the
 * column stride as leading dimension, batched views keep their batch stride, anything else is a
 * contiguous copy. cuBLAS rejects ld < the row length, so ld must never be below it.
 */
class MatmulOperandTest {
    private static Tensor t(int... shape) {
        double[] d = new double[Math.toIntExact(org.gradlab.engine.Shape.numel(shape))];
        for (int i = 0; i < d.length; i++) {
            d[i] = i;
        }
        return Tensor.of(d, shape);
    }

    @Test
    void plainTransposedBatchedAndCopied() {
        Operand a = CudaMatmul.operand(t(7, 9));
        assertFalse(a.trans());
        assertEquals(9, a.ld());
        Tensor base = t(9, 7);
        Operand b = CudaMatmul.operand(base.transpose(0, 1));
        assertTrue(b.trans());
        assertEquals(7, b.ld());
        assertSame(base.storage(), b.t().storage(), "a transposed view is passed without a copy");
        Operand c = CudaMatmul.operand(t(3, 7, 9));
        assertEquals(63, c.batchStride());
        assertEquals(9, c.ld());
        Operand d = CudaMatmul.operand(t(3, 9, 7).transpose(1, 2));
        assertTrue(d.trans());
        assertEquals(7, d.ld());
        assertEquals(63, d.batchStride());
        // a column slice with row stride 9 but only 4 columns: plain with ld 9 (>= 4)
        Operand e = CudaMatmul.operand(t(7, 9).transpose(0, 1).slice0(2, 6).transpose(0, 1));
        assertFalse(e.trans());
        assertEquals(9, e.ld());
        // batch dims that are not uniformly strided: a contiguous copy with ld = cols
        Tensor weird = t(4, 3, 5, 6).permute(1, 0, 2, 3);
        Operand f = CudaMatmul.operand(weird);
        assertTrue(f.t().isContiguous());
        assertNotSame(weird.storage(), f.t().storage());
        assertEquals(6, f.ld());
        assertEquals(30, f.batchStride());
        assertArrayEquals(weird.contiguous().toDoubleArray(), f.t().toDoubleArray(), 0.0);
    }

    @Test
    void leadingDimensionIsNeverBelowTheRowLength() {
        Tensor[] views = {t(1, 1), t(5, 1), t(1, 5), t(5, 1).transpose(0, 1), t(2, 3, 1), t(2, 1, 3).transpose(1, 2)};
        for (Tensor v : views) {
            Operand o = CudaMatmul.operand(v);
            int need = o.trans() ? o.rows() : o.cols();
            assertTrue(o.ld() >= Math.max(1, need), "ld " + o.ld() + " < " + need + " for shape "
                    + java.util.Arrays.toString(v.shape()) + " strides " + java.util.Arrays.toString(v.strides()));
        }
    }
}
