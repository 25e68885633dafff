package org.gradlab.nn.optim.lr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.gradlab.nn.golden.GoldenManifest;
import org.gradlab.nn.golden.SchedulersSuite;
import org.gradlab.nn.optim.Optimizer;
import org.gradlab.nn.optim.ParamGroup;
import org.gradlab.nn.optim.SGD;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** schedulers.npz: every case's lr (and OneCycle momentum) sequence, including the trailing entry. */
class SchedulersGoldenTest {
    static Npz z;
    static final Map<String, Double> WORST = new LinkedHashMap<>();

    @BeforeAll
    static void open() throws Exception {
        z = Npz.open(SharedFiles.file("golden/schedulers.npz"));
    }

    @AfterAll
    static void close() throws Exception {
        z.close();
        System.out.println("schedulers.npz worst relative error: " + WORST);
    }

    static SGD sgd() {
        return new SGD(List.of(Tensor.of(new double[] {1, 2}, 2)), 0.001, 0.9, 0, false, 0);
    }

    static com.fasterxml.jackson.databind.JsonNode manifest(String c) {
        return GoldenManifest.cases(z).get(c);
    }

    static java.util.stream.Stream<String> cases() {
        return org.gradlab.engine.golden.GoldenCases.caseNames(z).stream();
    }

    /** Every case, built from its MANIFEST.json entry as verify's {@link SchedulersSuite} builds it. */
    @ParameterizedTest
    @MethodSource("cases")
    void matchesPyTorch(String c) {
        Optimizer opt = SchedulersSuite.optimizer(manifest(c));
        LRScheduler s = SchedulersSuite.scheduler(manifest(c), opt);
        double[] lr = z.get(c + ".f64.lr").toDoubles();
        double[] mom = z.has(c + ".f64.momentum") ? z.get(c + ".f64.momentum").toDoubles() : null;
        ParamGroup g = opt.paramGroups().get(0);
        double maxLr = 0;
        for (double v : lr) {
            maxLr = Math.max(maxLr, Math.abs(v));
        }
        for (int e = 0; e < lr.length; e++) {
            if (e > 0) {
                s.step();
            }
            double err = Math.abs(g.lr() - lr[e]) / maxLr;
            WORST.merge(c + ".lr", err, Math::max);
            assertTrue(err <= 1e-12, c + " epoch " + e + ": lr " + g.lr() + " vs " + lr[e]);
            assertEquals(g.lr(), s.lastLr()[0], 0.0);
            if (mom != null && e < mom.length) {
                double m = g.momentum();
                WORST.merge(c + ".momentum", Math.abs(m - mom[e]), Math::max);
                assertEquals(mom[e], m, 1e-12, c + " epoch " + e + " momentum");
            }
        }
        if (c.equals("onecycle_adam")) {
            assertTrue(g.has("beta1") && !g.has("momentum"), "OneCycle must cycle Adam's beta1");
        }
        if (c.startsWith("onecycle")) {
            assertThrows(IllegalStateException.class, s::step);
        }
    }

    @Test
    void closedFormMatchesRecursiveCosine() {
        double[] a = z.get("cosine.f64.lr").toDoubles();
        double[] b = z.get("cosine.f64.lr_closed_form").toDoubles();
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 1e-18);
        }
    }

    @Test
    void perGroupBaseRatesAndJumps() {
        Tensor p = Tensor.of(new double[] {1}, 1);
        Tensor q = Tensor.of(new double[] {1}, 1);
        SGD opt = SGD.withGroups(List.of(new ParamGroup(List.of(p)), new ParamGroup(List.of(q)).set("lr", 1.0)), 0.1, 0, 0, false, 0);
        StepLR s = new StepLR(opt, 2, 0.5);
        for (int i = 0; i < 4; i++) {
            s.step();
        }
        assertEquals(0.025, opt.paramGroups().get(0).lr(), 1e-15);
        assertEquals(0.25, opt.paramGroups().get(1).lr(), 1e-15);
        s.step(1);
        assertEquals(0.1, opt.paramGroups().get(0).lr(), 1e-15);
        Map<String, Double> sd = s.stateDict();
        StepLR resumed = new StepLR(opt, 2, 0.5);
        sd.put("last_epoch", 5.0);
        resumed.loadStateDict(sd);
        assertEquals(5, resumed.lastEpoch());
        assertEquals(0.025, opt.paramGroups().get(0).lr(), 1e-15);
        // SequentialLR.step(epoch) uses the active scheduler's closed form at epoch - milestone
        SGD o2 = sgd();
        SequentialLR seq = new SequentialLR(o2, List.of(new LinearLR(o2, 0.1, 1.0, 3), new CosineAnnealingLR(o2, 12)), 3);
        double[] ref = z.get("warmup3_cosine12.f64.lr").toDoubles();
        seq.step(9);
        assertEquals(ref[9], o2.paramGroups().get(0).lr(), 1e-15);
        Function<Integer, Double> lambda = e -> 1.0 / (e + 1);
        LambdaLR l = LambdaLR.ofDouble(sgd(), e -> lambda.apply((int) e));
        l.step();
        assertEquals(0.0005, l.lastLr()[0], 1e-15);
    }

    @Test
    void oneCycleThreePhaseEndPoints() {
        SGD opt = sgd();
        OneCycleLR s = new OneCycleLR(opt, 1.0, 10, 0.3, OneCycleLR.Anneal.LINEAR, true, 0.85, 0.95, 10, 1e4, true);
        // phase ends: 0.3*10-1 = 2, 2*0.3*10-2 = 4, 9
        double[] lr = {0.1, 0.55, 1.0, 0.55, 0.1, 0.1 + (1e-5 - 0.1) * 0.2};
        double[] mom = {0.95, 0.90, 0.85, 0.90, 0.95, 0.95};
        for (int e = 0; e < lr.length; e++) {
            if (e > 0) {
                s.step();
            }
            assertEquals(lr[e], opt.paramGroups().get(0).lr(), 1e-15, "lr at " + e);
            assertEquals(mom[e], opt.paramGroups().get(0).momentum(), 1e-15, "momentum at " + e);
        }
        s.step(9);
        assertEquals(1e-5, opt.paramGroups().get(0).lr(), 1e-16);
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(sgd(), 0));
        assertThrows(IllegalArgumentException.class, () -> new LinearLR(sgd(), 0, 1, 5));
        SGD o = sgd();
        assertThrows(IllegalArgumentException.class, () -> new SequentialLR(o, List.of(new StepLR(o, 1, 0.5)), 3));
        assertThrows(IllegalArgumentException.class, () -> new SequentialLR(o, List.of(new StepLR(sgd(), 1, 0.5))));
    }
}
