package org.gradlab.challenge.run;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gradlab.challenge.study.Study;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LrRangeTestTest {
    @Test
    void learningRateGrowsExponentiallyFromMinToMax() {
        assertEquals(1e-6, LrRangeTest.lrAt(0, 5, 1e-6, 1e-2), 1e-20);
        assertEquals(1e-5, LrRangeTest.lrAt(1, 5, 1e-6, 1e-2), 1e-18);
        assertEquals(1e-4, LrRangeTest.lrAt(2, 5, 1e-6, 1e-2), 1e-17);
        assertEquals(1e-2, LrRangeTest.lrAt(4, 5, 1e-6, 1e-2), 1e-15);
    }

    @Test
    void suggestsTheSteepestDescentBeforeTheMinimum() {
        // flat, then falling fastest around lr 1e-3, bottom at 1e-2, then rising
        double[] lr = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1};
        double[] loss = {2.0, 2.0, 1.9, 1.2, 0.9, 1.5, 5.0};
        List<LrRangeTest.Point> pts = new ArrayList<>();
        for (int i = 0; i < lr.length; i++) {
            pts.add(new LrRangeTest.Point(lr[i], loss[i], loss[i]));
        }
        // slopes (central, per log-decade x ln10): at 1e-5 -0.1, at 1e-4 -0.8, at 1e-3 -1.0
        assertEquals(1e-3, LrRangeTest.suggest(pts));
        List<LrRangeTest.Point> rising = List.of(new LrRangeTest.Point(1e-3, 1, 1), new LrRangeTest.Point(1e-2, 2, 2));
        assertEquals(1e-3, LrRangeTest.suggest(rising), "no descent: the minimum's lr");
    }

    @Test
    void onePassWritesTheCurveAndASuggestion(@TempDir Path dir) throws Exception {
        ClinicalStudyTest.tinyData(dir);
        Study s = ClinicalStudyTest.parse("name: tiny\ndataset: {file: tiny.npz}\n"
                + "defaults: {optimizer: {name: adam}, batch: 4}\nexperiments:\n  - {id: a}\n", dir);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertEquals(0, LrFinder.run(s, s.get("a"), null, null, "cpu", 1, null, 1e-5, 1.0, dir.resolve("out"),
                new PrintStream(log, true, StandardCharsets.UTF_8)));
        List<String> csv = Files.readAllLines(dir.resolve("out/lr-find-a.csv"));
        assertEquals("step,lr,loss,smoothed_loss", csv.get(0));
        assertTrue(csv.size() > 5 && csv.size() <= 21, "at most one pass of 80 / 4 = 20 steps: " + csv.size());
        assertEquals(1e-5, Double.parseDouble(csv.get(1).split(",")[1]), 1e-18);
        assertTrue(Files.size(dir.resolve("out/lr-find-a.png")) > 1000);
        assertTrue(log.toString().contains("suggested lr"), log.toString());
    }
}
