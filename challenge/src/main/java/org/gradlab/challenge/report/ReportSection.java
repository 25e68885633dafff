package org.gradlab.challenge.report;

import java.util.Objects;

/**
 * An extra section that another module contributes to {@code report.html}, e.g. a training-health report.
 *
 * @param title plain-text title; it is escaped by the report
 * @param html  trusted, self-contained HTML body inserted as is (no external resources)
 */
public record ReportSection(String title, String html) {
    /** Validates both parts are present. */
    public ReportSection {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(html, "html");
    }
}
