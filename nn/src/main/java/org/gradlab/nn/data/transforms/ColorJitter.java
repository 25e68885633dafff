package org.gradlab.nn.data.transforms;

import org.gradlab.engine.Generator;
import org.gradlab.nn.data.Image;

/**
 * torchvision 0.14 ColorJitter(brightness, contrast, saturation, hue), PIL path. Factors:
 * brightness/contrast/saturation ~ U[max(0, 1-v), 1+v], hue ~ U[-h, h] (a parameter of 0 disables
 * that adjustment). As in {@code get_params}, a random permutation of the four adjustments is
 * drawn first, then the four factors (in the fixed order b, c, s, h), then the adjustments are
 * applied in the permuted order. Kernels: {@link PilColor}.
 */
public final class ColorJitter implements Transform {
    /** One draw: {@code order} is a permutation of 0=brightness,1=contrast,2=saturation,3=hue; NaN = disabled. */
    public record Params(int[] order, double brightness, double contrast, double saturation, double hue) {
    }

    private final double brightness;
    private final double contrast;
    private final double saturation;
    private final double hue;

    public ColorJitter(double brightness, double contrast, double saturation, double hue) {
        if (brightness < 0 || contrast < 0 || saturation < 0 || hue < 0 || hue > 0.5) {
            throw new IllegalArgumentException("ColorJitter: need b,c,s >= 0 and 0 <= hue <= 0.5, got "
                    + brightness + ", " + contrast + ", " + saturation + ", " + hue);
        }
        this.brightness = brightness;
        this.contrast = contrast;
        this.saturation = saturation;
        this.hue = hue;
    }

    public Params sample(Generator rng) {
        int[] order = {0, 1, 2, 3};
        for (int i = 3; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        double b = brightness > 0 ? rng.uniform(Math.max(0, 1 - brightness), 1 + brightness) : Double.NaN;
        double c = contrast > 0 ? rng.uniform(Math.max(0, 1 - contrast), 1 + contrast) : Double.NaN;
        double s = saturation > 0 ? rng.uniform(Math.max(0, 1 - saturation), 1 + saturation) : Double.NaN;
        double h = hue > 0 ? rng.uniform(-hue, hue) : Double.NaN;
        return new Params(order, b, c, s, h);
    }

    @Override
    public Image apply(Image img, Generator rng) {
        return apply(img, sample(rng));
    }

    public static Image apply(Image img, Params p) {
        Image out = img;
        for (int fn : p.order()) {
            switch (fn) {
                case 0 -> out = Double.isNaN(p.brightness()) ? out : PilColor.brightness(out, p.brightness());
                case 1 -> out = Double.isNaN(p.contrast()) ? out : PilColor.contrast(out, p.contrast());
                case 2 -> out = Double.isNaN(p.saturation()) ? out : PilColor.saturation(out, p.saturation());
                default -> out = Double.isNaN(p.hue()) ? out : PilColor.hue(out, p.hue());
            }
        }
        return out;
    }
}
