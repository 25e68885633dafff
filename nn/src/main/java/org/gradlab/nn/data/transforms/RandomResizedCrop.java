package org.gradlab.nn.data.transforms;

import org.gradlab.engine.Generator;
import org.gradlab.nn.data.Image;

/**
 * torchvision 0.14 {@code RandomResizedCrop(size, scale, ratio)} with bilinear interpolation: a random crop of the image,
 * resized to {@code size x size} with Pillow's bilinear filter ({@link Resize}). Up to 10 tries:
 * area = H*W*U[scale]; aspect = exp(U[log ratio]); w = round(sqrt(area*aspect)), h = round(sqrt(area/aspect)) (ties
 * to even, Python's round); accept if 0 < w <= W and 0 < h <= H; then top i ~ U{0..H-h}, left j ~ U{0..W-w}. If no try
 * is accepted: the center crop of the largest box whose aspect W/H is clamped into [ratio]: W/H below min(ratio) keeps
 * the width, h = round(W / min(ratio)); above max(ratio) keeps the height, w = round(H * max(ratio)); else the whole
 * image; top (H-h)/2, left (W-w)/2 (floor).
 *
 * <p>NOTE: torchvision draws its numbers with torch's generator; here they come from the sample's seeded
 * {@link Generator} in the same order (scale, then log-ratio per try; then top, then left), so the semantics match
 * and the draws are GradLab's own.
 */
public final class RandomResizedCrop implements Transform {
    /** A crop box (top, left, height, width). */
    public record Box(int top, int left, int height, int width) {
    }

    private final int size;
    private final double scaleMin;
    private final double scaleMax;
    private final double ratioMin;
    private final double ratioMax;

    /**
     * @param size output side in pixels; 0 keeps each image's own size (a square image stays its size)
     */
    public RandomResizedCrop(int size, double scaleMin, double scaleMax, double ratioMin, double ratioMax) {
        if (size < 0 || !(scaleMin > 0) || scaleMin > scaleMax || !(ratioMin > 0) || ratioMin > ratioMax) {
            throw new IllegalArgumentException("RandomResizedCrop: need size >= 0, 0 < scaleMin <= scaleMax, 0 < ratioMin <= "
                    + "ratioMax; got size " + size + ", scale [" + scaleMin + ", " + scaleMax + "], ratio [" + ratioMin + ", "
                    + ratioMax + "]");
        }
        this.size = size;
        this.scaleMin = scaleMin;
        this.scaleMax = scaleMax;
        this.ratioMin = ratioMin;
        this.ratioMax = ratioMax;
    }

    /** torchvision's defaults: scale (0.08, 1.0), ratio (3/4, 4/3). */
    public RandomResizedCrop(int size) {
        this(size, 0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0);
    }

    /** The crop box of an {@code imgH x imgW} image (torchvision's {@code get_params}). */
    public Box sampleBox(int imgH, int imgW, Generator rng) {
        double area = (double) imgH * imgW;
        double logMin = Math.log(ratioMin);
        double logMax = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * rng.uniform(scaleMin, scaleMax);
            double aspect = Math.exp(rng.uniform(logMin, logMax));
            int w = (int) Math.rint(Math.sqrt(target * aspect));
            int h = (int) Math.rint(Math.sqrt(target / aspect));
            if (0 < w && w <= imgW && 0 < h && h <= imgH) {
                int i = rng.nextInt(imgH - h + 1);
                int j = rng.nextInt(imgW - w + 1);
                return new Box(i, j, h, w);
            }
        }
        return centerBox(imgH, imgW);
    }

    /** The fallback after 10 rejected tries: the center crop with the aspect clamped into [ratioMin, ratioMax]. */
    public Box centerBox(int imgH, int imgW) {
        double inRatio = (double) imgW / imgH;
        int w;
        int h;
        if (inRatio < ratioMin) {
            w = imgW;
            h = (int) Math.rint(w / ratioMin);
        } else if (inRatio > ratioMax) {
            h = imgH;
            w = (int) Math.rint(h * ratioMax);
        } else {
            w = imgW;
            h = imgH;
        }
        return new Box((imgH - h) / 2, (imgW - w) / 2, h, w);
    }

    @Override
    public Image apply(Image img, Generator rng) {
        Box b = sampleBox(img.height(), img.width(), rng);
        int outH = size > 0 ? size : img.height();
        int outW = size > 0 ? size : img.width();
        return Resize.resize(crop(img, b), outH, outW);
    }

    /** Kernel: the pixels of {@code b} as a new image. */
    public static Image crop(Image img, Box b) {
        int c = img.channels();
        byte[] src = img.pixels();
        byte[] out = new byte[b.height() * b.width() * c];
        int row = b.width() * c;
        for (int y = 0; y < b.height(); y++) {
            System.arraycopy(src, ((b.top() + y) * img.width() + b.left()) * c, out, y * row, row);
        }
        return Image.wrap(b.height(), b.width(), c, out);
    }
}
