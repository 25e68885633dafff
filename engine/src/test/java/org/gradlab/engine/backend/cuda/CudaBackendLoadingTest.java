package org.gradlab.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.Backend;
import org.gradlab.engine.backend.Backends;
import org.gradlab.engine.testutil.Devices;
import org.gradlab.natives.cuda.CudaSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** How {@code Backends.of(cuda)} behaves with and without a usable GPU. */
class CudaBackendLoadingTest {

    @Test
    void withoutCudaTheErrorNamesTheMissingPiece() {
        CudaSupport.Status s = CudaSupport.status();
        Assumptions.assumeFalse(s.usable(), "CUDA is usable on this host: the no-GPU error path cannot be observed");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.of(Device.cuda(0)));
        String m = e.getMessage();
        assertTrue(m.startsWith("device cuda:0 is not usable: CUDA is not usable: "), m);
        assertTrue(m.contains(s.reason()), "message should carry the detector's reason '" + s.reason() + "': " + m);
        // the reason names one of the pieces: driver, libcudart, libcublas, libcudnn, libnvrtc (or the forced CPU mode)
        assertTrue(m.matches("(?s).*(driver|libcudart|libcublas|libcudnn|libnvrtc|CPU only).*"), m);
        // a second attempt gives the same clear error (nothing half-initialised is cached)
        IllegalStateException again = assertThrows(IllegalStateException.class, () -> Tensor.zeros(DType.F32, Device.cuda(0), 2));
        assertEquals(m, again.getMessage());
    }

    @Test
    void withCudaTheBackendIsTheCudaOneAndRoundTripsData() {
        Devices.assumeUsable(Device.cuda(0));
        Backend b = Backends.of(Device.cuda(0));
        assertInstanceOf(CudaBackend.class, b);
        assertEquals(Device.cuda(0), b.device());
        Tensor t = Tensor.of(new float[] {1, -2, 3.5f, 4}, 2, 2).to(Device.cuda(0));
        assertEquals(Device.cuda(0), t.device());
        assertArrayEquals(new float[] {1, -2, 3.5f, 4}, t.toFloatArray());
        assertArrayEquals(new double[] {1, 3.5}, t.transpose(0, 1).slice0(0, 1).contiguous().reshape(2).mul(1.0)
                .toDoubleArray(), 0.0);
        assertArrayEquals(new float[] {0, 0, 0}, Tensor.zeros(DType.F32, Device.cuda(0), 3).toFloatArray());
    }
}
