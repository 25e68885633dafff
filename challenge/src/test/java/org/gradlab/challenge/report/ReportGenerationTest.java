package org.gradlab.challenge.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportGenerationTest {
    private static final PublishedResults PUBLISHED = PublishedResults.loadDefault();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);

    @Test
    void fullReportFrom25SyntheticRuns(@TempDir Path dir) throws Exception {
        ResultsFile all = SyntheticResults.all(PUBLISHED, 42);
        ChallengeReport report = new ChallengeReport(dir, PUBLISHED, CLOCK);
        report.addSection(new ReportSection("Training health <beta>", "<p id=\"health\">all finite</p>"));
        // the first 24 as if recorded earlier, the last one through the per-experiment entry point
        report.store().save(new ResultsFile(all.runs().subList(0, 24)));
        report.record(all.runs().get(24));
        String html = Files.readString(dir.resolve(HtmlReport.FILE));
        for (RunResult r : all.runs()) {
            assertTrue(html.contains("id=\"exp-" + r.id() + "\""), r.id());
        }
        assertEquals(7, count(html, "data:image/png;base64,"));
        assertTrue(html.contains("The clinical lesson"));
        assertTrue(html.contains("<details>"));
        assertTrue(html.contains("no pretrained weights"), "24 and 25 trained without pretrained weights");
        assertTrue(html.contains("trained from random init: ImageNet weights unavailable"));
        assertTrue(html.contains("Training health &lt;beta&gt;"));
        assertTrue(html.contains("<p id=\"health\">all finite</p>"));
        assertTrue(html.contains("+ Normalize (gotcha)"));
        assertTrue(html.contains("2026-01-02 03:04 UTC"));
        assertFalse(html.contains("src=\"http"), "self-contained");
        assertFalse(html.contains("href=\"http"), "self-contained");

        Matcher m = Pattern.compile("data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
        int images = 0;
        while (m.find()) {
            BufferedImage img = ImageIO.read(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
            assertNotNull(img);
            assertTrue(img.getWidth() >= 600 && img.getWidth() <= 2000, "width " + img.getWidth());
            assertTrue(img.getHeight() >= 300 && img.getHeight() <= 2000, "height " + img.getHeight());
            images++;
        }
        assertEquals(7, images);
        try (Stream<Path> pngs = Files.list(dir.resolve(Charts.FOLDER))) {
            List<Path> files = pngs.toList();
            assertEquals(7, files.size());
            for (Path p : files) {
                assertTrue(p.toString().endsWith(".png"), p.toString());
                assertNotNull(ImageIO.read(p.toFile()), p.toString());
            }
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.toString().endsWith(AtomicFiles.TEMP_SUFFIX)));
        }
        assertEquals(25, report.store().load().runs().size());
        // GRADLAB_REPORT_COPY=<folder> keeps a copy of the synthetic report for a visual check in a browser
        String copyTo = System.getenv("GRADLAB_REPORT_COPY");
        if (copyTo != null && !copyTo.isBlank()) {
            Path copy = Path.of(copyTo);
            Files.createDirectories(copy);
            for (String name : List.of(HtmlReport.FILE, ResultsStore.JSON, ResultsStore.CSV)) {
                Files.copy(dir.resolve(name), copy.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Files.createDirectories(copy.resolve(Charts.FOLDER));
            try (Stream<Path> pngs = Files.list(dir.resolve(Charts.FOLDER))) {
                for (Path p : pngs.toList()) {
                    Files.copy(p, copy.resolve(Charts.FOLDER).resolve(p.getFileName()),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    @Test
    void reportAfterTheFirstExperimentOnly(@TempDir Path dir) throws Exception {
        ChallengeReport report = new ChallengeReport(dir, PUBLISHED, CLOCK);
        report.record(SyntheticResults.run(PUBLISHED.get("01").orElseThrow(), new Random(1)));
        String html = Files.readString(dir.resolve(HtmlReport.FILE));
        assertTrue(html.contains("id=\"exp-01\""));
        assertTrue(count(html, "data:image/png;base64,") >= 5);
        assertTrue(Files.exists(dir.resolve(ResultsStore.JSON)));
        assertTrue(Files.exists(dir.resolve(ResultsStore.CSV)));
    }

    @Test
    void reportWithoutRunsRendersAnEmptyShell(@TempDir Path dir) throws Exception {
        Path file = new ChallengeReport(dir, PUBLISHED, CLOCK).render();
        String html = Files.readString(file);
        assertTrue(html.contains("Results: ours vs published"));
        assertEquals(0, count(html, "data:image/png;base64,"));
    }

    /** A DermaMNIST study other than the 25 experiments: nothing published, so no published columns and no ±0.03 line. */
    @Test
    void aStudyWithNothingPublishedShowsOnlyItsOwnFigures(@TempDir Path dir) throws Exception {
        ResultsFile all = SyntheticResults.all(PUBLISHED, 42);
        String table = ResultsTable.render(all, PublishedResults.none());
        String[] lines = table.split("\\R");
        assertEquals(1 + 1 + 25, lines.length, "no tolerance line: " + lines[lines.length - 1]);
        assertFalse(table.contains("within"), table);
        assertFalse(lines[0].contains("pub") || lines[0].contains("ΔAUC"), lines[0]);
        assertTrue(lines[0].matches(" #  experiment +AUC +mel +cancer +acc +params +train s +notes"), lines[0]);
        ChallengeReport report = new ChallengeReport(dir, PublishedResults.none(), CLOCK);
        report.store().save(new ResultsFile(all.runs().subList(0, 3)));
        String html = Files.readString(report.render());
        assertFalse(html.contains("AUC within"), "no tolerance card");
        assertFalse(html.contains("Results: ours vs published") || html.contains("<th class=\"pub\">"), "no published columns");
        assertFalse(html.contains("Beat the Baseline —"), "not titled as the 25-experiment study");
        assertTrue(html.contains("Nothing published to compare with") && html.contains("<h2>Results</h2>"));
        assertTrue(html.contains("id=\"exp-03\""));
        assertFalse(html.contains("Progression arc 01 → 25"));
    }

    @Test
    void textIsEscaped(@TempDir Path dir) throws Exception {
        RunResult base = SyntheticResults.run(PUBLISHED.get("02").orElseThrow(), new Random(3));
        RunResult evil = new RunResult("02", "<script>alert('x')</script> & co", 2, "cpu\"", 1, 5, 10, 1, null, null,
                "<b>note</b>", base.val(), null);
        ChallengeReport report = new ChallengeReport(dir, PUBLISHED, CLOCK);
        report.record(evil);
        String html = Files.readString(dir.resolve(HtmlReport.FILE));
        assertFalse(html.contains("<script>"));
        assertFalse(html.contains("<b>note</b>"));
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"));
    }

    @Test
    void consoleTableListsOursBesidePublished() {
        ResultsFile all = SyntheticResults.all(PUBLISHED, 42);
        String table = ResultsTable.render(all, PUBLISHED);
        String[] lines = table.split("\\R");
        assertEquals(1 + 1 + 25 + 1, lines.length);
        assertTrue(lines[0].startsWith(" #  experiment"), lines[0]);
        assertTrue(lines[2].startsWith("01  Baseline"), lines[2]);
        assertTrue(lines[2].contains("0.822"));
        assertTrue(lines[lines.length - 1].matches("\\d+ of 22 experiments 01-22 within ±0.03 of the published AUC"),
                lines[lines.length - 1]);
        // fixed width: the AUC column lines up on every row
        int col = lines[0].indexOf("AUC") + 3;
        for (int i = 2; i < lines.length - 1; i++) {
            assertTrue(Character.isDigit(lines[i].charAt(col - 1)), lines[i]);
        }
    }

    @Test
    void withinToleranceCountsOnlyCustomExperiments() {
        ResultsFile all = SyntheticResults.all(PUBLISHED, 42);
        long within = Comparison.withinTolerance(all, PUBLISHED);
        long expected = all.runs().stream().filter(r -> r.number() <= 22)
                .filter(r -> Math.abs(r.val().auc() - PUBLISHED.get(r.id()).orElseThrow().auc()) <= 0.03).count();
        assertEquals(expected, within);
        assertEquals(22, Comparison.comparableCustom(all, PUBLISHED));
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
