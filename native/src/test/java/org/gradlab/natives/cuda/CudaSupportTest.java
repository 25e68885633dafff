package org.gradlab.natives.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The no-GPU path: runs on every machine; assertions on "not usable" only where there is no driver. */
class CudaSupportTest {
    private static boolean noDriver() {
        return !Files.exists(CudaSupport.DRIVER_FILE);
    }

    @Test
    void noDriverMeansNotUsableWithReasonNamingTheDriver() {
        Assumptions.assumeTrue(noDriver(), "this machine has an NVIDIA driver");
        CudaSupport.Status s = CudaSupport.status();
        assertFalse(s.usable());
        assertTrue(s.reason().contains("driver"), s.reason());
        assertFalse(CudaSupport.isUsable());
        IllegalStateException e = assertThrows(IllegalStateException.class, CudaSupport::require);
        assertTrue(e.getMessage().contains(s.reason()), e.getMessage());
        assertTrue(s.versions().contains("CUDA driver -"), s.versions());
    }

    @Test
    void printVersionsOnlyOnce() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true);
        CudaSupport.printVersionsOnce(out);
        int first = bytes.size();
        CudaSupport.printVersionsOnce(out);
        assertEquals(first, bytes.size());
    }

    /** Pretends a driver exists so that the native loading path runs: it must fail cleanly, not crash. */
    @Test
    void missingLibrariesFailCleanly() throws Exception {
        Assumptions.assumeTrue(noDriver(), "this machine has an NVIDIA driver");
        Path fake = Files.createTempFile("nvidia-version", ".txt");
        try {
            CudaSupport.Status s = CudaSupport.detect(fake);
            System.out.println("fake-driver detection: " + s.reason());
            assertFalse(s.usable());
            assertTrue(s.reason().contains("libcudart") || s.reason().contains("driver") || s.reason().contains("device"),
                    s.reason());
            // a second attempt (classes now in a failed state) must also fail cleanly
            CudaSupport.Status again = CudaSupport.detect(fake);
            assertFalse(again.usable());
        } finally {
            Files.deleteIfExists(fake);
        }
    }

    @Test
    void platformRejectsMpsClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Platform.parse("mps"));
        assertTrue(e.getMessage().contains("MPS is Apple's Metal backend; not supported on this platform"), e.getMessage());
        assertTrue(e.getMessage().contains(Platform.description()), e.getMessage());
        assertTrue(Platform.description().matches("(linux|macos|windows|[a-z0-9 ]+)/[a-z0-9_]+"), Platform.description());
        assertFalse(Platform.description().endsWith("/amd64"), "amd64 is called x86_64: " + Platform.description());
    }

    @Test
    void platformParsesDevices() {
        assertEquals(new Platform.Device(Platform.Kind.CPU, 0), Platform.parse("cpu"));
        assertEquals(new Platform.Device(Platform.Kind.CUDA, 0), Platform.parse("cuda"));
        assertEquals(new Platform.Device(Platform.Kind.CUDA, 2), Platform.parse("CUDA:2"));
        assertThrows(IllegalArgumentException.class, () -> Platform.parse("cuda:-1"));
        assertThrows(IllegalArgumentException.class, () -> Platform.parse("tpu"));
        assertEquals(Platform.Kind.CPU, Platform.resolve("cpu").kind());
    }

    @Test
    void explicitCudaWithoutGpuThrowsReason() {
        Assumptions.assumeTrue(noDriver(), "this machine has an NVIDIA driver");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Platform.resolve("cuda"));
        assertTrue(e.getMessage().contains("driver"), e.getMessage());
        assertEquals(Platform.Kind.CPU, Platform.resolve("auto").kind());
    }

    @Test
    void errorMessageFormat() {
        assertEquals("cudaMalloc(16): CUDA error 2 (cudaErrorMemoryAllocation): out of memory",
                CudaCheck.format("cudaMalloc(16)", "CUDA", 2, "cudaErrorMemoryAllocation", "out of memory"));
        assertEquals("conv: cuDNN error 3: CUDNN_STATUS_BAD_PARAM", CudaCheck.format("conv", "cuDNN", 3, null, "CUDNN_STATUS_BAD_PARAM"));
    }
}
