package org.gradlab.nn.data.transforms;

import org.gradlab.engine.Generator;
import org.gradlab.nn.data.Image;

/**
 * torchvision RandomAffine(degrees, translate, scale), no shear, NEAREST, fill 0.
 * Parameters as {@code RandomAffine.get_params}: angle ~ U[-deg, deg];
 * tx = round(U[-tx_frac*W, tx_frac*W]), ty = round(U[-ty_frac*H, ty_frac*H]) (ties to even);
 * scale ~ U[smin, smax]. Kernel: {@link PilGeometry#tvAffine}.
 */
public final class RandomAffine implements Transform {
    /** One draw of the parameters. */
    public record Params(double angle, int tx, int ty, double scale) {
    }

    private final double degrees;
    private final double translateX;
    private final double translateY;
    private final double scaleMin;
    private final double scaleMax;

    /**
     * @param translateX max |tx| as a fraction of the width (0 = none)
     * @param translateY max |ty| as a fraction of the height
     */
    public RandomAffine(double degrees, double translateX, double translateY, double scaleMin, double scaleMax) {
        if (degrees < 0 || translateX < 0 || translateX > 1 || translateY < 0 || translateY > 1
                || scaleMin <= 0 || scaleMin > scaleMax) {
            throw new IllegalArgumentException("RandomAffine: need degrees >= 0, translate in [0,1], 0 < scaleMin <= scaleMax; got "
                    + degrees + ", (" + translateX + "," + translateY + "), (" + scaleMin + "," + scaleMax + ")");
        }
        this.degrees = degrees;
        this.translateX = translateX;
        this.translateY = translateY;
        this.scaleMin = scaleMin;
        this.scaleMax = scaleMax;
    }

    public Params sample(int height, int width, Generator rng) {
        double angle = rng.uniform(-degrees, degrees);
        double maxDx = translateX * width, maxDy = translateY * height;
        int tx = (int) Math.rint(rng.uniform(-maxDx, maxDx));
        int ty = (int) Math.rint(rng.uniform(-maxDy, maxDy));
        double scale = rng.uniform(scaleMin, scaleMax);
        return new Params(angle, tx, ty, scale);
    }

    @Override
    public Image apply(Image img, Generator rng) {
        Params p = sample(img.height(), img.width(), rng);
        return affine(img, p.angle(), p.tx(), p.ty(), p.scale());
    }

    /** {@code TF.affine(img, angle, (tx, ty), scale, shear=0)} (PIL path, NEAREST). */
    public static Image affine(Image img, double angle, int tx, int ty, double scale) {
        return PilGeometry.tvAffine(img, angle, tx, ty, scale, 0.0, 0.0);
    }
}
