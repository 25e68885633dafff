package org.gradlab.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.gradlab.nn.data.transforms.Normalize;
import org.gradlab.nn.data.transforms.PilColor;
import org.gradlab.nn.data.transforms.RandomAffine;
import org.gradlab.nn.data.transforms.RandomHorizontalFlip;
import org.gradlab.nn.data.transforms.RandomRotation;
import org.gradlab.nn.data.transforms.RandomVerticalFlip;
import org.gradlab.nn.data.transforms.ToTensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every deterministic transform kernel against torchvision 0.14.1 / Pillow (transforms.npz): exact. */
class TransformsGoldenTest {
    private static Npz z;
    private static Image[] images;

    static Path golden(String name) {
        return SharedFiles.file("golden/" + name);
    }

    @BeforeAll
    static void load() throws Exception {
        z = Npz.open(golden("transforms.npz"));
        NpyArray all = z.get("images_uint8");
        assertArrayEquals(new int[] {3, 28, 28, 3}, all.shape());
        byte[] raw = all.rawBytes();
        images = new Image[3];
        for (int i = 0; i < 3; i++) {
            images[i] = Image.copyOf(28, 28, 3, raw, i * 28 * 28 * 3);
        }
    }

    private static void assertExact(String key, UnaryOperator<Image> f) {
        for (int i = 0; i < images.length; i++) {
            String k = "img" + i + "." + key + "_uint8";
            byte[] want = z.get(k).rawBytes();
            byte[] got = f.apply(images[i]).pixels();
            assertEquals(want.length, got.length, k);
            int diff = 0, maxDiff = 0;
            for (int j = 0; j < want.length; j++) {
                int d = Math.abs((want[j] & 0xFF) - (got[j] & 0xFF));
                if (d != 0) {
                    diff++;
                    maxDiff = Math.max(maxDiff, d);
                }
            }
            assertEquals(0, diff, k + ": " + diff + " of " + want.length + " values differ, max |diff| " + maxDiff);
        }
    }

    @Test
    void flips() {
        assertExact("hflip", RandomHorizontalFlip::hflip);
        assertExact("vflip", RandomVerticalFlip::vflip);
    }

    @Test
    void rotationsNearest() {
        assertExact("rotate_p15_nearest", im -> RandomRotation.rotate(im, 15));
        assertExact("rotate_m20_nearest", im -> RandomRotation.rotate(im, -20));
        assertExact("rotate_p7p5_nearest", im -> RandomRotation.rotate(im, 7.5));
    }

    @Test
    void affineTranslateScale() {
        assertExact("affine_t2_m1_s1p05", im -> RandomAffine.affine(im, 0.0, 2, -1, 1.05));
    }

    @Test
    void colorKernels() {
        assertExact("brightness1p15", im -> PilColor.brightness(im, 1.15));
        assertExact("contrast0p85", im -> PilColor.contrast(im, 0.85));
        assertExact("saturation1p2", im -> PilColor.saturation(im, 1.2));
        assertExact("hue0p03", im -> PilColor.hue(im, 0.03));
    }

    @Test
    void contrastUsesRoundedGrayMean() {
        // img1's gray mean is 126.88: PIL rounds it to 127 (truncation would give 126)
        assertEquals(127, PilColor.grayMeanRounded(images[1]));
    }

    @Test
    void toTensorAndNormalize() {
        Normalize norm = new Normalize(Normalize.IMAGENET_MEAN, Normalize.IMAGENET_STD);
        for (int i = 0; i < images.length; i++) {
            float[] t = ToTensor.toArray(images[i]);
            float[] want = z.get("img" + i + ".to_tensor").toFloats();
            assertArrayEquals(want, t, 1e-6f, "to_tensor img" + i);
            assertArrayEquals(want, t, 0f, "to_tensor bit-exact img" + i);
            norm.apply(t, 0, 3, 28, 28, null);
            float[] wantN = z.get("img" + i + ".normalize_imagenet").toFloats();
            assertArrayEquals(wantN, t, 1e-6f, "normalize img" + i);
            assertArrayEquals(wantN, t, 0f, "normalize bit-exact img" + i);
        }
    }
}
