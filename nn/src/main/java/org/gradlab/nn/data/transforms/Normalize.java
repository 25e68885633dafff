package org.gradlab.nn.data.transforms;

import org.gradlab.engine.Generator;

/**
 * torchvision Normalize(mean, std) on a float32 CHW sample: x[ch] = (x[ch] - mean[ch]) / std[ch]
 * in float32 with mean/std rounded to float32 first (as torch does), so results are bit-identical.
 */
public final class Normalize implements TensorTransform {
    public static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
    public static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};

    private final float[] mean;
    private final float[] std;

    public Normalize(double[] mean, double[] std) {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("Normalize: mean has " + mean.length + " values, std " + std.length);
        }
        this.mean = new float[mean.length];
        this.std = new float[std.length];
        for (int i = 0; i < mean.length; i++) {
            if (std[i] == 0) {
                throw new IllegalArgumentException("Normalize: std[" + i + "] is 0");
            }
            this.mean[i] = (float) mean[i];
            this.std[i] = (float) std[i];
        }
    }

    @Override
    public void apply(float[] buf, int off, int c, int h, int w, Generator rng) {
        normalize(buf, off, c, h * w, mean, std);
    }

    /** Kernel (1-value mean/std broadcast over all channels). */
    public static void normalize(float[] buf, int off, int c, int plane, float[] mean, float[] std) {
        if (mean.length != c && mean.length != 1) {
            throw new IllegalArgumentException("Normalize: " + mean.length + " means for a " + c + "-channel image");
        }
        for (int ch = 0; ch < c; ch++) {
            float m = mean[mean.length == 1 ? 0 : ch], s = std[std.length == 1 ? 0 : ch];
            int base = off + ch * plane;
            for (int i = 0; i < plane; i++) {
                buf[base + i] = (buf[base + i] - m) / s;
            }
        }
    }
}
