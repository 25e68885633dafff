package org.gradlab.nn.data.transforms;

import org.gradlab.engine.Tensor;
import org.gradlab.nn.data.Image;

/**
 * torchvision ToTensor: HWC uint8 → CHW float32, out[ch][y][x] = in[y][x][ch] / 255f (float32
 * division, bit-identical to {@code tensor.float().div(255)}).
 */
public final class ToTensor {
    private ToTensor() {
    }

    /** Writes the CHW floats of {@code img} into {@code dst[off .. off + c*h*w)} (no allocation). */
    public static void write(Image img, float[] dst, int off) {
        int c = img.channels(), plane = img.height() * img.width();
        byte[] in = img.pixels();
        if (c == 1) {
            for (int i = 0; i < plane; i++) {
                dst[off + i] = (in[i] & 0xFF) / 255f;
            }
            return;
        }
        for (int i = 0, j = 0; i < plane; i++, j += c) {
            for (int ch = 0; ch < c; ch++) {
                dst[off + ch * plane + i] = (in[j + ch] & 0xFF) / 255f;
            }
        }
    }

    /** CHW float array of one image. */
    public static float[] toArray(Image img) {
        float[] out = new float[img.channels() * img.height() * img.width()];
        write(img, out, 0);
        return out;
    }

    /** A (C,H,W) float32 CPU tensor. */
    public static Tensor apply(Image img) {
        return Tensor.of(toArray(img), img.channels(), img.height(), img.width());
    }
}
