package org.gradlab.nn.golden;

import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gradlab.engine.golden.GoldenSuite;
import org.gradlab.engine.golden.Reporter;
import org.gradlab.engine.golden.Tolerance;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.Npz;
import org.gradlab.nn.data.Image;
import org.gradlab.nn.data.transforms.Normalize;
import org.gradlab.nn.data.transforms.PilColor;
import org.gradlab.nn.data.transforms.RandomAffine;
import org.gradlab.nn.data.transforms.RandomHorizontalFlip;
import org.gradlab.nn.data.transforms.RandomRotation;
import org.gradlab.nn.data.transforms.RandomVerticalFlip;
import org.gradlab.nn.data.transforms.ToTensor;

/**
 * transforms.npz: every deterministic transform kernel against torchvision 0.14.1 / Pillow on
 * the images {@code images_uint8} (N, H, W, C), exactly (tolerance 0). Each array
 * {@code img<i>.<transform>} names its transform and parameters the fixture's way (MANIFEST.json
 * gives only their semantics): {@code hflip}, {@code vflip}, {@code rotate_p15_nearest} (+15°;
 * a leading {@code m}/{@code p} = minus/plus, a {@code p} inside a number = decimal point), {@code affine_t2_m1_s1p05}
 * (translate (2, −1), scale 1.05), {@code brightness1p15}, {@code contrast0p85},
 * {@code saturation1p2}, {@code hue0p03}, {@code to_tensor}, {@code normalize_imagenet}. An array
 * of another name is listed as not checked.
 */
public final class TransformsSuite implements GoldenSuite {
    private static final Pattern KEY = Pattern.compile("img(\\d+)\\.(.+?)(_uint8)?");
    private static final Pattern ROTATE = Pattern.compile("rotate_([mp]?[0-9p]+)_nearest");
    private static final Pattern AFFINE = Pattern.compile("affine_t(m?[0-9p]+)_(m?[0-9p]+)_s(m?[0-9p]+)");
    private static final Pattern COLOR = Pattern.compile("(brightness|contrast|saturation|hue)(m?[0-9p]+)");

    @Override
    public String fileName() {
        return "transforms.npz";
    }

    /** A number as the fixture's names write it: {@code m20} = −20, {@code p15} = +15, {@code 1p05} = 1.05. */
    static double number(String s) {
        double sign = s.startsWith("m") ? -1 : 1;
        String digits = s.startsWith("m") || s.startsWith("p") ? s.substring(1) : s;
        return sign * Double.parseDouble(digits.replace('p', '.'));
    }

    /** The image kernel an array name stands for, or null. */
    static UnaryOperator<Image> kernel(String name) {
        if (name.equals("hflip")) {
            return RandomHorizontalFlip::hflip;
        }
        if (name.equals("vflip")) {
            return RandomVerticalFlip::vflip;
        }
        Matcher m = ROTATE.matcher(name);
        if (m.matches()) {
            double angle = number(m.group(1));
            return im -> RandomRotation.rotate(im, angle);
        }
        m = AFFINE.matcher(name);
        if (m.matches()) {
            int tx = (int) number(m.group(1));
            int ty = (int) number(m.group(2));
            double scale = number(m.group(3));
            return im -> RandomAffine.affine(im, 0.0, tx, ty, scale);
        }
        m = COLOR.matcher(name);
        if (m.matches()) {
            double f = number(m.group(2));
            return switch (m.group(1)) {
                case "brightness" -> im -> PilColor.brightness(im, f);
                case "contrast" -> im -> PilColor.contrast(im, f);
                case "saturation" -> im -> PilColor.saturation(im, f);
                default -> im -> PilColor.hue(im, f);
            };
        }
        return null;
    }

    @Override
    public void run(Npz npz, Reporter reporter) {
        NpyArray all = npz.get("images_uint8");
        int[] s = all.shape();
        byte[] raw = all.rawBytes();
        Image[] images = new Image[s[0]];
        for (int i = 0; i < s[0]; i++) {
            images[i] = Image.copyOf(s[1], s[2], s[3], raw, i * s[1] * s[2] * s[3]);
        }
        Tolerance exact = new Tolerance(0, 0);
        for (String key : npz.keys()) {
            if (key.equals("images_uint8")) {
                continue;
            }
            Matcher k = KEY.matcher(key);
            if (!k.matches()) {
                reporter.notChecked(fileName(), key, "not an img<i>.<transform> array");
                continue;
            }
            Image im = images[Integer.parseInt(k.group(1))];
            String name = k.group(2);
            try {
                if (name.equals("to_tensor") || name.equals("normalize_imagenet")) {
                    float[] t = ToTensor.toArray(im);
                    if (name.equals("normalize_imagenet")) {
                        new Normalize(Normalize.IMAGENET_MEAN, Normalize.IMAGENET_STD).apply(t, 0, s[3], s[1], s[2], null);
                    }
                    reporter.compare(fileName(), "img" + k.group(1), "f32", name, floats(t), npz.get(key).toDoubles(), exact);
                    continue;
                }
                UnaryOperator<Image> f = kernel(name);
                if (f == null || k.group(3) == null) {
                    reporter.notChecked(fileName(), key, "no transform of this name");
                    continue;
                }
                reporter.compare(fileName(), "img" + k.group(1), "u8", name, unsigned(f.apply(im).pixels()),
                        unsigned(npz.get(key).rawBytes()), exact);
            } catch (RuntimeException e) {
                reporter.fail(fileName(), "img" + k.group(1), "-", name, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    private static double[] floats(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static double[] unsigned(byte[] b) {
        double[] d = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            d[i] = b[i] & 0xFF;
        }
        return d;
    }
}
