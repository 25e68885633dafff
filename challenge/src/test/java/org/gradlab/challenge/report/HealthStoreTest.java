package org.gradlab.challenge.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The health files: exact round trip through the JSON, the CSV-only fallback, damaged files. */
class HealthStoreTest {
    private static final ChannelStats TRAIN = new ChannelStats(new double[] {1.21, 0.37, 0.69}, new double[] {0.6, 0.69, 0.75});
    private static final ChannelStats VAL = new ChannelStats(new double[] {0.76, 0.54, 0.56}, new double[] {0.14, 0.15, 0.17});

    @Test
    void jsonGivesBackExactlyWhatWasSaved(@TempDir Path dir) throws Exception {
        ExperimentHealth h = HealthSectionTest.bnModel(TRAIN, VAL);
        HealthStore.save(dir, h);
        assertEquals(h, HealthStore.load(dir, "08", "ignored").orElseThrow());
        assertEquals(h.toCsv(), Files.readString(HealthStore.csvPath(dir, "08")));
        String json = Files.readString(HealthStore.jsonPath(dir, "08"));
        assertTrue(json.contains("\"train_inputs\"") && json.contains("\"peak_bytes\" : 3000000")
                && json.contains("\"tensor\" : \"features.2 (ReLU)\""), json);
        assertFalse(json.contains("NaN"), "figures that do not apply are left out, not written as NaN");
        try (Stream<Path> files = Files.list(dir.resolve(HealthStore.FOLDER))) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(AtomicFiles.TEMP_SUFFIX)), "no temporary file left");
        }
        assertEquals(HealthSection.of(h, dir).html(), HealthSection.of(HealthStore.load(dir, "08", "").orElseThrow(), dir).html(),
                "the reloaded section is the section");
    }

    @Test
    void withoutInputsOrLedgerTheJsonStillRoundTrips(@TempDir Path dir) throws Exception {
        ExperimentHealth h = new ExperimentHealth("01", "Baseline", HealthSectionTest.bnModel(VAL, VAL).rows(), null, null, null);
        HealthStore.save(dir, h);
        assertEquals(h, HealthStore.load(dir, "01", "Baseline").orElseThrow());
    }

    @Test
    void aCsvWithoutJsonGivesTheRowsOnly(@TempDir Path dir) throws Exception {
        ExperimentHealth h = HealthSectionTest.bnModel(TRAIN, VAL);
        HealthStore.save(dir, h);
        Files.delete(HealthStore.jsonPath(dir, "08"));
        ExperimentHealth fromCsv = HealthStore.load(dir, "08", "BatchNorm").orElseThrow();
        assertEquals("BatchNorm", fromCsv.name());
        assertNull(fromCsv.trainInputs());
        assertNull(fromCsv.saved());
        assertEquals(h.rows().size(), fromCsv.rows().size());
        assertEquals(h.toCsv(), fromCsv.toCsv(), "the CSV's 4 significant digits come back as written");
        HealthRow relu = fromCsv.rows().get(fromCsv.rows().size() - 1);
        assertEquals(2, relu.epoch());
        assertEquals("features.6 (ReLU)", relu.name());
        assertTrue(Double.isNaN(relu.gradNorm()));
    }

    @Test
    void noFilesMeansNoHealth(@TempDir Path dir) {
        assertTrue(HealthStore.load(dir, "05", "x").isEmpty());
    }

    @Test
    void damagedFilesAreClearErrors(@TempDir Path dir) throws Exception {
        HealthStore.save(dir, HealthSectionTest.bnModel(TRAIN, VAL));
        Files.writeString(HealthStore.jsonPath(dir, "08"), "{\"id\": \"08\", \"rows\": [");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> HealthStore.load(dir, "08", ""));
        assertTrue(e.getMessage().contains("08.json"), e.getMessage());

        Files.writeString(HealthStore.jsonPath(dir, "08"), "{\"id\": \"08\", \"name\": \"BatchNorm\"}");
        e = assertThrows(IllegalStateException.class, () -> HealthStore.load(dir, "08", ""));
        assertTrue(e.getMessage().contains("rows missing"), e.getMessage());

        Files.delete(HealthStore.jsonPath(dir, "08"));
        Files.write(HealthStore.csvPath(dir, "08"), List.of("epoch,loss", "1,0.5"));
        e = assertThrows(IllegalStateException.class, () -> HealthStore.load(dir, "08", ""));
        assertTrue(e.getMessage().contains("08.csv"), e.getMessage());
    }
}
