package org.gradlab.nn.golden;

import org.gradlab.engine.golden.GoldenSuite;
import org.gradlab.engine.golden.Reporter;
import org.gradlab.engine.golden.Tolerance;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.Npz;
import org.gradlab.nn.data.Image;
import org.gradlab.nn.data.transforms.Grayscale;
import org.gradlab.nn.data.transforms.Resize;
import org.gradlab.nn.data.transforms.ToTensor;

/**
 * transforms_resize.npz (torchvision 0.14.1 PIL path): {@link Resize} to 64 and 224 of RGB and
 * grayscale images, {@link Grayscale} 1 to 3 channels and RGB to L, ToTensor of an L image.
 * Every comparison is exact (tolerance 0): case {@code img<i>}, group {@code uint8} (or
 * {@code f32} for the tensor).
 */
final class ResizeGrayscaleSuite implements GoldenSuite {
    static final String FILE = "transforms_resize.npz";

    @Override
    public String fileName() {
        return FILE;
    }

    @Override
    public void run(Npz z, Reporter r) {
        Image[] rgb = images(z.get("images_uint8"));
        Image[] gray = images(z.get("gray_uint8"));
        Tolerance exact = new Tolerance(0, 0);
        for (int i = 0; i < rgb.length; i++) {
            String c = "img" + i;
            for (int s : new int[] {64, 224}) {
                compare(r, z, c, "resize" + s + "_bilinear_uint8", Resize.resize(rgb[i], s, s));
                compare(r, z, c, "gray_resize" + s + "_bilinear_uint8", Resize.resize(gray[i], s, s));
            }
            compare(r, z, c, "gray_to_3ch_uint8", Grayscale.grayscale(gray[i], 3));
            compare(r, z, c, "rgb_to_gray_uint8", Grayscale.grayscale(rgb[i], 1));
            float[] t = ToTensor.toArray(gray[i]);
            r.compare(FILE, c, "f32", "gray_to_tensor", toDoubles(t), z.get(c + ".gray_to_tensor").toDoubles(), exact);
        }
    }

    private static void compare(Reporter r, Npz z, String caseName, String key, Image got) {
        NpyArray want = z.get(caseName + "." + key);
        byte[] g = got.pixels();
        double[] a = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            a[i] = g[i] & 0xFF;
        }
        r.compare(FILE, caseName, "uint8", key, a, want.toDoubles(), new Tolerance(0, 0));
    }

    /** (N, H, W) or (N, H, W, C) uint8 array as images. */
    static Image[] images(NpyArray a) {
        int[] s = a.shape();
        int n = s[0], h = s[1], w = s[2], c = s.length == 4 ? s[3] : 1;
        byte[] raw = a.rawBytes();
        Image[] out = new Image[n];
        for (int i = 0; i < n; i++) {
            out[i] = Image.copyOf(h, w, c, raw, i * h * w * c);
        }
        return out;
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
