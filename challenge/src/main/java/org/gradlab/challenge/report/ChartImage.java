package org.gradlab.challenge.report;

import java.nio.file.Path;

/**
 * A rendered chart.
 *
 * @param file    the PNG file
 * @param title   chart title
 * @param caption what the chart shows and how to read it
 */
public record ChartImage(Path file, String title, String caption) {
}
