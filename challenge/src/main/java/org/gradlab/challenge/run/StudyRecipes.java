package org.gradlab.challenge.run;

import java.util.ArrayList;
import java.util.List;
import org.gradlab.challenge.study.AugmentStep;
import org.gradlab.challenge.study.Normalization;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.data.transforms.ColorJitter;
import org.gradlab.nn.data.transforms.Compose;
import org.gradlab.nn.data.transforms.Normalize;
import org.gradlab.nn.data.transforms.RandomAffine;
import org.gradlab.nn.data.transforms.RandomErasing;
import org.gradlab.nn.data.transforms.RandomHorizontalFlip;
import org.gradlab.nn.data.transforms.RandomResizedCrop;
import org.gradlab.nn.data.transforms.RandomRotation;
import org.gradlab.nn.data.transforms.RandomVerticalFlip;
import org.gradlab.nn.data.transforms.TensorTransform;
import org.gradlab.nn.data.transforms.Transform;
import org.gradlab.nn.optim.Adam;
import org.gradlab.nn.optim.AdamW;
import org.gradlab.nn.optim.Optimizer;
import org.gradlab.nn.optim.SGD;
import org.gradlab.nn.optim.lr.CosineAnnealingLR;
import org.gradlab.nn.optim.lr.LRScheduler;
import org.gradlab.nn.optim.lr.LambdaLR;
import org.gradlab.nn.optim.lr.OneCycleLR;
import org.gradlab.nn.optim.lr.StepLR;

/** Turns a study experiment's settings into engine objects: optimizer, schedule, transforms. */
public final class StudyRecipes {
    private StudyRecipes() {}

    public static Optimizer optimizer(StudyExperiment.Optimizer o, List<Tensor> params) {
        return switch (o.name()) {
            case "sgd" -> new SGD(params, o.lr(), o.momentum(), 0, o.nesterov(), o.weightDecay());
            case "adam" -> new Adam(params, o.lr(), 0.9, 0.999, 1e-8, o.weightDecay());
            case "adamw" -> new AdamW(params, o.lr(), 0.9, 0.999, 1e-8, o.weightDecay());
            default -> throw new IllegalArgumentException("unknown optimizer '" + o.name() + "': expected sgd, adam, adamw");
        };
    }

    /**
     * The schedule, or null for {@code constant}. Every schedule steps once per epoch except {@code onecycle}, which
     * steps once per batch ({@link #stepsPerBatch}).
     * <ul>
     *   <li>step: lr × gamma^floor(epoch / step_size); multistep: lr × gamma^(milestones passed)</li>
     *   <li>cosine: CosineAnnealingLR(t_max (default: epochs), eta_min)</li>
     *   <li>warmup_cosine: lr × (e + 1) / w for the first w epochs, then lr × ½(1 + cos(π (e − w) / (epochs − w)))</li>
     *   <li>onecycle: OneCycleLR(max_lr (default: the optimizer's lr), epochs × batches, pct_start)</li>
     * </ul>
     */
    public static LRScheduler schedule(StudyExperiment.Schedule s, Optimizer opt, int epochs, int batchesPerEpoch) {
        return switch (s.name()) {
            case "constant" -> null;
            case "step" -> new StepLR(opt, s.stepSize(), s.gamma());
            case "multistep" -> new LambdaLR(opt, e -> Math.pow(s.gamma(), s.milestones().stream().filter(m -> m <= e).count()));
            case "cosine" -> new CosineAnnealingLR(opt, s.tMax() != null ? s.tMax() : epochs, s.etaMin());
            case "warmup_cosine" -> {
                int w = Math.min(s.warmupEpochs(), epochs - 1);
                yield new LambdaLR(opt, e -> e < w ? (e + 1) / (double) w
                        : 0.5 * (1 + Math.cos(Math.PI * (e - w) / Math.max(1, epochs - w))));
            }
            case "onecycle" -> new OneCycleLR(opt, s.maxLr() != null ? s.maxLr() : opt.paramGroups().get(0).lr(),
                    epochs * batchesPerEpoch, s.pctStart(), OneCycleLR.Anneal.COS, true, 0.85, 0.95, 25, 1e4, false);
            default -> throw new IllegalArgumentException("unknown schedule '" + s.name() + "'");
        };
    }

