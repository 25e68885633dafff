package org.gradlab.challenge.study;

import java.util.Map;
import java.util.Set;

/** The ranges a setting's value must lie in, beyond its type (e.g. a dropout rate in [0, 1)). */
final class SettingRanges {
    private static final Set<String> POSITIVE = Set.of("optimizer.lr", "epochs", "batch", "schedule.step_size",
            "model.patch_size", "model.num_layers", "input.resize", "schedule.t_max", "schedule.max_lr", "clip_grad_norm",
            "early_stopping.patience",
            "model.multi_sample_dropout", "sampler.ratio");
    private static final Set<String> NON_NEGATIVE = Set.of("optimizer.momentum", "optimizer.weight_decay",
            "mix.mixup_alpha", "mix.cutmix_alpha", "schedule.eta_min", "schedule.warmup_epochs", "schedule.gamma");
    private static final Set<String> RATE = Set.of("model.dropout", "model.hidden_dropout", "loss.label_smoothing");
    private static final Map<String, Set<Integer>> ONE_OF = Map.of("input.channels", Set.of(1, 3));

    private SettingRanges() {}

    static void check(String key, Object value, YamlNode node, Where where) {
        if (value == null) {
            return;
        }
        if (ONE_OF.containsKey(key) && !ONE_OF.get(key).contains((Integer) value)) {
            throw where.error(node, "got " + value, "1 (grayscale) or 3 (RGB), or null for the dataset's own");
        }
        if (value instanceof Number n) {
            double d = n.doubleValue();
            if (POSITIVE.contains(key) && !(d > 0)) {
                throw where.error(node, "got " + value, "a positive number");
            }
            if (NON_NEGATIVE.contains(key) && !(d >= 0)) {
                throw where.error(node, "got " + value, "a number >= 0");
            }
            if (RATE.contains(key) && !(d >= 0 && d < 1)) {
                throw where.error(node, "got " + value, "a rate in [0, 1)");
            }
            if ((key.equals("mix.prob") || key.equals("schedule.pct_start")) && !(d >= 0 && d <= 1)) {
                throw where.error(node, "got " + value, "a number in [0, 1]");
            }
        }
        if (key.equals("cv.folds") && (Integer) value < 2) {
            throw where.error(node, "got " + value, "at least 2 folds, or null for no cross-validation");
        }
        if (key.equals("operating_point.target_recall") && !((Double) value > 0 && (Double) value <= 1)) {
            throw where.error(node, "got " + value, "a recall in (0, 1]");
        }
        if (key.equals("schedule.milestones")) {
            int last = 0;
            for (Object o : (java.util.List<?>) value) {
                int m = (Integer) o;
                if (m <= last) {
                    throw where.error(node, "milestones " + value + " are not increasing positive epochs", "increasing epochs > 0");
                }
                last = m;
            }
        }
    }
}
