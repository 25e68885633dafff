package org.gradlab.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.gradlab.nn.golden.GoldenManifest;
import org.gradlab.nn.golden.OptimSuite;
import org.gradlab.nn.io.SafeTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * optim.npz beyond what its verify suite ({@link OptimSuite}, run by TrainingGoldenSuitesTest)
 * checks: parameter groups, in-place updates, state dicts, invalid arguments.
 */
class OptimGoldenTest {
    static final String[] NAMES = {"a", "b"};
    static Npz z;
    @TempDir
    Path dir;
    static final Map<String, Double> WORST = new LinkedHashMap<>();

    @BeforeAll
    static void open() throws Exception {
        z = Npz.open(SharedFiles.file("golden/optim.npz"));
    }

    @AfterAll
    static void close() throws Exception {
        z.close();
        System.out.println("optim.npz worst relative error per case/dtype: " + WORST);
    }

    /** The optimizer of case {@code c}, from its MANIFEST.json entry (as {@code verify} builds it). */
    static Optimizer make(String c, List<Tensor> ps) {
        return OptimSuite.optimizer(GoldenManifest.cases(z).get(c), ps);
    }

    static Tensor load(String key, DType dt) {
        NpyArray a = z.get(key);
        return Tensor.of(dt, Device.CPU, a.toDoubles(), a.shape());
    }

    static List<Tensor> params(String c, DType dt) {
        List<Tensor> ps = new ArrayList<>();
        for (String n : NAMES) {
            ps.add(load(c + ".f64.param0_" + n, dt).requiresGrad(true));
        }
        return ps;
    }

    static void setGrads(String c, int t, List<Tensor> ps, DType dt) {
        for (int i = 0; i < ps.size(); i++) {
            ps.get(i).setGrad(load(c + ".f64.grad" + t + "_" + NAMES[i], dt));
        }
    }

    /** max|x - ref| / max|ref|. */
    static double relErr(Tensor x, NpyArray ref) {
        double[] a = x.toDoubleArray();
        double[] r = ref.toDoubles();
        assertEquals(r.length, a.length);
        double md = 0, mr = 0;
        for (int i = 0; i < a.length; i++) {
            md = Math.max(md, Math.abs(a[i] - r[i]));
            mr = Math.max(mr, Math.abs(r[i]));
        }
        return mr == 0 ? md : md / mr;
    }

    static void check(String c, int t, List<Tensor> ps, Optimizer opt, DType dt) {
        double tol = dt == DType.F64 ? 1e-12 : 1e-6;
        for (int i = 0; i < ps.size(); i++) {
            String n = NAMES[i];
            List<String> names = new ArrayList<>(List.of("param" + t + "_" + n));
            Map<String, Tensor> got = new LinkedHashMap<>();
            got.put(names.get(0), ps.get(i));
            for (String buf : new String[] {"momentum_buffer", "exp_avg", "exp_avg_sq"}) {
                String key = "state" + t + "_" + n + "_" + buf;
                if (z.has(c + ".f64." + key)) {
                    Tensor b = opt.state(ps.get(i)).buffer(buf);
                    assertTrue(b != null, c + ": missing state " + buf);
                    got.put(key, b);
                }
            }
            if (c.startsWith("sgd_mom") || c.equals("sgd_nesterov")) {
                assertTrue(got.size() == 2, c + ": expected a momentum buffer");
            }
            for (Map.Entry<String, Tensor> e : got.entrySet()) {
                double err = relErr(e.getValue(), z.get(c + ".f64." + e.getKey()));
                WORST.merge(c + "/" + dt, err, Math::max);
                assertTrue(err <= tol, c + " " + dt + " " + e.getKey() + ": relative error " + err + " > " + tol);
            }
        }
    }

    @Test
    void f32InputsAreBitIdenticalToF64Group() {
        float[] f = z.get("adam.f32.param0_a").toFloats();
        double[] d = z.get("adam.f64.param0_a").toDoubles();
        for (int i = 0; i < f.length; i++) {
            assertEquals(d[i], f[i], 0.0);
        }
    }

