package org.gradlab.challenge.run;

import java.util.ArrayList;
import java.util.List;
import org.gradlab.challenge.experiments.Augmentation;
import org.gradlab.challenge.experiments.Experiment;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.data.transforms.ColorJitter;
import org.gradlab.nn.data.transforms.Compose;
import org.gradlab.nn.data.transforms.RandomAffine;
import org.gradlab.nn.data.transforms.RandomHorizontalFlip;
import org.gradlab.nn.data.transforms.RandomRotation;
import org.gradlab.nn.data.transforms.RandomVerticalFlip;
import org.gradlab.nn.data.transforms.Transform;
import org.gradlab.nn.models.ChallengeModels;
import org.gradlab.nn.optim.Adam;
import org.gradlab.nn.optim.Optimizer;
import org.gradlab.nn.optim.SGD;

/** Turns an {@link Experiment}'s declarative fields into engine objects. */
public final class Recipes {
    private Recipes() {}

    public static Module model(Experiment e, Generator g) {
        return switch (e.model()) {
            case BASELINE_CNN -> ChallengeModels.exp01Baseline(g);
            case WIDE_CNN -> ChallengeModels.exp06MoreChannels(g);
            case THREE_BLOCK_CNN -> ChallengeModels.exp07ThreeBlocks(g);
            case THREE_BLOCK_BN -> ChallengeModels.exp08BatchNorm(g);
            case THREE_BLOCK_BN_DROPOUT -> ChallengeModels.exp09Dropout(g);
            case THREE_BLOCK_BN_HIDDEN_FC -> e.dropout() >= 0.4 ? ChallengeModels.exp21BestCustom(g) : ChallengeModels.exp10HiddenFc(g);
            case RESNET18 -> e.freezeBackbone() ? ChallengeModels.exp24ResNet18Frozen(g) : ChallengeModels.exp23ResNet18(g);
            case RESNET18_STEM28 -> ChallengeModels.exp25KitchenSink(g);
        };
    }

    public static Optimizer optimizer(Experiment e, List<Tensor> params) {
        return e.optimizer().equals("sgd") ? new SGD(params, e.lr(), e.momentum(), 0, false, 0) : new Adam(params, e.lr());
    }

    /** The training transform (uint8 image stage); Normalize is a tensor stage, see {@link Augmentation}. */
    public static Transform trainTransform(Augmentation a) {
        List<Transform> steps = new ArrayList<>();
        if (a.hflip()) {
            steps.add(new RandomHorizontalFlip(0.5));
        }
        if (a.vflip()) {
            steps.add(new RandomVerticalFlip(0.5));
        }
        if (a.rotationDegrees() > 0) {
            steps.add(new RandomRotation(a.rotationDegrees()));
        }
        if (a.affine()) {
            steps.add(new RandomAffine(0, 0.1, 0.1, 0.9, 1.1));
        }
        if (a.colorJitter()) {
            steps.add(new ColorJitter(0.2, 0.2, 0.2, 0.05));
        }
        return steps.isEmpty() ? null : new Compose(steps);
    }

    /** Inverse-frequency class weights: total / (classes × count). */
    public static double[] classWeights(int[] counts) {
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
}
