package org.gradlab.nn.data.transforms;

import org.gradlab.engine.Generator;
import org.gradlab.nn.data.Image;

/**
 * torchvision RandomRotation(degrees), NEAREST, expand=False, centre, fill 0: angle ~ U[min, max)
 * degrees, counter-clockwise, via {@link PilGeometry#rotate}.
 */
public final class RandomRotation implements Transform {
    private final double min;
    private final double max;

    /** Angles in [-degrees, +degrees]. */
    public RandomRotation(double degrees) {
        this(-degrees, degrees);
        if (degrees < 0) {
            throw new IllegalArgumentException("RandomRotation: degrees must be >= 0, got " + degrees);
        }
    }

    public RandomRotation(double min, double max) {
        if (min > max) {
            throw new IllegalArgumentException("RandomRotation: min " + min + " > max " + max);
        }
        this.min = min;
        this.max = max;
    }

    /** The angle this transform would draw from {@code rng}. */
    public double sampleAngle(Generator rng) {
        return rng.uniform(min, max);
    }

    @Override
    public Image apply(Image img, Generator rng) {
        return rotate(img, sampleAngle(rng));
    }

    public static Image rotate(Image img, double angleDeg) {
        return PilGeometry.rotate(img, angleDeg);
    }
}
