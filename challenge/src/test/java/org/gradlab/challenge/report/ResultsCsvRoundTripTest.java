package org.gradlab.challenge.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What GradLab writes as CSV it reads back, whatever a cell holds (named Results* to run with the report tests). */
class ResultsCsvRoundTripTest {
    @Test
    void cellsWithLineBreaksCommasAndQuotesComeBack() {
        List<String> awkward = List.of("layer\nwith a break", "a, b", "say \"hi\"", "", "  padded  ".strip(), "crlf\r\nend");
        String text = Csv.write(List.of("a", "b", "c", "d", "e", "f"), List.of(awkward, List.of("1", "2", "3", "4", "5", "6")));
        List<Csv.Row> rows = Csv.read(text);
        assertEquals(3, rows.size(), text);
        assertEquals(awkward, rows.get(1).cells());
        assertEquals(List.of("1", "2", "3", "4", "5", "6"), rows.get(2).cells());
        assertEquals(5, rows.get(2).line(), "the third record starts on line 5: the first cell's and the last cell's breaks count");
    }

    @Test
    void healthCsvWithALineBreakInATensorNameReadsBack() {
        ExperimentHealth h = new ExperimentHealth("08", "BN", List.of(
                new HealthRow(0, "features.0\n(odd, \"name\")", 0.5, 1e-3, Double.NaN, Double.NaN, Double.NaN),
                new HealthRow(1, "classifier.1.weight", 0.25, 2e-3, Double.NaN, 0.1, 0.9)), null, null, null);
        List<HealthRow> back = HealthStore.fromCsv(h.toCsv());
        assertEquals(h.rows().get(0).name(), back.get(0).name());
        assertEquals(h.toCsv(), new ExperimentHealth("08", "BN", back, null, null, null).toCsv());
    }

    @Test
    void unterminatedQuoteIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Csv.read("a,b\n\"open,2\n"));
    }
}
