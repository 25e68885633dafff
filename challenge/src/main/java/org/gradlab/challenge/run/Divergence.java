package org.gradlab.challenge.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where and how an experiment diverged: the training step whose loss or gradient became non-finite, and the first op
 * whose forward output or backward gradient held a NaN or infinity when that step was replayed with the engine's
 * anomaly detection (see {@link DivergenceLocator}).
 *
 * @param epoch   1-based epoch of the step
 * @param batch   1-based batch of that epoch
 * @param symptom what the training loop saw, e.g. "the loss became NaN" or "the gradient of fc.weight became Infinity"
 * @param op      the op that produced the first non-finite value (e.g. "MatMul"), or null when the replay found none
 * @param layer   the module path of that op (e.g. "features.3"), "(no module)" for ops outside every module (the
 *                loss), or null when no op was found
 * @param phase   "forward" (the op's output) or "backward" (a gradient the op produced), or null
 * @param detail  the anomaly detector's message, or why no op was named
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Divergence(@JsonProperty("epoch") int epoch, @JsonProperty("batch") int batch,
                         @JsonProperty("symptom") String symptom, @JsonProperty("op") String op,
                         @JsonProperty("layer") String layer, @JsonProperty("phase") String phase,
                         @JsonProperty("detail") String detail) {

    /** One line for the console and the reports: "diverged at epoch 2, batch 5: ...; first non-finite: ...". */
    public String reason() {
        String where = op == null ? "no op named (" + detail + ")"
                : "first non-finite value in the " + phase + " " + ("forward".equals(phase) ? "output" : "gradient")
                + " of " + op + " in layer " + layer;
        return "diverged at epoch " + epoch + ", batch " + batch + ": " + symptom + "; " + where;
    }
}
