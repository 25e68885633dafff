package org.gradlab.challenge.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A study's {@code published} CSV: a header with at least {@code id} and {@code auc}, one row per experiment
 * (other columns are ignored, an empty auc means "not published").
 */
public final class PublishedAuc {
    private PublishedAuc() {}

    /** AUC by experiment id; empty for a null path. */
    public static Map<String, Double> read(Path csv) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (csv == null) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read published figures " + csv, e);
        }
        int idCol = -1;
        int aucCol = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> cells = Csv.parseLine(line);
            if (idCol < 0) {
                idCol = cells.indexOf("id");
                aucCol = cells.indexOf("auc");
                if (idCol < 0 || aucCol < 0) {
                    throw new IllegalStateException(csv + " line " + (i + 1) + ": header " + cells + " lacks 'id' and 'auc'");
                }
                continue;
            }
            if (cells.size() <= Math.max(idCol, aucCol)) {
                throw new IllegalStateException(csv + " line " + (i + 1) + ": " + cells.size() + " cells, expected at least "
                        + (Math.max(idCol, aucCol) + 1));
            }
            String auc = cells.get(aucCol);
            try {
                out.put(cells.get(idCol), auc.isEmpty() ? null : Double.valueOf(auc));
            } catch (NumberFormatException e) {
                throw new IllegalStateException(csv + " line " + (i + 1) + ": auc '" + auc + "' is not a number");
            }
        }
        return out;
    }
}
