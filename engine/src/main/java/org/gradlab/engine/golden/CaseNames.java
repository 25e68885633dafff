package org.gradlab.engine.golden;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Window parameters written into fixture case names ({@code k3s2p1_bias}, {@code avg_k2s2_odd},
 * {@code dw_k3s1p1}): kernel, stride, padding (0 when absent). {@code meta.*} keys, when a fixture
 * has them, take precedence.
 */
final class CaseNames {
    private static final Pattern WINDOW = Pattern.compile("k(\\d+)s(\\d+)(?:p(\\d+))?");

    private CaseNames() {}

    /** {kernel, stride, padding}. */
    static int[] window(CaseData d) {
        Matcher m = WINDOW.matcher(d.caseName());
        if (!m.find()) {
            throw new IllegalArgumentException("case name '" + d.caseName() + "' holds no kNsN[pN] window and no meta keys");
        }
        int k = (int) d.meta("kernel_size", Integer.parseInt(m.group(1)));
        int s = (int) d.meta("stride", Integer.parseInt(m.group(2)));
        int p = (int) d.meta("padding", m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
        return new int[] {k, s, p};
    }
}
