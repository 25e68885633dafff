package org.gradlab.nn.golden;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.golden.GoldenCases;
import org.gradlab.engine.golden.GoldenSuite;
import org.gradlab.engine.golden.Reporter;
import org.gradlab.engine.golden.Tolerance;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.Npz;
import org.gradlab.nn.optim.Adam;
import org.gradlab.nn.optim.AdamW;
import org.gradlab.nn.optim.Optimizer;
import org.gradlab.nn.optim.SGD;

/**
 * optim.npz: every case's optimizer, built from its MANIFEST.json entry ({@code optimizer},
 * {@code hyper}, {@code steps}), runs the stored gradients {@code grad<t>_<p>} for t = 1..steps;
 * after each step the parameters {@code param<t>_<p>} and the state buffers
 * {@code state<t>_<p>_<buffer>} are compared with PyTorch's float64 run (relative to the largest
 * reference value: 1e-12 for the float64 engine, 1e-6 for float32).
 */
public final class OptimSuite implements GoldenSuite {
    private static final String[] BUFFERS = {"momentum_buffer", "exp_avg", "exp_avg_sq"};

    @Override
    public String fileName() {
        return "optim.npz";
    }

    /** The optimizer of a manifest case over {@code params}. */
    public static Optimizer optimizer(JsonNode c, List<Tensor> params) {
        JsonNode h = c.path("hyper");
        String kind = c.path("optimizer").asText();
        double lr = h.path("lr").asDouble();
        double wd = h.path("weight_decay").asDouble(0);
        switch (kind) {
            case "Adam", "AdamW" -> {
                if (h.path("amsgrad").asBoolean(false)) {
                    throw new IllegalArgumentException(kind + " with amsgrad is not implemented");
                }
                double b1 = h.path("betas").get(0).asDouble();
                double b2 = h.path("betas").get(1).asDouble();
                double eps = h.path("eps").asDouble();
                return kind.equals("Adam") ? new Adam(params, lr, b1, b2, eps, wd) : new AdamW(params, lr, b1, b2, eps, wd);
            }
            case "SGD" -> {
                return new SGD(params, lr, h.path("momentum").asDouble(0), h.path("dampening").asDouble(0),
                        h.path("nesterov").asBoolean(false), wd);
            }
            default -> throw new IllegalArgumentException("optimizer '" + kind + "': expected Adam, AdamW or SGD");
        }
    }

    /** The parameter names of a case: the {@code <p>} of its {@code param0_<p>} arrays, in file order. */
    public static List<String> paramNames(Npz npz, String caseName) {
        String prefix = caseName + ".f64.param0_";
        return npz.keys().stream().filter(k -> k.startsWith(prefix)).map(k -> k.substring(prefix.length())).toList();
    }

    @Override
    public void run(Npz npz, Reporter reporter) {
        JsonNode cases = GoldenManifest.cases(npz);
        for (String name : GoldenCases.caseNames(npz)) {
            if (!cases.has(name)) {
                reporter.notChecked(fileName(), name, "no parameters for it in MANIFEST.json");
                continue;
            }
            for (DType dt : new DType[] {DType.F64, DType.F32}) {
                String group = dt == DType.F64 ? "f64" : "f32";
                try {
                    runCase(npz, name, cases.get(name), dt, group, reporter);
                } catch (RuntimeException e) {
                    reporter.fail(fileName(), name, group, "-", e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
        }
    }

    private void runCase(Npz npz, String name, JsonNode c, DType dt, String group, Reporter reporter) {
        List<String> names = paramNames(npz, name);
        List<Tensor> ps = new ArrayList<>();
        for (String n : names) {
            ps.add(load(npz, name + ".f64.param0_" + n, dt).requiresGrad(true));
        }
        Optimizer opt = optimizer(c, ps);
        Tolerance tol = new Tolerance(dt == DType.F64 ? 1e-12 : 1e-6, 0);
        for (int t = 1; t <= c.path("steps").asInt(); t++) {
            for (int i = 0; i < ps.size(); i++) {
                ps.get(i).setGrad(load(npz, name + ".f64.grad" + t + "_" + names.get(i), dt));
            }
            opt.step();
            java.util.Map<String, Tensor> state = opt.stateDict(); // "state.<param index>.<buffer>", as PyTorch names it
            for (int i = 0; i < ps.size(); i++) {
                String p = names.get(i);
                compare(npz, reporter, name, group, "param" + t + "_" + p, ps.get(i), tol);
                for (String b : BUFFERS) {
                    String key = "state" + t + "_" + p + "_" + b;
                    if (npz.has(name + ".f64." + key)) {
                        compare(npz, reporter, name, group, key, state.get("state." + i + "." + b), tol);
                    }
                }
            }
        }
    }

    private void compare(Npz npz, Reporter reporter, String name, String group, String key, Tensor got, Tolerance tol) {
        if (got == null) {
            reporter.fail(fileName(), name, group, key, "the optimizer keeps no such state");
            return;
        }
        reporter.compare(fileName(), name, group, key, got.toDoubleArray(), npz.get(name + ".f64." + key).toDoubles(), tol);
    }

    private static Tensor load(Npz npz, String key, DType dt) {
        NpyArray a = npz.get(key);
        return Tensor.of(dt, Device.CPU, a.toDoubles(), a.shape());
    }
}
