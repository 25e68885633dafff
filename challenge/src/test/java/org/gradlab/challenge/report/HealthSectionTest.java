package org.gradlab.challenge.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training-health section: charts on disk and embedded, the ledger, the input warning, the CSV. */
class HealthSectionTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final ChannelStats RAW = new ChannelStats(new double[] {0.76, 0.54, 0.56}, new double[] {0.14, 0.15, 0.17});
    private static final ChannelStats IMAGENET_NORMALISED =
            new ChannelStats(new double[] {1.21, 0.37, 0.69}, new double[] {0.60, 0.69, 0.75});

    /** A BatchNorm model's figures for three epochs: two conv layers with BN, a linear head, two ReLUs. */
    static ExperimentHealth bnModel(ChannelStats train, ChannelStats val) {
        List<HealthRow> rows = new ArrayList<>();
        for (int e = 0; e < 3; e++) {
            double decay = Math.pow(0.5, e);
            rows.add(HealthRow.tensor(e, "features.0.weight", 0.8 * decay, 0.05 * decay, Double.NaN));
            rows.add(HealthRow.tensor(e, "features.0.bias", 0.1, 0.02, Double.NaN));
            rows.add(HealthRow.tensor(e, "features.1.weight", 0.2, 0.01, Double.NaN));
            rows.add(HealthRow.tensor(e, "features.1.running_mean", Double.NaN, Double.NaN, 0.3 * decay));
            rows.add(HealthRow.tensor(e, "features.1.running_var", Double.NaN, Double.NaN, 0.2 * decay));
            rows.add(HealthRow.tensor(e, "features.4.weight", 0.3, 0.0, Double.NaN)); // frozen: 0 on a log axis
            rows.add(HealthRow.tensor(e, "features.5.running_mean", Double.NaN, Double.NaN, 0.1));
            rows.add(HealthRow.tensor(e, "features.5.running_var", Double.NaN, Double.NaN, 0.1));
            rows.add(HealthRow.tensor(e, "classifier.1.weight", 0.9, 0.1, Double.NaN));
            rows.add(HealthRow.relu(e, "features.2", 0.4 + 0.1 * e, 0.3));
            rows.add(HealthRow.relu(e, "features.6", 0.9, 0.05));
        }
        List<SavedForBackward.Layer> layers = List.of(new SavedForBackward.Layer("features.0", List.of("Conv2d"), 301_056L),
                new SavedForBackward.Layer("features.1", List.of("BatchNorm2d"), 3_211_264L),
                new SavedForBackward.Layer("classifier.1", List.of("Matmul", "Add"), 16_384L));
        return new ExperimentHealth("08", "BatchNorm <bn>", rows, train, val,
                new SavedForBackward(32, layers, 3_528_704L, 3_000_000L));
    }

    @Test
    void chartsAreWrittenAsPngsAndEmbedded(@TempDir Path dir) throws Exception {
        ReportSection section = HealthSection.of(bnModel(RAW, RAW), dir);
        assertEquals("Training health: exp 08", section.title());
        for (String kind : List.of("grad-norm", "update-ratio", "dead-relu", "relu-rms", "bn-drift")) {
            Path png = HealthCharts.file(dir, "08", kind);
            assertTrue(Files.isRegularFile(png), kind);
            byte[] bytes = Files.readAllBytes(png);
            assertArrayEquals(PNG_SIGNATURE, java.util.Arrays.copyOf(bytes, 8), kind + " starts like a PNG");
            BufferedImage img = ImageIO.read(png.toFile());
            assertNotNull(img, kind + " decodes");
            assertEquals(HealthCharts.WIDTH, img.getWidth());
            assertEquals(HealthCharts.HEIGHT, img.getHeight());
            assertTrue(distinctColours(img) > 8, kind + " has lines and labels, not a blank canvas");
        }
        Matcher m = Pattern.compile("data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(section.html());
        int embedded = 0;
        while (m.find()) {
            assertNotNull(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1)))));
            embedded++;
        }
        assertEquals(5, embedded);
    }

    @Test
    void modelWithoutBatchNormHasNoDriftChart(@TempDir Path dir) {
        List<HealthRow> rows = bnModel(null, null).rows().stream().filter(r -> !r.part().startsWith("running")).toList();
        ExperimentHealth noBn = new ExperimentHealth("07", "no BN", rows, null, null, null);
        List<ChartImage> charts = HealthCharts.render(noBn, dir);
        assertEquals(List.of("Gradient norm per layer", "Update / weight ratio per layer", "Dead-ReLU fraction per layer",
                        "Signal scale per layer"),
                charts.stream().map(ChartImage::title).toList());
        assertFalse(Files.exists(HealthCharts.file(dir, "07", "bn-drift")));
    }

    @Test
    void ledgerListsEveryLayerAndThePeak(@TempDir Path dir) {
        String html = HealthSection.of(bnModel(RAW, RAW), dir).html();
        assertTrue(html.contains("Saved for backward in one training step (batch 32): peak <b>2.9 MiB</b>"), html);
        int f0 = html.indexOf("<td>features.0</td><td class=\"ops\">Conv2d</td><td>294.0 KiB</td>");
        int f1 = html.indexOf("<td>features.1</td><td class=\"ops\">BatchNorm2d</td><td>3.1 MiB</td>");
        int fc = html.indexOf("<td>classifier.1</td><td class=\"ops\">Matmul, Add</td><td>16.0 KiB</td>");
        assertTrue(f0 > 0 && f1 > f0 && fc > f1, "layers in forward order with their bytes");
        assertTrue(html.contains("width:100.0%") && html.contains("width:9.4%"), "bars relative to the largest layer");
        assertTrue(html.contains("<td colspan=\"2\">sum over ops</td><td>3.4 MiB</td>"));
        assertTrue(html.contains("BatchNorm &lt;bn&gt;"), "names are escaped");
    }

    @Test
    void mismatchedInputsAreFlagged(@TempDir Path dir) {
        String same = HealthSection.of(bnModel(RAW, RAW), dir).html();
        assertFalse(same.contains("class=\"warn\""));
        assertTrue(same.contains("<td>training batches (last epoch)</td><td>0.760, 0.540, 0.560</td>"));
        String mismatched = HealthSection.of(bnModel(IMAGENET_NORMALISED, RAW), dir).html();
        assertTrue(mismatched.contains("<p class=\"warn\"><b>Training and validation inputs differ.</b>"));
        assertTrue(mismatched.contains("up to 3.2 validation standard deviations"), "(1.21 - 0.76) / 0.14 = 3.2");
    }

    @Test
    void channelStatsMismatchRules() {
        assertEquals(0.0, RAW.meanShiftInStds(RAW));
        assertEquals(1.0, RAW.stdRatio(RAW));
        ChannelStats jittered = new ChannelStats(new double[] {0.74, 0.55, 0.57}, new double[] {0.16, 0.16, 0.18});
        assertFalse(jittered.mismatches(RAW), "colour jitter moves the statistics a little");
        assertTrue(IMAGENET_NORMALISED.mismatches(RAW));
        ChannelStats wider = new ChannelStats(RAW.mean(), new double[] {0.30, 0.15, 0.17});
        assertEquals(0.30 / 0.14, wider.stdRatio(RAW), 1e-12);
        assertTrue(wider.mismatches(RAW), "same means, one channel over twice as spread");
    }

    @Test
    void sectionLandsInReportHtml(@TempDir Path dir) throws Exception {
        PublishedResults published = PublishedResults.loadDefault();
        ChallengeReport report = new ChallengeReport(dir, published,
                Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC));
        report.addSection(HealthSection.of(bnModel(IMAGENET_NORMALISED, RAW), dir));
        report.record(SyntheticResults.all(published, 7).runs().get(7));
        String html = Files.readString(dir.resolve(HtmlReport.FILE));
        int at = html.indexOf("<section class=\"extra\">\n<h2>Training health: exp 08</h2>");
        assertTrue(at > 0, "the section is in report.html");
        String section = html.substring(at);
        assertEquals(5, count(section, "src=\"data:image/png;base64,"), "the five health charts are embedded");
        assertTrue(section.contains("Saved for backward in one training step"));
        assertTrue(html.contains(".hgrid{"), "the chart grid is styled");
        assertFalse(html.contains("src=\"http"), "self-contained");
    }

    @Test
    void csvHasOneLinePerRowWithEmptyCellsForMissingFigures() {
        String[] lines = bnModel(RAW, RAW).toCsv().split("\n");
        assertEquals(ExperimentHealth.CSV_HEADER, lines[0]);
        assertEquals(1 + 33, lines.length);
        assertEquals("1,features.0.weight,0.8000,0.05000,,,", lines[1]);
        assertEquals("3,features.6 (ReLU),,,,0.9000,0.05000", lines[33]);
    }

    private static int distinctColours(BufferedImage img) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y));
            }
        }
        return colours.size();
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }
}
