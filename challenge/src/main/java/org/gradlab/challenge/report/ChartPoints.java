package org.gradlab.challenge.report;

import java.util.ArrayList;
import java.util.List;

/** Labelled points of a scatter or line series; a point missing either coordinate is left out. */
final class ChartPoints {
    final List<Double> xs = new ArrayList<>();
    final List<Double> ys = new ArrayList<>();
    final List<String> labels = new ArrayList<>();

    void add(String label, Double x, Double y) {
        if (Fmt.present(x) && Fmt.present(y)) {
            xs.add(x);
            ys.add(y);
            labels.add(label);
        }
    }

    int size() {
        return xs.size();
    }
}
