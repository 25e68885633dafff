package org.gradlab.challenge.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.nn.Module;
import org.gradlab.nn.layers.Dropout;
import org.gradlab.nn.layers.MultiSampleDropout;
import org.gradlab.nn.layers.Sequential;

/**
 * {@code model.multi_sample_dropout: k}: the last dropout of the model's head (the one right before its classifier)
 * becomes a {@link MultiSampleDropout} with k masks and the same rate, its generators forked from the replaced
 * dropout's. The model's parameters and state-dict names do not change, so a saved model reloads without it.
 */
final class MultiSampleHeads {
    private MultiSampleHeads() {}

    /** Why {@code samples} masks cannot be used with this model, or null. */
    static String problem(StudyExperiment.Model m, int samples) {
        if (samples <= 1) {
            return null;
        }
        if (m.name().equals("vit_tiny")) {
            return "model.multi_sample_dropout " + samples + ": vit_tiny's head has no dropout before its classifier";
        }
        if (!(m.dropout() > 0)) {
            return "model.multi_sample_dropout " + samples + " draws several masks of the dropout before the classifier: "
                    + "set model.dropout > 0 (it is " + m.dropout() + ")";
        }
        return null;
    }

    /** Replaces the head's last dropout; returns how many masks the trainer must tile its labels for. */
    static int install(Module model, StudyExperiment.Model m, int samples) {
        String p = problem(m, samples);
        if (p != null) {
            throw new IllegalArgumentException(p);
        }
        if (samples <= 1) {
            return 1;
        }
        Module head = model.submodule(StudyModels.headName(m));
        List<Map.Entry<String, Module>> found = new ArrayList<>();
        collect(head, found);
        for (int i = found.size() - 1; i >= 0; i--) {
            if (found.get(i).getValue() instanceof Dropout d && found.get(i).getKey() != null) {
                Sequential parent = (Sequential) head.submodule(found.get(i).getKey());
                int index = new ArrayList<>(parent.children().values()).indexOf(d);
                parent.set(index, new MultiSampleDropout(d.p, samples, d.generator()));
                return samples;
            }
        }
        throw new IllegalArgumentException("model.multi_sample_dropout: no dropout in " + m.name() + "'s head '"
                + StudyModels.headName(m) + "'");
    }

    /** Every module under {@code root} in order, keyed by the path of its Sequential parent relative to root ("" = root). */
    private static void collect(Module root, List<Map.Entry<String, Module>> out) {
        walk(root, "", out);
    }

    private static void walk(Module m, String path, List<Map.Entry<String, Module>> out) {
        for (Map.Entry<String, Module> c : m.children().entrySet()) {
            out.add(new java.util.AbstractMap.SimpleEntry<>(m instanceof Sequential ? path : null, c.getValue()));
            walk(c.getValue(), path.isEmpty() ? c.getKey() : path + "." + c.getKey(), out);
        }
    }
}
