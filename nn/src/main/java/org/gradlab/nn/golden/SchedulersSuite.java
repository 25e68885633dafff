package org.gradlab.nn.golden;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.golden.GoldenCases;
import org.gradlab.engine.golden.GoldenSuite;
import org.gradlab.engine.golden.Reporter;
import org.gradlab.engine.golden.Tolerance;
import org.gradlab.engine.io.Npz;
import org.gradlab.nn.optim.Adam;
import org.gradlab.nn.optim.Optimizer;
import org.gradlab.nn.optim.ParamGroup;
import org.gradlab.nn.optim.SGD;
import org.gradlab.nn.optim.lr.CosineAnnealingLR;
import org.gradlab.nn.optim.lr.LRScheduler;
import org.gradlab.nn.optim.lr.LambdaLR;
import org.gradlab.nn.optim.lr.LinearLR;
import org.gradlab.nn.optim.lr.OneCycleLR;
import org.gradlab.nn.optim.lr.SequentialLR;
import org.gradlab.nn.optim.lr.StepLR;

/**
 * schedulers.npz: every case's scheduler, built from its MANIFEST.json entry (the PyTorch call in
 * {@code scheduler}, {@code base_lr}, {@code optimizer}), steps once per entry of the stored
 * {@code lr} sequence (and OneCycle's {@code momentum}); the learning rates are compared relative
 * to the largest (1e-12), the momenta absolutely (1e-12).
 *
 * <p>NOTE: a {@code LambdaLR}'s lambda is Python code; the ones the fixtures use are written here
 * in {@link #LAMBDAS}, keyed by their exact source text, and any other is reported as not checked.
 */
public final class SchedulersSuite implements GoldenSuite {
    static final Map<String, IntToDoubleFunction> LAMBDAS = Map.of(
            "lambda e: min(1, (e+1)/5)", e -> Math.min(1.0, (e + 1) / 5.0));

    @Override
    public String fileName() {
        return "schedulers.npz";
    }

    /** The optimizer a manifest case's scheduler drives: Adam when it says so, else SGD (momentum as given, else 0). */
    public static Optimizer optimizer(JsonNode c) {
        String text = c.path("optimizer").asText("SGD()");
        double lr = c.path("base_lr").asDouble(1e-3);
        List<Tensor> p = List.of(Tensor.of(new double[] {1, 2}, 2));
        if (text.startsWith("Adam")) {
            return new Adam(p, lr);
        }
        return new SGD(p, lr, PyCall.parse(text).number("momentum", 0), 0, false, 0);
    }

    /** The scheduler of a manifest case's {@code scheduler} text over {@code opt}. */
    public static LRScheduler scheduler(JsonNode c, Optimizer opt) {
        return build(PyCall.parse(c.path("scheduler").asText()), opt);
    }

    private static LRScheduler build(PyCall s, Optimizer opt) {
        return switch (s.name()) {
            case "CosineAnnealingLR" -> new CosineAnnealingLR(opt, s.integer("T_max"), s.number("eta_min", 0));
            case "StepLR" -> new StepLR(opt, s.integer("step_size"), s.number("gamma", 0.1));
            case "LinearLR" -> new LinearLR(opt, s.number("start_factor", 1.0 / 3), s.number("end_factor", 1.0),
                    s.integer("total_iters", 5));
            case "LambdaLR" -> {
                Object f = s.kwargs().containsKey("lr_lambda") ? s.kwargs().get("lr_lambda") : s.args().get(0);
                IntToDoubleFunction lambda = f instanceof PyCall.Lambda l ? LAMBDAS.get(l.source()) : null;
                if (lambda == null) {
                    throw new IllegalArgumentException("LambdaLR with a lambda this suite has no Java for: " + f);
                }
                yield new LambdaLR(opt, lambda);
            }
            case "OneCycleLR" -> new OneCycleLR(opt, s.number("max_lr"), s.integer("total_steps"), s.number("pct_start", 0.3),
                    s.string("anneal_strategy", "cos").equals("linear") ? OneCycleLR.Anneal.LINEAR : OneCycleLR.Anneal.COS,
                    s.bool("cycle_momentum", true), s.number("base_momentum", 0.85), s.number("max_momentum", 0.95),
                    s.number("div_factor", 25), s.number("final_div_factor", 1e4), s.bool("three_phase", false));
            case "SequentialLR" -> {
                List<LRScheduler> parts = new ArrayList<>();
                for (Object o : (List<?>) s.args().get(0)) {
                    parts.add(build((PyCall) o, opt));
                }
                int[] milestones = ((List<?>) s.kwargs().get("milestones")).stream().mapToInt(m -> ((Double) m).intValue()).toArray();
                yield new SequentialLR(opt, parts, milestones);
            }
            default -> throw new IllegalArgumentException("scheduler '" + s.name() + "' has no Java counterpart here");
        };
    }

    @Override
    public void run(Npz npz, Reporter reporter) {
        JsonNode cases = GoldenManifest.cases(npz);
        for (String name : GoldenCases.caseNames(npz)) {
            if (!cases.has(name)) {
                reporter.notChecked(fileName(), name, "no parameters for it in MANIFEST.json");
                continue;
            }
            try {
                runCase(npz, name, cases.get(name), reporter);
            } catch (RuntimeException e) {
                reporter.fail(fileName(), name, "f64", "-", e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    private void runCase(Npz npz, String name, JsonNode c, Reporter reporter) {
        Optimizer opt = optimizer(c);
        LRScheduler s = scheduler(c, opt);
        double[] lr = npz.get(name + ".f64.lr").toDoubles();
        double[] mom = npz.has(name + ".f64.momentum") ? npz.get(name + ".f64.momentum").toDoubles() : null;
        double[] gotLr = new double[lr.length];
        double[] gotMom = mom == null ? null : new double[mom.length];
        ParamGroup g = opt.paramGroups().get(0);
        for (int e = 0; e < lr.length; e++) {
            if (e > 0) {
                s.step();
            }
            gotLr[e] = g.lr();
            if (gotMom != null && e < gotMom.length) {
                gotMom[e] = g.momentum();
            }
        }
        reporter.compare(fileName(), name, "f64", "lr", gotLr, lr, new Tolerance(1e-12, 0));
        if (mom != null) {
            reporter.compare(fileName(), name, "f64", "momentum", gotMom, mom, new Tolerance(0, 1e-12));
        }
    }
}
