package org.gradlab.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gradlab.challenge.data.MedMnist;
import org.gradlab.challenge.data.Split;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.Npz;
import org.gradlab.nn.data.Image;
import org.gradlab.nn.data.transforms.Resize;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bench epoch --model}: a few images of a generated BreastMNIST-layout file (28×28
 * grayscale, 2 classes) through one warm-up and one timed epoch of each backbone; the
 * RESULT line that compare-pytorch.sh reads, and the model line with the parameter count that
 * pytorch_epoch.py prints for torchvision's model (1-channel first conv, 2 classes).
 */
class BackboneEpochTest {
    private static final Pattern RESULT = Pattern.compile("RESULT model=(\\S+) size=(\\d+) device=cpu median_epoch_s=([0-9.]+) ");

    @TempDir
    Path dir;

    @Test
    void efficientNetEpochPrintsTheResultLine() throws Exception {
        Run r = bench("epoch", "--model", "efficientnet_b0", "--data", breastLike().toString(), "--limit-train", "6",
                "--epochs", "1", "--workers", "0", "--device", "cpu");
        assertEquals(0, r.exit(), r.out());
        // torchvision's efficientnet_b0(num_classes=2) with features.0.0 = Conv2d(1, 32, 3, 2, 1, bias=False)
        assertTrue(r.out().contains("efficientnet_b0: 4,009,534 parameters, input 1x28x28, 2 classes, 6 images, batch 32"), r.out());
        assertTrue(r.out().contains("epoch 0 (warm-up)") && r.out().contains("epoch 1: "), r.out());
        Matcher m = RESULT.matcher(r.out());
        assertTrue(m.find(), r.out());
        assertEquals("efficientnet_b0", m.group(1));
        assertEquals("28", m.group(2));
        assertTrue(Double.parseDouble(m.group(3)) > 0, m.group());
    }

    @Test
    void vitTinyResizesOnceAndTakesTheDefaultPatch() throws Exception {
        Run r = bench("epoch", "--model", "vit_tiny", "--size", "32", "--data", breastLike().toString(), "--limit-train", "4",
                "--epochs", "1", "--workers", "0", "--device", "cpu");
        assertEquals(0, r.exit(), r.out());
        // torchvision's VisionTransformer(32, 4, 12, 3, 192, 768, num_classes=2) with conv_proj = Conv2d(1, 192, 4, 4):
        // 64 patches + the class token in pos_embedding
        assertTrue(r.out().contains("vit_tiny: 5,355,074 parameters, input 1x32x32, patch 4, 2 classes, 4 images"), r.out());
        assertTrue(r.out().contains("resized from 28 px once before timing"), r.out());
        Matcher m = RESULT.matcher(r.out());
        assertTrue(m.find(), r.out());
        assertEquals("32", m.group(2));
    }

    @Test
    void unknownModelAndBadPatchAreOneLineErrors() throws Exception {
        Path data = breastLike();
        Run r = bench("epoch", "--model", "resnet_tiny", "--data", data.toString(), "--device", "cpu");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--model expects one of [efficientnet_b0, vit_tiny], got 'resnet_tiny'"), r.err());
        Run p = bench("epoch", "--model", "vit_tiny", "--patch", "5", "--data", data.toString(), "--device", "cpu");
        assertTrue(p.exit() != 0);
        assertTrue(p.err().contains("--patch must divide the image side 28, got 5"), p.err());
    }

    @Test
    void experimentEpochsKeepTheirLine() throws Exception {
        Run r = bench("epoch", "--exp", "01", "--data", breastLike().toString(), "--epochs", "1", "--workers", "0", "--device", "cpu");
        assertEquals(0, r.exit(), r.out());
        assertTrue(Pattern.compile("RESULT exp=01 device=cpu median_epoch_s=[0-9.]+ ").matcher(r.out()).find(), r.out());
    }

    @Test
    void defaultPatchIsFourBelowSixtyFourPixelsElseEight() {
        assertEquals(4, BackboneEpoch.defaultPatch(28));
        assertEquals(8, BackboneEpoch.defaultPatch(64));
    }

    @Test
    void resizedSplitHoldsEachImageResizedOnce() throws Exception {
        Split train = MedMnist.load(breastLike()).train();
        Split big = BackboneEpoch.resized(train, 64);
        assertEquals(64, big.h());
        assertEquals(1, big.c());
        assertArrayEquals(train.labels(), big.labels());
        Image third = Resize.resize(Image.copyOf(28, 28, 1, train.images(), 2 * 28 * 28), 64, 64);
        byte[] got = java.util.Arrays.copyOfRange(big.images(), 2 * 64 * 64, 3 * 64 * 64);
        assertArrayEquals(third.pixels(), got);
    }

    private record Run(int exit, String out, String err) {
    }

    /** Runs {@code gradlab bench ARGS}, capturing what BenchCommand prints to System.out and System.err. */
    private static Run bench(String... args) {
        PrintStream out0 = System.out;
        PrintStream err0 = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cl = new CommandLine(new BenchCommand());
            cl.setErr(new java.io.PrintWriter(System.err, true));
            int exit = cl.execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out0);
            System.setErr(err0);
        }
    }

    /** A BreastMNIST-layout npz: 28×28 uint8 grayscale (N, 28, 28), labels (N, 1) in {0, 1}, random pixels. */
    private Path breastLike() throws Exception {
        Random rnd = new Random(7);
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        for (String split : MedMnist.SPLITS) {
            int n = 8;
            byte[] images = new byte[n * 28 * 28];
            rnd.nextBytes(images);
            long[] labels = new long[n];
            for (int i = 0; i < n; i++) {
                labels[i] = i % 2;
            }
            arrays.put(split + "_images", NpyArray.ofBytes(new int[] {n, 28, 28}, images));
            arrays.put(split + "_labels", NpyArray.ofLongs(new int[] {n, 1}, labels));
        }
        Path file = dir.resolve("breastlike.npz");
        Npz.write(file, arrays, true);
        return file;
    }
}
