package org.gradlab.nn.models;

import org.gradlab.engine.Generator;
import org.gradlab.nn.Module;
import org.gradlab.nn.layers.AdaptiveAvgPool2d;
import org.gradlab.nn.layers.BatchNorm2d;
import org.gradlab.nn.layers.Conv2d;
import org.gradlab.nn.layers.Dropout;
import org.gradlab.nn.layers.Flatten;
import org.gradlab.nn.layers.Linear;
import org.gradlab.nn.layers.MaxPool2d;
import org.gradlab.nn.layers.ReLU;
import org.gradlab.nn.layers.Sequential;

/**
 * The DermaMNIST "beat the baseline" architectures (3x28x28 input, 7 classes), with the
 * PyTorch module layout {@code features} / {@code classifier} (nn.Sequential indices) that the
 * golden files model01.npz / model08.npz use. Parameter counts match the published table.
 */
public final class ChallengeModels {
    public static final int NUM_CLASSES = 7;

    private ChallengeModels() {
    }

    /** A model with two Sequential children, "features" and "classifier". */
    public static final class FeaturesClassifier extends Module {
        public FeaturesClassifier(Sequential features, Sequential classifier) {
            registerModule("features", features);
            registerModule("classifier", classifier);
        }

        public Sequential features() {
            return (Sequential) child("features");
        }

        public Sequential classifier() {
            return (Sequential) child("classifier");
        }

        @Override
        public org.gradlab.engine.Tensor forward(org.gradlab.engine.Tensor x) {
            return child("classifier").call(child("features").call(x));
        }
    }

    private static Conv2d conv3(int in, int out, Generator g) {
        return new Conv2d(in, out, 3, 1, 1, 1, true, g);
    }

    /** Exp 01 baseline (6,887): [Conv(3,8)-ReLU-MaxPool2, Conv(8,16)-ReLU-MaxPool2], Flatten, Linear(784,7). */
    public static FeaturesClassifier exp01Baseline(Generator g) {
        return exp01Baseline(3, NUM_CLASSES, g);
    }

    /** Exp 01's architecture reading {@code in} channels with {@code classes} outputs (28x28 inputs). */
    public static FeaturesClassifier exp01Baseline(int in, int classes, Generator g) {
        return twoBlock(in, 8, 16, classes, g);
    }

    /** Exp 02-05 use the exp 01 architecture (only the optimizer changes). */
    public static FeaturesClassifier exp06MoreChannels(Generator g) {
        return exp06MoreChannels(3, NUM_CLASSES, g);
    }

    public static FeaturesClassifier exp06MoreChannels(int in, int classes, Generator g) {
        return twoBlock(in, 32, 64, classes, g);
    }

    private static FeaturesClassifier twoBlock(int in, int c1, int c2, int classes, Generator g) {
        Sequential f = new Sequential(conv3(in, c1, g), new ReLU(), new MaxPool2d(2),
                conv3(c1, c2, g), new ReLU(), new MaxPool2d(2));
        Sequential c = new Sequential(new Flatten(), new Linear(c2 * 7 * 7, classes, g));
        return new FeaturesClassifier(f, c);
    }

    /**
     * Exp 07 (94,151): 3x[Conv3x3 p1 - ReLU - MaxPool2] 32-64-128, AdaptiveAvgPool(1);
     * features.{0,3,6} Conv2d, classifier = Flatten, Linear(128,7).
     */
    public static FeaturesClassifier exp07ThreeBlocks(Generator g) {
        return exp07ThreeBlocks(3, NUM_CLASSES, g);
    }

    public static FeaturesClassifier exp07ThreeBlocks(int in, int classes, Generator g) {
        return new FeaturesClassifier(threeBlockFeatures(in, false, g), new Sequential(new Flatten(), new Linear(128, classes, g)));
    }

    /**
     * Exp 08 (94,599): 3x[Conv3x3 p1 - BN - ReLU - MaxPool2] 32-64-128, AdaptiveAvgPool(1),
     * Flatten, Linear(128,7): features.{0,4,8} Conv2d, features.{1,5,9} BatchNorm2d, classifier.1.
     * Exp 11-20 train this same architecture.
     */
    public static FeaturesClassifier exp08BatchNorm(Generator g) {
        return exp08BatchNorm(3, NUM_CLASSES, g);
    }

    public static FeaturesClassifier exp08BatchNorm(int in, int classes, Generator g) {
        return new FeaturesClassifier(threeBlockFeatures(in, true, g), new Sequential(new Flatten(), new Linear(128, classes, g)));
    }

    /** Exp 09 (94,599): exp 08 with Dropout(0.3) before the linear layer: classifier = Flatten, Dropout, Linear. */
    public static FeaturesClassifier exp09Dropout(Generator g) {
        return exp09Dropout(3, NUM_CLASSES, g);
    }

    public static FeaturesClassifier exp09Dropout(int in, int classes, Generator g) {
        return new FeaturesClassifier(threeBlockFeatures(in, true, g),
                new Sequential(new Flatten(), new Dropout(0.3, g.fork()), new Linear(128, classes, g)));
    }

