package org.gradlab.nn.data.transforms;

import org.gradlab.engine.Generator;

/**
 * torchvision 0.14 RandomErasing(p, scale, ratio, value) on the float CHW sample. With
 * probability p, up to 10 tries: area = H*W*U[scale]; aspect = exp(U[log ratio]);
 * h = round(sqrt(area*aspect)), w = round(sqrt(area/aspect)) (ties to even); accept if h < H and
 * w < W; then top i ~ U{0..H-h}, left j ~ U{0..W-w}; the rectangle is set to {@code value} in
 * every channel. If no try is accepted the sample is unchanged.
 */
public final class RandomErasing implements TensorTransform {
    /** An accepted rectangle (top, left, height, width). */
    public record Box(int top, int left, int height, int width) {
    }

    private final double p;
    private final double scaleMin;
    private final double scaleMax;
    private final double logRatioMin;
    private final double logRatioMax;
    private final float value;

    /** torchvision defaults: p 0.5, scale (0.02, 0.33), ratio (0.3, 3.3), value 0. */
    public RandomErasing() {
        this(0.5, 0.02, 0.33, 0.3, 3.3, 0f);
    }

    public RandomErasing(double p, double scaleMin, double scaleMax, double ratioMin, double ratioMax, float value) {
        if (p < 0 || p > 1 || scaleMin < 0 || scaleMin > scaleMax || scaleMax > 1 || ratioMin <= 0 || ratioMin > ratioMax) {
            throw new IllegalArgumentException("RandomErasing: need p in [0,1], 0 <= scaleMin <= scaleMax <= 1, 0 < ratioMin <= ratioMax");
        }
        this.p = p;
        this.scaleMin = scaleMin;
        this.scaleMax = scaleMax;
        this.logRatioMin = Math.log(ratioMin);
        this.logRatioMax = Math.log(ratioMax);
        this.value = value;
    }

    /** Draws the rectangle (after the probability test passed); null = no try accepted. */
    public Box sampleBox(int imgH, int imgW, Generator rng) {
        double area = (double) imgH * imgW;
        for (int attempt = 0; attempt < 10; attempt++) {
            double eraseArea = area * rng.uniform(scaleMin, scaleMax);
            double aspect = Math.exp(rng.uniform(logRatioMin, logRatioMax));
            int h = (int) Math.rint(Math.sqrt(eraseArea * aspect));
            int w = (int) Math.rint(Math.sqrt(eraseArea / aspect));
            if (!(h < imgH && w < imgW)) {
                continue;
            }
            int i = rng.nextInt(imgH - h + 1);
            int j = rng.nextInt(imgW - w + 1);
            return new Box(i, j, h, w);
        }
        return null;
    }

    @Override
    public void apply(float[] buf, int off, int c, int h, int w, Generator rng) {
        if (rng.nextDouble() >= p) {
            return;
        }
        Box b = sampleBox(h, w, rng);
        if (b != null) {
            erase(buf, off, c, h, w, b, value);
        }
    }

    /** Kernel: sets the box to {@code v} in every channel. */
    public static void erase(float[] buf, int off, int c, int h, int w, Box b, float v) {
        for (int ch = 0; ch < c; ch++) {
            for (int y = b.top(); y < b.top() + b.height(); y++) {
                int row = off + (ch * h + y) * w + b.left();
                java.util.Arrays.fill(buf, row, row + b.width(), v);
            }
        }
    }
}
