package org.gradlab.challenge.experiments;

/** The architectures of the study (factories live in nn's ChallengeModels). */
public enum ModelKind {
    /** exp 01: conv 3→8, pool, conv 8→16, pool, Linear(784, 7); 6,887 parameters. */
    BASELINE_CNN("2-layer CNN 8→16"),
    /** exp 06: the baseline with 32→64 channels; 41,351 parameters. */
    WIDE_CNN("2-layer CNN 32→64"),
    /** exp 07: three conv blocks 32→64→128 + AdaptiveAvgPool(1) + Linear(128, 7); 94,151 parameters. */
    THREE_BLOCK_CNN("3 conv blocks 32→64→128 + adaptive pool"),
    /** exp 08: exp 07 with BatchNorm after each conv; 94,599 parameters. */
    THREE_BLOCK_BN("3 blocks + BatchNorm"),
    /** exp 09: exp 08 with Dropout before the classifier. */
    THREE_BLOCK_BN_DROPOUT("3 blocks + BatchNorm + Dropout"),
    /** exp 10 / 21: exp 08 with a hidden FC layer 128→64→7; 102,407 parameters. */
    THREE_BLOCK_BN_HIDDEN_FC("3 blocks + BatchNorm + hidden FC 128→64→7"),
    /** exp 23/24: torchvision ResNet-18 with fc → Linear(512, 7); 11,180,103 parameters. */
    RESNET18("ResNet-18, fc → Linear(512,7)"),
    /** exp 25: ResNet-18 with a 3×3 stride-1 stem, no max-pool, Dropout(0.3) → Linear(512, 7); 11,172,423 parameters. */
    RESNET18_STEM28("ResNet-18, 3×3 stride-1 stem, no max-pool, Dropout(0.3) → Linear(512,7)");

    private final String description;

    ModelKind(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
