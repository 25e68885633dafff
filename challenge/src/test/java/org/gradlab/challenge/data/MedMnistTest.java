package org.gradlab.challenge.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.NpyFormatException;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MedMnistTest {
    @TempDir
    Path tmp;

    /** Only where the full fixtures are (../shared beside the clone, or -Dgradlab.fixtures=DIR): DermaMNIST is CC BY-NC, not bundled. */
    @Test
    void loadsDermaMnistJpeg() throws Exception {
        java.util.Optional<Path> file = org.gradlab.engine.io.Fixtures.optional("data/dermamnist_jpeg.npz");
        org.junit.jupiter.api.Assumptions.assumeTrue(file.isPresent(), "needs the full fixtures' data/dermamnist_jpeg.npz");
        MedMnist d = MedMnist.load(file.get());
        assertEquals(7, d.numClasses());
        assertEquals(7007, d.train().n());
        assertEquals(1003, d.val().n());
        assertEquals(2005, d.test().n());
        Split t = d.train();
        assertEquals(28, t.h());
        assertEquals(28, t.w());
        assertEquals(3, t.c());
        assertEquals(7007 * 28 * 28 * 3, t.images().length);
        assertArrayEquals(new int[] {228, 359, 769, 80, 779, 4693, 99}, d.classCounts("train"));
        assertArrayEquals(new int[] {33, 52, 110, 12, 111, 671, 14}, d.classCounts(d.val()));
        assertArrayEquals(new int[] {66, 103, 220, 23, 223, 1341, 29}, d.classCounts("test"));
    }

    @Test
    void loadsGrayscaleBreastMnistAsC1() throws Exception {
        MedMnist d = MedMnist.load(SharedFiles.file("data/breastmnist.npz"));
        assertEquals(2, d.numClasses());
        assertEquals(1, d.train().c());
        assertEquals(546, d.train().n());
        assertEquals(78, d.val().n());
        assertEquals(156, d.test().n());
    }

    private static Map<String, NpyArray> fake(int n, int[] imgShape, long[] labels) {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        for (String s : MedMnist.SPLITS) {
            int numel = 1;
            for (int v : imgShape) numel *= v;
            m.put(s + "_images", NpyArray.ofBytes(imgShape, new byte[numel]));
            m.put(s + "_labels", NpyArray.ofLongs(new int[] {labels.length, 1}, labels));
        }
        return m;
    }

    @Test
    void wrongImageShapeNamesExpectedAndActual() throws Exception {
        Path p = tmp.resolve("big.npz");
        Npz.write(p, fake(10, new int[] {10, 32, 32, 3}, new long[10]), false);
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> MedMnist.load(p));
        assertTrue(e.getMessage().contains("big.npz[train_images]: expected uint8 (N,28,28,3) or (N,28,28), got |u1 (10, 32, 32, 3)"),
                e.getMessage());
    }

    @Test
    void missingKeyIsAnError() throws Exception {
        Map<String, NpyArray> m = fake(2, new int[] {2, 28, 28}, new long[] {0, 1});
        m.remove("val_labels");
        Path p = tmp.resolve("nokey.npz");
        Npz.write(p, m, true);
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> MedMnist.load(p));
        assertTrue(e.getMessage().contains("nokey.npz: not a MedMNIST npz: missing [val_labels]"), e.getMessage());
    }

    @Test
    void labelCountAndRangeAreChecked() throws Exception {
        Path p = tmp.resolve("len.npz");
        Npz.write(p, fake(3, new int[] {3, 28, 28}, new long[] {0, 1}), false);
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> MedMnist.load(p));
        assertTrue(e.getMessage().contains("2 labels for 3 images"), e.getMessage());

        Path q = tmp.resolve("range.npz");
        Npz.write(q, fake(2, new int[] {2, 28, 28}, new long[] {0, 5}), false);
        NpyFormatException e2 = assertThrows(NpyFormatException.class, () -> MedMnist.load(q, 28, 3));
        assertTrue(e2.getMessage().contains("labels must be in [0, 3), found label 5"), e2.getMessage());
        assertEquals(6, MedMnist.load(q).numClasses());
    }
}
