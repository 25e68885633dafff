package org.gradlab.challenge.study;

import static org.gradlab.challenge.study.SettingKind.*;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every setting an experiment has, by dotted key, with the value it takes when the file gives none. The sections
 * ({@code model}, {@code input}, ...) are the prefixes of the keys; {@code epochs}, {@code batch},
 * {@code clip_grad_norm} and {@code select} stand alone.
 */
public final class SettingsSchema {
    /** Architectures a study may name (see StudyModels). */
    public static final List<String> MODELS = List.of("baseline_cnn", "wide_cnn", "three_block_cnn", "resnet18",
            "efficientnet_b0", "vit_tiny");
    private static final Map<String, SettingSpec> SPECS = new LinkedHashMap<>();

    static {
        choice("model.name", "baseline_cnn", MODELS);
        choice("model.stem", "imagenet", List.of("imagenet", "cifar"));
        add("model.dropout", DOUBLE, 0.0, false);
        add("model.pretrained", BOOL, false, false);
        add("model.batchnorm", BOOL, false, false);
        add("model.hidden_fc", BOOL, false, false);
        add("model.hidden_dropout", DOUBLE, 0.2, false);
        add("model.freeze_backbone", BOOL, false, false);
        add("model.patch_size", INT, 4, false);
        add("model.num_layers", INT, 12, false);
        add("input.channels", INT, null, true);
        add("input.resize", INT, null, true);
        add("input.normalize", NORMALIZE, Normalization.NONE, false);
        choice("augment.preset", "none", List.of("none", "basic", "heavy"));
        add("augment.steps", AUGMENT_STEPS, List.of(), false);
        add("mix.mixup_alpha", DOUBLE, 0.0, false);
        add("mix.cutmix_alpha", DOUBLE, 0.0, false);
        add("mix.prob", DOUBLE, 1.0, false);
        choice("optimizer.name", "sgd", List.of("sgd", "adam", "adamw"));
        add("optimizer.lr", DOUBLE, 0.01, false);
        add("optimizer.momentum", DOUBLE, 0.0, false);
        add("optimizer.nesterov", BOOL, false, false);
        add("optimizer.weight_decay", DOUBLE, 0.0, false);
        choice("schedule.name", "constant", List.of("constant", "step", "multistep", "cosine", "warmup_cosine", "onecycle"));
        add("schedule.step_size", INT, 10, false);
        add("schedule.gamma", DOUBLE, 0.1, false);
        add("schedule.milestones", INT_LIST, List.of(), false);
        add("schedule.t_max", INT, null, true);
        add("schedule.eta_min", DOUBLE, 0.0, false);
        add("schedule.warmup_epochs", INT, 0, false);
        add("schedule.max_lr", DOUBLE, null, true);
        add("schedule.pct_start", DOUBLE, 0.3, false);
        add("loss.label_smoothing", DOUBLE, 0.0, false);
        add("loss.class_weights", CLASS_WEIGHTS, "none", false);
        add("epochs", INT, 10, false);
        add("batch", INT, 32, false);
        add("clip_grad_norm", DOUBLE, null, true);
        add("early_stopping.patience", INT, null, true);
        choice("early_stopping.monitor", "val_auc", List.of("val_auc", "val_loss", "val_accuracy", "val_balanced_accuracy"));
        choice("select", "last", List.of("best", "last"));
        // what the SIIM-ISIC winners did, and a clinical operating point (see ClinicalSettings)
        add("model.multi_sample_dropout", INT, 1, false);
        add("tta.flips", BOOL, false, false);
        add("tta.rot90", BOOL, false, false);
        choice("sampler.name", "none", List.of("none", "balanced", "downsample_majority"));
        add("sampler.ratio", DOUBLE, 1.0, false);
        add("cv.folds", INT, null, true);
        add("cv.stratify", BOOL, true, false);
        add("operating_point.class", TEXT, null, true);
        add("operating_point.target_recall", DOUBLE, 0.7, false);
        choice("calibrate", "none", List.of("none", "temperature"));
    }

    private SettingsSchema() {}

    private static void add(String key, SettingKind kind, Object fallback, boolean nullable) {
        SPECS.put(key, new SettingSpec(key, kind, fallback, List.of(), nullable));
    }

    private static void choice(String key, String fallback, List<String> choices) {
        SPECS.put(key, new SettingSpec(key, CHOICE, fallback, choices, false));
    }

    static SettingSpec spec(String key) {
        return SPECS.get(key);
    }

    /** Every dotted key in schema order. */
    public static Set<String> keys() {
        return Collections.unmodifiableSet(SPECS.keySet());
    }

    /** Whether {@code prefix} is a section (the start of at least one key followed by a dot). */
    static boolean isSection(String prefix) {
        return SPECS.keySet().stream().anyMatch(k -> k.startsWith(prefix + "."));
    }

    /** The names allowed directly under {@code section} ("" = top level), for errors. */
    static String allowedUnder(String section) {
        Set<String> names = new TreeSet<>();
        String p = section.isEmpty() ? "" : section + ".";
        for (String k : SPECS.keySet()) {
            if (k.startsWith(p)) {
                String rest = k.substring(p.length());
                int dot = rest.indexOf('.');
                names.add(dot < 0 ? rest : rest.substring(0, dot));
            }
        }
        return String.join(", ", names);
    }

    /** Every key at its fallback value. */
    static Map<String, Object> fallbacks() {
        Map<String, Object> m = new LinkedHashMap<>();
        SPECS.forEach((k, s) -> m.put(k, s.fallback()));
        return m;
    }
}
