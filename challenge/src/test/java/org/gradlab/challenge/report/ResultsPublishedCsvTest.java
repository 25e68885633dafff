package org.gradlab.challenge.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing of the shared published-results.csv (named Results* to run with the report test selection). */
class ResultsPublishedCsvTest {

    @Test
    void parsesThe25PublishedExperiments() {
        PublishedResults p = PublishedResults.loadDefault();
        assertEquals(25, p.size());
        PublishedRun r01 = p.get("01").orElseThrow();
        assertEquals("Baseline", r01.name());
        assertEquals(1, r01.chapter());
        assertEquals(0.822, r01.auc(), 1e-12);
        assertEquals(6887L, r01.params());
        assertEquals(8.3, r01.trainSeconds(), 1e-12);
        PublishedRun r02 = p.get("02").orElseThrow();
        assertEquals(0.690, r02.accuracy(), 1e-12);
        assertNull(r02.params(), "empty cell = not published");
        assertNull(r02.trainSeconds());
        assertNull(p.get("06").orElseThrow().accuracy());
        assertEquals("+ Normalize (gotcha)", p.get("14").orElseThrow().name());
        assertEquals(10, p.get("25").orElseThrow().chapter());
        assertEquals("01", p.all().get(0).id());
    }

    @Test
    void missingFileGivesAClearError(@TempDir Path dir) {
        Path missing = dir.resolve("nope.csv");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PublishedResults.load(missing));
        assertTrue(e.getMessage().contains("nope.csv"), e.getMessage());
    }

    @Test
    void malformedRowNamesFileAndLine(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("p.csv");
        Files.writeString(csv, "id,name,chapter,auc,melanoma_recall,cancer_sensitivity,accuracy,params,train_seconds\n"
                + "01,\"Base, line\",1,0.8,,,,,\n02,x,1,abc,,,,,\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PublishedResults.load(csv));
        assertTrue(e.getMessage().contains("p.csv line 3"), e.getMessage());
    }

    @Test
    void quotedCellsMayHoldCommas(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("p.csv");
        Files.writeString(csv, "id,name,chapter,auc,melanoma_recall,cancer_sensitivity,accuracy,params,train_seconds\n"
                + "01,\"Base, \"\"line\"\"\",1,0.8,,,,,\n");
        assertEquals("Base, \"line\"", PublishedResults.load(csv).get("01").orElseThrow().name());
    }
}
