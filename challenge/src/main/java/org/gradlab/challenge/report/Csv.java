package org.gradlab.challenge.report;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * RFC 4180 CSV through Apache Commons CSV: quoting (commas, quotes, line breaks inside a cell) on
 * writing, the same on reading, '\n' line ends, '#' comment lines and blank lines skipped, cells
 * trimmed.
 */
final class Csv {
    private static final CSVFormat WRITE = CSVFormat.RFC4180.builder().setRecordSeparator('\n').get();
    private static final CSVFormat READ = CSVFormat.RFC4180.builder().setCommentMarker('#').setIgnoreEmptyLines(true)
            .setIgnoreSurroundingSpaces(true).setTrim(true).get();

    private Csv() {
    }

    /** One parsed record: its cells and the 1-based line it starts on. */
    record Row(List<String> cells, long line) {}

    /** A header line and one line per row, each cell quoted where it must be (null writes an empty cell). */
    static String write(List<String> header, List<List<String>> rows) {
        StringBuilder out = new StringBuilder();
        try (CSVPrinter printer = new CSVPrinter(out, WRITE)) {
            printer.printRecord(header);
            for (List<String> row : rows) {
                printer.printRecord(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringBuilder does not fail
        }
        return out.toString();
    }

    /** Every record of {@code text}, the header included; a malformed text (e.g. an unterminated quote) is an IllegalArgumentException. */
    static List<Row> read(String text) {
        List<Row> rows = new ArrayList<>();
        try (CSVParser parser = CSVParser.builder().setReader(new StringReader(text)).setFormat(READ).get()) {
            long line = 1;
            for (CSVRecord r : parser) {
                List<String> cells = new ArrayList<>(r.size());
                r.forEach(cells::add);
                rows.add(new Row(cells, line));
                line = parser.getCurrentLineNumber() + 1;
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("malformed CSV: " + e.getMessage(), e);
        }
        return rows;
    }

    /** The cells of a one-record text. */
    static List<String> parseLine(String line) {
        List<Row> rows = read(line);
        if (rows.size() != 1) {
            throw new IllegalArgumentException("expected one CSV record, got " + rows.size() + ": " + line);
        }
        return rows.get(0).cells();
    }
}
