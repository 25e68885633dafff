package org.gradlab.challenge.run;

import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.nn.Module;
import org.gradlab.nn.optim.Optimizer;

/**
 * Names where a diverged training step went non-finite: the first op whose forward output or backward gradient held
 * a NaN or an infinity, and the layer (module path) it ran in.
 *
 * <p>Choice: normal training checks only what it computes anyway — the loss value it logs and the per-parameter
 * gradient norms of the health report — so no op is checked per step. Only when one of those is non-finite is the
 * same batch replayed, forward and backward, with the engine's anomaly detection on
 * ({@link Autograd#setAnomalyDetection}), which checks every op's output and every gradient and stops at the first
 * non-finite one. The replay costs one extra step, once per failed experiment. It starts from the weights of the
 * failed step (the optimizer has not stepped yet); NOTE: it draws new dropout masks and updates BatchNorm's running
 * statistics once more, so in a model with dropout the replay can, rarely, stay finite: then no op is named and the
 * reason says so.
 */
final class DivergenceLocator {
    /** The engine's anomaly message: "anomaly: the output of OP[ in layer L] has V at element I (shape S)". */
    private static final Pattern ANOMALY = Pattern.compile("^anomaly: (the output|the gradient for input \\d+) of (.+?)"
            + "(?: in layer (.+?))? has (\\S+) at element");

    private DivergenceLocator() {}

    /**
     * Replays one batch with anomaly detection and returns where it went non-finite. {@code lossOfBatch} runs the
     * step's forward pass and loss on the same images and targets; gradients are zeroed before and after.
     *
     * @param symptom what the training loop saw, e.g. "the loss became NaN"
     */
    static Divergence locate(Module model, Optimizer opt, Supplier<Tensor> lossOfBatch, int epoch, int batch, String symptom) {
        String badWeights = firstNonFiniteParameter(model);
        String seen = badWeights == null ? symptom : symptom + " (the weights of " + badWeights
                + " were already non-finite: an earlier optimizer step overflowed)";
        boolean wasOn = Autograd.isAnomalyDetection();
        opt.zeroGrad();
        Autograd.setAnomalyDetection(true);
        try {
            lossOfBatch.get().backward();
            return new Divergence(epoch, batch, seen, null, null, null,
                    "replayed with anomaly detection, the batch stayed finite (new dropout masks)");
        } catch (ArithmeticException a) {
            return fromAnomaly(epoch, batch, seen, a);
        } finally {
            Autograd.setAnomalyDetection(wasOn);
            opt.zeroGrad();
        }
    }

    /** A divergence from the anomaly detector's exception (rethrown when it is another arithmetic error). */
    static Divergence fromAnomaly(int epoch, int batch, String symptom, ArithmeticException a) {
        String msg = a.getMessage() == null ? "" : a.getMessage();
        Matcher m = ANOMALY.matcher(msg);
        if (!m.find()) {
            throw a;
        }
        boolean forward = m.group(1).equals("the output");
        return new Divergence(epoch, batch, symptom, m.group(2), m.group(3) == null ? "(no module)" : m.group(3),
                forward ? "forward" : "backward", msg);
    }

    /** The name of the first parameter holding a NaN or an infinity, or null. Only called after a divergence. */
    static String firstNonFiniteParameter(Module model) {
        for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
            for (double v : p.getValue().toDoubleArray()) {
                if (!Double.isFinite(v)) {
                    return p.getKey();
                }
            }
        }
        return null;
    }
}