    @Test
    void parameterGroupsWithDifferentLr() {
        // a with lr 0.1 follows adam_lr0p1, b with the default lr 1e-3 follows adam.
        Tensor a = load("adam_lr0p1.f64.param0_a", DType.F64).requiresGrad(true);
        Tensor b = load("adam.f64.param0_b", DType.F64).requiresGrad(true);
        Adam opt = Adam.withGroups(List.of(new ParamGroup(List.of(a)).set("lr", 0.1), new ParamGroup(List.of(b))),
                1e-3, 0.9, 0.999, 1e-8, 0);
        assertEquals(0.1, opt.paramGroups().get(0).lr());
        assertEquals(1e-3, opt.paramGroups().get(1).lr());
        for (int t = 1; t <= 3; t++) {
            a.setGrad(load("adam_lr0p1.f64.grad" + t + "_a", DType.F64));
            b.setGrad(load("adam.f64.grad" + t + "_b", DType.F64));
            opt.step();
            assertTrue(relErr(a, z.get("adam_lr0p1.f64.param" + t + "_a")) <= 1e-9);
            assertTrue(relErr(b, z.get("adam.f64.param" + t + "_b")) <= 1e-9);
        }
        // SGD groups: plain closed form p - lr*g per group
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor y = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        SGD sgd = SGD.withGroups(List.of(new ParamGroup(List.of(x)), new ParamGroup(List.of(y)).set("lr", 0.5)), 0.1, 0, 0, false, 0);
        x.setGrad(Tensor.of(new double[] {1, 1, 1}, 3));
        y.setGrad(Tensor.of(new double[] {1, 1, 1}, 3));
        sgd.step();
        assertEquals(0.9, x.toDoubleArray()[0], 1e-15);
        assertEquals(0.5, y.toDoubleArray()[0], 1e-15);
        sgd.paramGroups().get(0).setLr(1.0);
        sgd.step();
        assertEquals(-0.1, x.toDoubleArray()[0], 1e-15);
    }

    @Test
    void updatesInPlaceAndSkipsNullGrads() {
        List<Tensor> ps = params("sgd_mom0p9", DType.F32);
        Tensor a = ps.get(0);
        Object storageBefore = a.storage();
        SGD opt = (SGD) make("sgd_mom0p9", ps);
        a.setGrad(load("sgd_mom0p9.f64.grad1_a", DType.F32));
        double[] b0 = ps.get(1).toDoubleArray();
        opt.step();
        assertTrue(a.storage() == storageBefore);
        assertNull(opt.state(ps.get(1)));
        assertEquals(b0[0], ps.get(1).toDoubleArray()[0], 0.0);
        opt.zeroGrad();
        assertArrayEquals(new double[12], a.grad().toDoubleArray(), 0.0, "zeroGrad zeroes in place");
        a.setGrad(null);
        double[] a1 = a.toDoubleArray();
        opt.step();
        assertEquals(a1[0], a.toDoubleArray()[0], 0.0);
        assertEquals(1, opt.state(a).step());
    }

    @ParameterizedTest
    @ValueSource(strings = {"adamw", "sgd_nesterov"})
    void stateDictResumesTraining(String c) throws Exception {
        List<Tensor> ps = params(c, DType.F64);
        Optimizer opt = make(c, ps);
        setGrads(c, 1, ps, DType.F64);
        opt.step();
        // through a safetensors file, as a training run would resume
        Path file = dir.resolve(c + ".safetensors");
        SafeTensors.save(file, opt.stateDict());
        Map<String, Tensor> sd = SafeTensors.load(file);
        // a fresh optimizer over copies of the parameters resumes at step 2
        List<Tensor> copies = new ArrayList<>();
        for (Tensor p : ps) {
            copies.add(Tensor.of(p.toDoubleArray(), p.shape()).requiresGrad(true));
        }
        Optimizer resumed = make(c, copies);
        resumed.paramGroups().get(0).setLr(12345);
        resumed.loadStateDict(sd);
        assertEquals(opt.paramGroups().get(0).lr(), resumed.paramGroups().get(0).lr());
        for (int t = 2; t <= 3; t++) {
            setGrads(c, t, copies, DType.F64);
            resumed.step();
            check(c, t, copies, resumed, DType.F64);
        }
        Map<String, Tensor> bad = new LinkedHashMap<>(sd);
        bad.put("state.0.exp_avg", Tensor.of(new double[] {1}, 1));
        bad.put("state.0.momentum_buffer", Tensor.of(new double[] {1}, 1));
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> make(c, copies).loadStateDict(bad));
        assertTrue(ex.getMessage().contains("shape"), ex.getMessage());
    }

    @Test
    void rejectsInvalidHyperParameters() {
        List<Tensor> ps = List.of(Tensor.of(new double[] {1}, 1));
        assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1, 0, 0, true, 0));
        assertThrows(IllegalArgumentException.class, () -> new Adam(ps, 0.1, 1.0, 0.999, 1e-8, 0));
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(), 0.1));
    }
}
