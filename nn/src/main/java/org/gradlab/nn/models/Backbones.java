package org.gradlab.nn.models;

import org.gradlab.engine.Generator;
import org.gradlab.nn.Module;

/**
 * The seeds' backbones by name, for the command line: {@code efficientnet_b0}
 * ({@link EfficientNet#b0}) and {@code vit_tiny} ({@link VisionTransformer#vitTiny}, 12 layers).
 */
public final class Backbones {
    /** The names {@link #create} accepts. */
    public static final java.util.List<String> NAMES = java.util.List.of("efficientnet_b0", "vit_tiny");

    private Backbones() {
    }

    /**
     * @param imageSize input side (ViT's position embedding depends on it; EfficientNet takes any)
     * @param patchSize ViT patch side (must divide imageSize)
     */
    public static Module create(String name, int inChannels, int numClasses, int imageSize, int patchSize, Generator gen) {
        return switch (name) {
            case "efficientnet_b0" -> EfficientNet.b0(inChannels, numClasses, gen);
            case "vit_tiny" -> VisionTransformer.vitTiny(imageSize, patchSize, 12, inChannels, numClasses, gen);
            default -> throw new IllegalArgumentException("unknown backbone '" + name + "': expected one of " + NAMES);
        };
    }
}
