package org.gradlab.challenge.run;

import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.engine.Generator;
import org.gradlab.nn.Module;
import org.gradlab.nn.layers.Conv2d;
import org.gradlab.nn.layers.Dropout;
import org.gradlab.nn.layers.Flatten;
import org.gradlab.nn.layers.Linear;
import org.gradlab.nn.layers.MaxPool2d;
import org.gradlab.nn.layers.ReLU;
import org.gradlab.nn.layers.Sequential;
import org.gradlab.nn.models.ChallengeModels;
import org.gradlab.nn.models.ChallengeModels.FeaturesClassifier;
import org.gradlab.nn.models.EfficientNet;
import org.gradlab.nn.models.ResNet;
import org.gradlab.nn.models.VisionTransformer;

/**
 * Builds the model a study's {@code model} settings name, for the data's channels, image side and class count.
 * Every setting reaches the model: {@code dropout} is the rate of the dropout before the classifier (EfficientNet's
 * classifier dropout, ViT's dropout), {@code hidden_dropout} the one inside the hidden FC layer, {@code stem}
 * ResNet's first layer, {@code patch_size} and {@code num_layers} ViT-Tiny's geometry. Layers are created in
 * the order of the 25-experiment study's ChallengeModels, so a seed gives the same initial weights.
 */
public final class StudyModels {
    /** EfficientNet-B0's stochastic-depth probability of the last block (torchvision's default). */
    static final double STOCHASTIC_DEPTH = 0.2;
    private StudyModels() {}

    /** Everything that would stop {@link #build} for this input, as one line; null when it can be built. */
    public static String problem(StudyExperiment.Model m, int channels, int size) {
        return switch (m.name()) {
            case "baseline_cnn", "wide_cnn" -> size % 4 == 0 ? null
                    : m.name() + " pools twice by 2: the image side must be a multiple of 4, got " + size;
            case "three_block_cnn" -> size >= 8 ? null : "three_block_cnn pools three times: the image side must be >= 8, got " + size;
            case "resnet18" -> channels == 3 ? null
                    : "resnet18 takes 3-channel input (ImageNet layout): set input.channels: 3 (the dataset has " + channels + ")";
            case "efficientnet_b0" -> null;
            case "vit_tiny" -> size % m.patchSize() == 0 ? null
                    : "vit_tiny: the image side " + size + " is not a multiple of model.patch_size " + m.patchSize();
            default -> "unknown model '" + m.name() + "'";
        };
    }

    public static Module build(StudyExperiment.Model m, int channels, int size, int classes, Generator g) {
        String p = problem(m, channels, size);
        if (p != null) {
            throw new IllegalArgumentException(p);
        }
        return switch (m.name()) {
            case "baseline_cnn" -> twoBlock(channels, 8, 16, size, classes, m.dropout(), g);
            case "wide_cnn" -> twoBlock(channels, 32, 64, size, classes, m.dropout(), g);
            case "three_block_cnn" -> threeBlock(channels, m, classes, g);
            case "resnet18" -> resnet18(m, classes, g);
            case "efficientnet_b0" -> EfficientNet.b0(channels, classes, m.dropout(), STOCHASTIC_DEPTH, g);
            case "vit_tiny" -> new VisionTransformer(size, m.patchSize(), m.numLayers(), 3, 192, 768, channels, classes,
                    m.dropout(), g);
            default -> throw new IllegalArgumentException(m.name());
        };
    }

    /** The name of the head a frozen backbone leaves trainable: "fc" (ResNet), "heads" (ViT) or "classifier". */
    public static String headName(StudyExperiment.Model m) {
        return switch (m.name()) {
            case "resnet18" -> "fc";
            case "vit_tiny" -> "heads";
            default -> "classifier";
        };
    }

    /** Freezes every parameter except the head's: the one place a backbone is frozen. */
    public static void freezeBackbone(Module model, StudyExperiment.Model m) {
        model.freeze();
        model.submodule(headName(m)).unfreeze();
    }

    private static Conv2d conv3(int in, int out, Generator g) {
        return new Conv2d(in, out, 3, 1, 1, 1, true, g);
    }

    private static FeaturesClassifier twoBlock(int in, int c1, int c2, int size, int classes, double dropout, Generator g) {
        Sequential f = new Sequential(conv3(in, c1, g), new ReLU(), new MaxPool2d(2), conv3(c1, c2, g), new ReLU(), new MaxPool2d(2));
        Sequential c = new Sequential(new Flatten());
        if (dropout > 0) {
            c.add(new Dropout(dropout, g.fork()));
        }
        c.add(new Linear(c2 * (size / 4) * (size / 4), classes, g));
        return new FeaturesClassifier(f, c);
    }

    private static FeaturesClassifier threeBlock(int channels, StudyExperiment.Model m, int classes, Generator g) {
        Sequential f = ChallengeModels.threeBlockFeatures(channels, m.batchnorm(), g);
        Sequential c = new Sequential(new Flatten());
        if (m.dropout() > 0) {
            c.add(new Dropout(m.dropout(), g.fork()));
        }
        if (m.hiddenFc()) {
            c.add(new Linear(128, 64, g)).add(new ReLU());
            if (m.hiddenDropout() > 0) {
                c.add(new Dropout(m.hiddenDropout(), g.fork()));
            }
            c.add(new Linear(64, classes, g));
        } else {
            c.add(new Linear(128, classes, g));
        }
        return new FeaturesClassifier(f, c);
    }

    private static ResNet resnet18(StudyExperiment.Model m, int classes, Generator g) {
        ResNet r = ResNet.resnet18(classes, g);
        if (m.stem().equals("cifar")) {
            r.stem28();
        }
        if (m.dropout() > 0) {
            r.dropoutHead(m.dropout(), classes, g);
        }
        return r;
    }
}
