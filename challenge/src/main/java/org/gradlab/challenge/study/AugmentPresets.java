package org.gradlab.challenge.study;

import java.util.List;

/**
 * The named augmentation presets of {@code augment.preset}, as lists of {@link AugmentStep}s:
 * <ul>
 *   <li>{@code none}: nothing</li>
 *   <li>{@code basic}: horizontal flip 0.5, rotation ±15°</li>
 *   <li>{@code heavy}: horizontal and vertical flip 0.5, rotation ±20°, ColorJitter(0.2, 0.2, 0.2, 0.05),
 *       RandomAffine(translate 0.1, scale 0.9-1.1), RandomErasing(p 0.25). Mixup/CutMix are {@code mix}, not a preset.</li>
 * </ul>
 * NOTE: the ablation notebook's own preset bodies are elided in the seed; these are our reading of "basic" and "heavy".
 */
public final class AugmentPresets {
    private AugmentPresets() {}

    public static List<AugmentStep> steps(String preset) {
        return switch (preset) {
            case "none" -> List.of();
            case "basic" -> List.of(new AugmentStep("hflip", List.of(0.5), null), new AugmentStep("rotate", List.of(15.0), null));
            case "heavy" -> List.of(new AugmentStep("hflip", List.of(0.5), null), new AugmentStep("vflip", List.of(0.5), null),
                    new AugmentStep("rotate", List.of(20.0), null),
                    new AugmentStep("color_jitter", List.of(0.2, 0.2, 0.2, 0.05), null),
                    new AugmentStep("affine", List.of(0.0, 0.1, 0.1, 0.9, 1.1), null),
                    new AugmentStep("random_erasing", List.of(0.25, 0.02, 0.33, 0.3, 3.3, 0.0), null));
            default -> throw new IllegalArgumentException("unknown augment preset '" + preset + "': expected none, basic, heavy");
        };
    }
}
