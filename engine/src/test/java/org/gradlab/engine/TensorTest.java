package org.gradlab.engine;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Layout, views, seeded randomness. */
class TensorTest {
    @Test
    void viewsShareStorageWithoutCopies() {
        Tensor t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
        Tensor r = t.reshape(3, 2);
        Tensor p = t.transpose(0, 1);
        Tensor s = t.slice0(1, 2);
        assertSame(t.storage(), r.storage());
        assertSame(t.storage(), p.storage());
        assertSame(t.storage(), s.storage());
        assertFalse(p.isContiguous());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, p.toFloatArray());
        assertArrayEquals(new float[] {3, 4, 5}, s.toFloatArray());
        assertNotSame(t.storage(), p.contiguous().storage());
    }

    @Test
    void reshapeErrorsNameBothShapes() {
        Tensor t = Tensor.zeros(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.reshape(4, 2));
        assertTrue(e.getMessage().contains("[2,3]") && e.getMessage().contains("[4,2]"), e.getMessage());
    }

    @Test
    void sameSeedSameNumbers() {
        Tensor a = Tensor.normal(new Generator(7), 0, 1, DType.F32, Device.CPU, 100);
        Tensor b = Tensor.normal(new Generator(7), 0, 1, DType.F32, Device.CPU, 100);
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        Tensor m = Tensor.bernoulli(new Generator(3), 0.3, DType.F32, Device.CPU, 10_000);
        assertEquals(0.3, m.sum().item() / 10_000, 0.02);
    }

    @Test
    void castKeepsValuesAndGradient() {
        Tensor x = Tensor.of(new double[] {1.5, -2}, 2).requiresGrad(true);
        Tensor y = x.to(DType.F32);
        assertEquals(DType.F32, y.dtype());
        y.mul(y).sum().backward();
        assertEquals(DType.F64, x.grad().dtype());
        assertArrayEquals(new double[] {3, -4}, x.grad().toDoubleArray(), 1e-6);
    }
}
