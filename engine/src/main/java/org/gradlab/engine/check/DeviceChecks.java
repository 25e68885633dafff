package org.gradlab.engine.check;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.Backend;
import org.gradlab.engine.backend.Backends;
import org.gradlab.engine.backend.cuda.CudaBackend;
import org.gradlab.engine.ops.BatchNorm2d;
import org.gradlab.engine.ops.Conv2d;
import org.gradlab.engine.ops.CrossEntropy;
import org.gradlab.engine.ops.Linear;
import org.gradlab.engine.ops.MaxPool2d;
import org.gradlab.natives.NativeBuffer;

/**
 * Device behaviours that are not numeric comparisons: a bad class index is a Java exception
 * naming it (never a crash), released memory is an {@link IllegalStateException}, and device
 * memory stays flat over many training steps (no growth, no new raw allocations after warm-up).
 */
public final class DeviceChecks {
    /** Number of checks {@link #runAll} performs. */
    public static final int COUNT = 3;

    private DeviceChecks() {}

    /** Null when {@code device} can be used, else why not (e.g. the missing CUDA piece). */
    public static String unusableReason(Device device) {
        try {
            Backends.of(device);
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    /** Runs every check; prints one line each; returns the failures. */
    public static List<String> runAll(Device device, PrintStream out) {
        List<String> failures = new ArrayList<>();
        check("bad_target_is_an_exception", () -> badTarget(device), out, failures);
        check("use_after_release_is_an_exception", () -> useAfterRelease(device), out, failures);
        check("memory_flat_over_40_steps", () -> memoryFlat(device, 40), out, failures);
        return failures;
    }

    private static void check(String name, Runnable r, PrintStream out, List<String> failures) {
        try {
            r.run();
            out.println("check " + name + " PASS");
        } catch (RuntimeException | AssertionError e) {
            out.println("check " + name + " FAIL: " + e);
            failures.add(name + ": " + e);
        }
    }

    /** cross_entropy with target 7 for 5 classes must throw, naming row 3 and value 7. */
    public static void badTarget(Device device) {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.uniform(new Generator(1), -1, 1, DType.F32, Device.CPU, 6, 5).to(device);
            int[] y = {0, 1, 4, 7, 2, 9};
            try {
                CrossEntropy.apply(x, y, null, 0.0, Reduction.MEAN).item();
            } catch (IllegalArgumentException e) {
                if (!e.getMessage().contains("target[3] = 7") || !e.getMessage().contains("[0, 5)")) {
                    throw new AssertionError("message does not name target[3] = 7 and [0, 5): " + e.getMessage());
                }
                // the device must still work after the reported error
                double v = x.sum().item();
                if (Double.isNaN(v)) {
                    throw new AssertionError("device unusable after a bad target");
                }
                return;
            }
            throw new AssertionError("no exception for class index 7 of 5 classes");
        }
    }

    /** Reading a released tensor must be an IllegalStateException. */
    public static void useAfterRelease(Device device) {
        Tensor t;
        try (MemoryScope s = MemoryScope.open()) {
            t = Tensor.ones(DType.F32, device, 3, 4);
        }
        try {
            t.toDoubleArray();
        } catch (IllegalStateException e) {
            if (!e.getMessage().contains("released")) {
                throw new AssertionError("message does not say 'released': " + e.getMessage());
            }
            return;
        }
        throw new AssertionError("a released tensor could still be read");
    }

    /**
     * A small CNN (conv, batch norm, relu, max pool, linear, cross-entropy, fused Adam) trained for
     * {@code steps} steps, each in its own MemoryScope, with one batch upload per step. After 3 warm-up
     * steps the bytes in use must never exceed those after step 3, and on CUDA no further cudaMalloc may happen.
     */
    public static void memoryFlat(Device device, int steps) {
        Backend backend = Backends.of(device);
        LongSupplier inUse = backend instanceof CudaBackend cb ? () -> cb.memoryStats().allocatedBytes() : NativeBuffer::liveBytes;
        LongSupplier mallocs = backend instanceof CudaBackend cb ? () -> cb.memoryStats().rawMallocs() : () -> 0L;
        Generator g = new Generator(3);
        Tensor w;
        Tensor bnW;
        Tensor bnB;
        Tensor rm;
        Tensor rv;
        Tensor fc;
        Tensor[] m;
        Tensor[] v;
        try (MemoryScope p = MemoryScope.persistent()) {
            w = Tensor.uniform(g, -0.3, 0.3, DType.F32, device, 8, 3, 3, 3).requiresGrad(true);
            bnW = Tensor.ones(DType.F32, device, 8).requiresGrad(true);
            bnB = Tensor.zeros(DType.F32, device, 8).requiresGrad(true);
            rm = Tensor.zeros(DType.F32, device, 8);
            rv = Tensor.ones(DType.F32, device, 8);
            fc = Tensor.uniform(g, -0.1, 0.1, DType.F32, device, 10, 8 * 4 * 4).requiresGrad(true);
            Tensor[] params = {w, bnW, bnB, fc};
            m = new Tensor[params.length];
            v = new Tensor[params.length];
            for (int i = 0; i < params.length; i++) {
                m[i] = Tensor.zeros(DType.F32, device, params[i].shape());
                v[i] = Tensor.zeros(DType.F32, device, params[i].shape());
            }
        }
        Tensor[] params = {w, bnW, bnB, fc};
        long baseline = -1;
        long baseMallocs = -1;
        for (int step = 1; step <= steps; step++) {
            try (MemoryScope s = MemoryScope.open()) {
                Tensor x = Tensor.uniform(g, -1, 1, DType.F32, Device.CPU, 16, 3, 8, 8).to(device); // one upload per batch
                int[] y = new int[16];
                for (int i = 0; i < y.length; i++) {
                    y[i] = g.nextInt(10);
                }
                Tensor h = BatchNorm2d.apply(Conv2d.apply(x, w, null, 1, 1, 1), bnW, bnB, rm, rv, true, 0.1, 1e-5).relu();
                Tensor logits = Linear.apply(MaxPool2d.apply(h, 2, 2, 0).flatten(1), fc, null);
                Tensor loss = CrossEntropy.apply(logits, y, null, 0.0, Reduction.MEAN);
                loss.backward();
                for (int i = 0; i < params.length; i++) {
                    params[i].backend().optim().adamStep(params[i], params[i].grad(), m[i], v[i], 1e-3, 0.9, 0.999, 1e-8, 0, step, true);
                    params[i].zeroGrad();
                }
                if (Double.isNaN(loss.item())) {
                    throw new AssertionError("loss became NaN at step " + step);
                }
            }
            if (step == 3) {
                baseline = inUse.getAsLong();
                baseMallocs = mallocs.getAsLong();
            } else if (step > 3 && inUse.getAsLong() > baseline) {
                // NOTE: only growth fails: a Cleaner may free unrelated unreachable storages meanwhile
                throw new AssertionError("memory in use grew from " + baseline + " B after step 3 to " + inUse.getAsLong()
                        + " B after step " + step);
            }
        }
        if (mallocs.getAsLong() != baseMallocs) {
            throw new AssertionError("raw device allocations grew from " + baseMallocs + " to " + mallocs.getAsLong()
                    + " after warm-up (the caching allocator should serve every request)");
        }
    }
}
