package org.gradlab.engine.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Collectors;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.Conv2d;
import org.gradlab.engine.ops.Relu;
import org.junit.jupiter.api.Test;

/** The op profiler charges every recorded op and every backward node to (phase, op, layer), and nothing when stopped. */
class OpProfilerTest {
    private static Tensor step(Tensor x, Tensor w) {
        return step(x, w, false);
    }

    /** conv then ReLU; with {@code residual} the sum of ReLU's output and the conv's, which then has two readers. */
    private static Tensor step(Tensor x, Tensor w, boolean residual) {
        Tensor h;
        try (Autograd.ScopeHandle s = Autograd.scope("features.0")) {
            h = Conv2d.apply(x, w, null, 1, 1, 1);
        }
        Tensor r;
        try (Autograd.ScopeHandle s = Autograd.scope("features.1")) {
            r = Relu.apply(h);
        }
        return residual ? r.add(h).sum() : r.sum();
    }

    /** {@code steps} profiled forward and backward passes of {@link #step}, each after a lap. */
    private static OpProfiler profiled(int steps, boolean residual) {
        Generator g = new Generator(1);
        Tensor x = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, 2, 3, 8, 8);
        Tensor w = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, 4, 3, 3, 3).requiresGrad(true);
        try (OpProfiler prof = OpProfiler.start()) {
            for (int i = 0; i < steps; i++) {
                OpProfiler.lap();
                step(x, w, residual).backward();
            }
            return prof;
        }
    }

    @Test
    void chargesEachOpAndLayerInBothPhases() {
        OpProfiler p = profiled(3, false);
        Generator g = new Generator(2);
        Tensor x = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, 2, 3, 8, 8);
        Tensor w = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, 4, 3, 3, 3).requiresGrad(true);
        Map<String, OpProfiler.Entry> byKey = p.entries().stream()
                .collect(Collectors.toMap(e -> e.phase() + " " + e.op() + " " + e.scope(), e -> e));
        assertEquals(3, byKey.get("forward Conv2d features.0").calls());
        assertEquals(3, byKey.get("forward Relu features.1").calls());
        assertEquals(3, byKey.get("backward Conv2d features.0").calls());
        assertEquals(3, byKey.get("backward Relu features.1").calls());
        assertTrue(byKey.get("backward Conv2d features.0").nanos() > 0);
        assertTrue(byKey.keySet().stream().noneMatch(k -> k.contains(OpProfiler.GRADIENT_SUM)), "no tensor has two readers");
        assertTrue(p.totalNanos("forward") > 0 && p.totalNanos("backward") > 0);
        String table = p.table(3);
        assertTrue(table.contains("Conv2d") && table.contains("features.1 Relu") && table.contains("total"), table);

        int before = p.entries().size();
        long calls = byKey.get("forward Conv2d features.0").calls();
        step(x, w).backward(); // stopped: nothing more is charged
        assertEquals(before, p.entries().size());
        assertEquals(calls, p.entries().stream().filter(e -> e.op().equals("Conv2d") && e.phase().equals("forward"))
                .findFirst().orElseThrow().calls());
    }

    @Test
    void aGradientSumIsChargedToTheLayerThatMadeTheSharedTensorNotToTheOpAfterIt() {
        OpProfiler p = profiled(2, true); // the conv's output is read twice: its two gradients are summed once per step
        Map<String, OpProfiler.Entry> byKey = p.entries().stream()
                .collect(Collectors.toMap(e -> e.phase() + " " + e.op() + " " + e.scope(), e -> e));
        OpProfiler.Entry sum = byKey.get("backward " + OpProfiler.GRADIENT_SUM + " features.0");
        assertTrue(sum != null, "no gradient-sum row in " + byKey.keySet());
        assertEquals(2, sum.calls());
        assertEquals(1, p.entries().stream().filter(e -> e.op().equals(OpProfiler.GRADIENT_SUM)).count(),
                "one row, under the layer that made h");
        String row = p.table(2).lines().filter(l -> l.trim().startsWith(OpProfiler.GRADIENT_SUM)).findFirst().orElseThrow();
        assertTrue(row.contains(" 1.0 "), "one sum per step, counted from its backward calls: " + row);
    }

    @Test
    void cpuClockLeavesOutTimeTheThreadSpendsAsleep() throws InterruptedException {
        Generator g = new Generator(1);
        Tensor x = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, 2, 3, 8, 8);
        Tensor w = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, 4, 3, 3, 3).requiresGrad(true);
        long[] nanos = new long[2];
        for (OpProfiler.Clock clock : OpProfiler.Clock.values()) {
            try (OpProfiler prof = OpProfiler.start(clock)) {
                assertEquals(clock, prof.clock());
                OpProfiler.lap();
                Thread.sleep(60); // charged to the first op on the wall clock only
                step(x, w);
                nanos[clock.ordinal()] = prof.entries().stream().filter(e -> e.op().equals("Conv2d")).findFirst().orElseThrow()
                        .nanos();
            }
        }
        assertTrue(nanos[OpProfiler.Clock.WALL.ordinal()] >= 60_000_000L, "wall " + nanos[0]);
        assertTrue(nanos[OpProfiler.Clock.CPU.ordinal()] < 40_000_000L, "cpu " + nanos[1]);
    }

    @Test
    void aClockNameThatIsNeitherCpuNorWallIsRefused() {
        String before = System.getProperty("gradlab.profileClock");
        System.setProperty("gradlab.profileClock", "gpu");
        try {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    OpProfiler.Clock::configured);
            assertTrue(e.getMessage().contains("expected cpu or wall, got 'gpu'"), e.getMessage());
            System.setProperty("gradlab.profileClock", "CPU");
            assertEquals(OpProfiler.Clock.CPU, OpProfiler.Clock.configured());
        } finally {
            if (before == null) {
                System.clearProperty("gradlab.profileClock");
            } else {
                System.setProperty("gradlab.profileClock", before);
            }
        }
    }
}
