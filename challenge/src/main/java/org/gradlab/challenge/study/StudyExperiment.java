package org.gradlab.challenge.study;

import java.util.List;

/**
 * One experiment of a study, fully resolved and immutable: who it is, what it builds on, and every setting
 * ({@link Settings}). The typed views ({@link #model()}, {@link #optimizer()}, ...) read the settings.
 *
 * @param buildsOn id of the experiment whose settings this one starts from, or null (the study's defaults)
 * @param note     free text: what it changes and why, and readings of the source it came from
 */
public record StudyExperiment(String id, String name, int chapter, String buildsOn, String note, Settings settings) {

    /** The architecture and what shapes it; every field reaches the model built from it. */
    public record Model(String name, String stem, double dropout, boolean pretrained, boolean batchnorm, boolean hiddenFc,
                        double hiddenDropout, boolean freezeBackbone, int patchSize, int numLayers) {}

    /** @param channels null = the dataset's own; @param resize null = the dataset's size */
    public record Input(Integer channels, Integer resize, Normalization normalize) {}

    public record Mix(double mixupAlpha, double cutmixAlpha, double prob) {
        public boolean active() {
            return prob > 0 && (mixupAlpha > 0 || cutmixAlpha > 0);
        }
    }

    public record Optimizer(String name, double lr, double momentum, boolean nesterov, double weightDecay) {}

    /** @param tMax null = the experiment's epochs; @param maxLr null = the optimizer's lr */
    public record Schedule(String name, int stepSize, double gamma, List<Integer> milestones, Integer tMax, double etaMin,
                           int warmupEpochs, Double maxLr, double pctStart) {}

    /** @param classWeights "none", "inverse_frequency" or a List of Double */
    public record Loss(double labelSmoothing, Object classWeights) {}

    /** @param patience null = no early stopping */
    public record EarlyStopping(Integer patience, String monitor) {}

    public Model model() {
        Settings s = settings;
        return new Model(s.text("model.name"), s.text("model.stem"), s.number("model.dropout"), s.flag("model.pretrained"),
                s.flag("model.batchnorm"), s.flag("model.hidden_fc"), s.number("model.hidden_dropout"),
                s.flag("model.freeze_backbone"), s.integer("model.patch_size"), s.integer("model.num_layers"));
    }

    public Input input() {
        return new Input(settings.optionalInteger("input.channels"), settings.optionalInteger("input.resize"),
                (Normalization) settings.get("input.normalize"));
    }

    /** The training-only steps: the preset's, then the listed ones. */
    public List<AugmentStep> augmentSteps() {
        List<AugmentStep> steps = new java.util.ArrayList<>(AugmentPresets.steps(settings.text("augment.preset")));
        steps.addAll(settings.list("augment.steps"));
        return List.copyOf(steps);
    }

    public Mix mix() {
        return new Mix(settings.number("mix.mixup_alpha"), settings.number("mix.cutmix_alpha"), settings.number("mix.prob"));
    }

    public Optimizer optimizer() {
        return new Optimizer(settings.text("optimizer.name"), settings.number("optimizer.lr"),
                settings.number("optimizer.momentum"), settings.flag("optimizer.nesterov"),
                settings.number("optimizer.weight_decay"));
    }

    public Schedule schedule() {
        Settings s = settings;
        return new Schedule(s.text("schedule.name"), s.integer("schedule.step_size"), s.number("schedule.gamma"),
                s.list("schedule.milestones"), s.optionalInteger("schedule.t_max"), s.number("schedule.eta_min"),
                s.integer("schedule.warmup_epochs"), s.optionalNumber("schedule.max_lr"), s.number("schedule.pct_start"));
    }

    public Loss loss() {
        return new Loss(settings.number("loss.label_smoothing"), settings.get("loss.class_weights"));
    }

    public int epochs() {
        return settings.integer("epochs");
    }

    public int batch() {
        return settings.integer("batch");
    }

    /** null = no clipping. */
    public Double clipGradNorm() {
        return settings.optionalNumber("clip_grad_norm");
    }

    public EarlyStopping earlyStopping() {
        return new EarlyStopping(settings.optionalInteger("early_stopping.patience"), settings.text("early_stopping.monitor"));
    }

    /** "best" (restore the best monitored epoch's weights) or "last". */
    public String select() {
        return settings.text("select");
    }

    /** A copy with one setting changed (e.g. {@code epochs} from the command line). */
    public StudyExperiment with(String key, Object value) {
        return new StudyExperiment(id, name, chapter, buildsOn, note, settings.with(key, value));
    }

    /** The recipe in one line, for logs and the report. */
    public String recipe() {
        Model m = model();
        Optimizer o = optimizer();
        StringBuilder sb = new StringBuilder(m.name());
        if (m.name().equals("three_block_cnn")) {
            sb.append(m.batchnorm() ? " + BatchNorm" : "").append(m.hiddenFc() ? " + hidden FC (dropout " + m.hiddenDropout() + ")" : "");
        } else if (m.name().equals("resnet18")) {
            sb.append(" (").append(m.stem()).append(" stem)");
        } else if (m.name().equals("vit_tiny")) {
            sb.append(" (patch ").append(m.patchSize()).append(", ").append(m.numLayers()).append(" layers)");
        }
        if (m.dropout() > 0) {
            sb.append(" dropout ").append(m.dropout());
        }
        sb.append("; ").append(o.name()).append("(lr=").append(o.lr());
        if (o.momentum() > 0) {
            sb.append(", momentum=").append(o.momentum());
        }
        if (o.weightDecay() > 0) {
            sb.append(", wd=").append(o.weightDecay());
        }
        sb.append(")");
        if (!schedule().name().equals("constant")) {
            sb.append(" + ").append(schedule().name());
        }
        sb.append("; ").append(epochs()).append(" epochs, batch ").append(batch());
        List<AugmentStep> steps = augmentSteps();
        sb.append("; augment ").append(steps.isEmpty() ? "none" : steps.toString());
        if (!input().normalize().isNone()) {
            sb.append("; normalize ").append(input().normalize());
        }
        if (loss().labelSmoothing() > 0 || !"none".equals(loss().classWeights())) {
            sb.append("; loss(label_smoothing=").append(loss().labelSmoothing()).append(", class_weights=")
                    .append(loss().classWeights()).append(')');
        }
        if (mix().active()) {
            sb.append("; mix ").append(mix());
        }
        if (clipGradNorm() != null) {
            sb.append("; clip ").append(clipGradNorm());
        }
        if (m.pretrained()) {
            sb.append("; ImageNet weights");
        }
        if (m.freezeBackbone()) {
            sb.append("; backbone frozen");
        }
        return sb.toString();
    }
}
