package org.gradlab.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.PoolKernels.Pool2dParams;
import org.junit.jupiter.api.Test;

/** Raw off-heap loops check their whole range first: a tensor too small is an exception, never a read past its memory. */
class OffHeapBoundsTest {
    @Test
    void aForwardOutputTooSmallForTheWindowsIsRefused() {
        Generator gen = new Generator(2);
        Tensor x = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, 2, 3, 8, 8);
        Tensor g = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, 2, 3, 4, 4);
        Tensor tooSmall = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, 1, 3, 4, 4);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> x.backend().pool().maxPool2dBackward(g, x, tooSmall, new Pool2dParams(2, 2, 0)));
        assertTrue(e.getMessage().contains("[0, 96)") && e.getMessage().contains("storage of 48"), e.getMessage());
    }

    @Test
    void rangesOutsideAStorageOrOfTheWrongTypeAreRefused() {
        CpuStorage f = CpuBackend.storage(Tensor.zeros(DType.F32, Device.CPU, 10));
        OffHeap.floats(f, 2, 8); // the last 8 floats: fine
        assertThrows(IndexOutOfBoundsException.class, () -> OffHeap.floats(f, 3, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> OffHeap.floats(f, -1, 2));
        CpuStorage d = CpuBackend.storage(Tensor.zeros(DType.F64, Device.CPU, 10));
        assertThrows(IllegalStateException.class, () -> OffHeap.floats(d, 0, 4));
    }
}