    /** Exp 10 (102,407): exp 08 features, classifier = Flatten, Linear(128,64), ReLU, Dropout(0.2), Linear(64,7). */
    public static FeaturesClassifier exp10HiddenFc(Generator g) {
        return exp10HiddenFc(3, NUM_CLASSES, g);
    }

    public static FeaturesClassifier exp10HiddenFc(int in, int classes, Generator g) {
        return new FeaturesClassifier(threeBlockFeatures(in, true, g), new Sequential(new Flatten(), new Linear(128, 64, g),
                new ReLU(), new Dropout(0.2, g.fork()), new Linear(64, classes, g)));
    }

    /**
     * Exp 21 best custom CNN (102,407): 3-block BN features, classifier = Flatten, Dropout(0.4),
     * Linear(128,64), ReLU, Dropout(0.2), Linear(64,7).
     * NOTE: the write-up gives "BN + Dropout(0.4) + hidden FC(128-64-7)"; the exact placement of
     * the dropouts is not published (it does not change the parameter count).
     */
    public static FeaturesClassifier exp21BestCustom(Generator g) {
        return exp21BestCustom(3, NUM_CLASSES, g);
    }

    public static FeaturesClassifier exp21BestCustom(int in, int classes, Generator g) {
        return new FeaturesClassifier(threeBlockFeatures(in, true, g), new Sequential(new Flatten(), new Dropout(0.4, g.fork()),
                new Linear(128, 64, g), new ReLU(), new Dropout(0.2, g.fork()), new Linear(64, classes, g)));
    }

    /**
     * 3x[Conv3x3 p1 - (BN -) ReLU - MaxPool2] 32-64-128, AdaptiveAvgPool(1), as PyTorch's
     * Sequential numbers them. NOTE: with {@code bn} each BN is {@link BatchNorm2d#thenRelu} (one
     * op, the same bits) and the ReLU's index is left out, so the names stay PyTorch's
     * (features.{0,4,8} conv, {1,5,9} BN then ReLU, {3,7,11} max-pool, 12 the average pool).
     */
    public static Sequential threeBlockFeatures(int imageChannels, boolean bn, Generator g) {
        Sequential f = new Sequential();
        int in = imageChannels;
        int index = 0;
        for (int c : new int[] {32, 64, 128}) {
            f.add(Integer.toString(index++), conv3(in, c, g));
            if (bn) {
                f.add(Integer.toString(index++), BatchNorm2d.thenRelu(c));
                index++;
            } else {
                f.add(Integer.toString(index++), new ReLU());
            }
            f.add(Integer.toString(index++), new MaxPool2d(2));
            in = c;
        }
        f.add(Integer.toString(index), new AdaptiveAvgPool2d(1));
        return f;
    }

    /** Exp 23 (11,180,103): torchvision resnet18 with fc = Linear(512, 7). */
    public static ResNet exp23ResNet18(Generator g) {
        return exp23ResNet18(3, NUM_CLASSES, g);
    }

    public static ResNet exp23ResNet18(int in, int classes, Generator g) {
        return ResNet.resnet18(in, classes, g);
    }

    /** Exp 24: exp 23 with the backbone frozen (only fc trains: 3,591 trainable parameters). */
    public static ResNet exp24ResNet18Frozen(Generator g) {
        return exp24ResNet18Frozen(3, NUM_CLASSES, g);
    }

    public static ResNet exp24ResNet18Frozen(int in, int classes, Generator g) {
        return ResNet.resnet18(in, classes, g).freezeBackbone();
    }

    /**
     * Exp 25 kitchen sink (11,172,423): resnet18 with the 28x28 stem (conv1 3x3 stride 1, no
     * max-pool) and fc = Sequential(Dropout(0.3), Linear(512, 7)).
     */
    public static ResNet exp25KitchenSink(Generator g) {
        return exp25KitchenSink(3, NUM_CLASSES, g);
    }

    public static ResNet exp25KitchenSink(int in, int classes, Generator g) {
        return ResNet.resnet18(in, classes, g).stem28().dropoutHead(0.3, classes, g);
    }

    /** The architecture used by experiment {@code id} (1..25). */
    public static Module forExperiment(int id, Generator g) {
        return forExperiment(id, 3, NUM_CLASSES, g);
    }

    /**
     * Experiment {@code id}'s architecture reading {@code in} image channels (1 for grayscale,
     * e.g. BreastMNIST) with {@code classes} outputs; the CNNs expect 28x28 inputs.
     */
    public static Module forExperiment(int id, int in, int classes, Generator g) {
        if (id >= 1 && id <= 5) {
            return exp01Baseline(in, classes, g);
        }
        return switch (id) {
            case 6 -> exp06MoreChannels(in, classes, g);
            case 7 -> exp07ThreeBlocks(in, classes, g);
            case 8, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 -> exp08BatchNorm(in, classes, g);
            case 9 -> exp09Dropout(in, classes, g);
            case 10 -> exp10HiddenFc(in, classes, g);
            case 21, 22 -> exp21BestCustom(in, classes, g);
            case 23 -> exp23ResNet18(in, classes, g);
            case 24 -> exp24ResNet18Frozen(in, classes, g);
            case 25 -> exp25KitchenSink(in, classes, g);
            default -> throw new IllegalArgumentException("experiment id must be 1..25, got " + id);
        };
    }
}
