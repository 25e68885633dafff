package org.gradlab.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.gradlab.nn.data.transforms.PilColor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * transforms.npz beyond what its verify suite (TransformsSuite, run exactly by
 * TrainingGoldenSuitesTest) checks: the detail of PIL's contrast that one image exposes.
 */
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

    @Test
    void contrastUsesRoundedGrayMean() {
        // img1's gray mean is 126.88: PIL rounds it to 127 (truncation would give 126)
        assertEquals(127, PilColor.grayMeanRounded(images[1]));
    }
}