    public static boolean stepsPerBatch(StudyExperiment.Schedule s) {
        return s.name().equals("onecycle");
    }

    /** The uint8-image steps of the training transform, or null when there are none. */
    public static Transform imageTransform(List<AugmentStep> steps) {
        List<Transform> out = new ArrayList<>();
        for (AugmentStep st : steps) {
            List<Double> v = st.values();
            switch (st.kind()) {
                case "hflip" -> out.add(new RandomHorizontalFlip(v.get(0)));
                case "vflip" -> out.add(new RandomVerticalFlip(v.get(0)));
                case "rotate" -> out.add(new RandomRotation(v.get(0)));
                case "color_jitter" -> out.add(new ColorJitter(v.get(0), v.get(1), v.get(2), v.get(3)));
                case "affine" -> out.add(new RandomAffine(v.get(0), v.get(1), v.get(2), v.get(3), v.get(4)));
                case "resized_crop" -> out.add(new RandomResizedCrop(v.get(0).intValue(), v.get(1), v.get(2), v.get(3), v.get(4)));
                default -> { } // tensor steps, see tensorTransforms
            }
        }
        return out.isEmpty() ? null : new Compose(out);
    }

    /**
     * What stops the augmentation for training images of {@code side} pixels, as one line; null when nothing does. A
     * {@code resized_crop} must give the side the model is built for and evaluated at.
     */
    public static String augmentProblem(List<AugmentStep> steps, int side) {
        for (AugmentStep st : steps) {
            int size = st.kind().equals("resized_crop") ? st.values().get(0).intValue() : 0;
            if (size > 0 && size != side) {
                return "augment resized_crop.size " + size + " differs from the training images' side " + side
                        + " (the model is built and evaluated at that side): leave size out or set input.resize: " + size;
            }
        }
        return null;
    }

    /**
     * The tensor stage of the training transform: the input normalisation (train and evaluation alike), then the
     * augmentation's tensor steps (random erasing, a training-only normalisation) in the order listed.
     */
    public static TensorTransform[] tensorTransforms(Normalization input, List<AugmentStep> steps, int channels) {
        List<TensorTransform> out = new ArrayList<>();
        if (!input.isNone()) {
            out.add(new Normalize(input.mean(channels), input.std(channels)));
        }
        for (AugmentStep st : steps) {
            List<Double> v = st.values();
            switch (st.kind()) {
                case "random_erasing" -> out.add(new RandomErasing(v.get(0), v.get(1), v.get(2), v.get(3), v.get(4),
                        v.get(5).floatValue()));
                case "normalize" -> out.add(new Normalize(st.normalize().mean(channels), st.normalize().std(channels)));
                default -> { }
            }
        }
        return out.toArray(new TensorTransform[0]);
    }

    /** Inverse-frequency class weights: total / (classes × count). */
    public static double[] inverseFrequency(int[] counts) {
        long total = 0;
        for (int c : counts) {
            total += c;
        }
        double[] w = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                throw new IllegalArgumentException("class " + i + " has no training images: cannot weight it by inverse frequency");
            }
            w[i] = (double) total / (counts.length * (double) counts[i]);
        }
        return w;
    }

    /** Class weights for the loss, or null: "none", "inverse_frequency" (total / (classes × count)) or listed. */
    public static double[] classWeights(Object setting, int[] counts) {
        if ("none".equals(setting)) {
            return null;
        }
        if ("inverse_frequency".equals(setting)) {
            return inverseFrequency(counts);
        }
        @SuppressWarnings("unchecked")
        List<Double> w = (List<Double>) setting;
        if (w.size() != counts.length) {
            throw new IllegalArgumentException("loss.class_weights has " + w.size() + " weights for " + counts.length + " classes");
        }
        return w.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
