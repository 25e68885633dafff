package org.gradlab.engine.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether the tensors' memory sits on transparent huge pages, for {@code ./gradlab doctor}. Three
 * things decide it: glibc's tunable {@code glibc.malloc.hugetlb=1} in {@code GLIBC_TUNABLES} (the
 * launchers export it unless {@code GRADLAB_HUGEPAGES=0}; glibc reads it once, at start), the
 * kernel's THP mode ({@code always} or {@code madvise}; {@code never} refuses), and glibc 2.35 or
 * newer. The last one shows only in what the process got: its {@code AnonHugePages}.
 */
public final class HugePages {
    private HugePages() {
    }

    private static final Pattern BRACKETED = Pattern.compile("\\[(\\w+)]");

    /** The tunable that asks glibc's malloc for huge pages (madvise on what it maps). */
    static final String TUNABLE = "glibc.malloc.hugetlb=1";

    /**
     * One line: asked for or not, the kernel's mode, and how much of the process is on huge pages.
     * {@code tunables}: GLIBC_TUNABLES (null: unset); {@code thpEnabled}: the content of
     * /sys/kernel/mm/transparent_hugepage/enabled (null: absent, e.g. not Linux);
     * {@code anonHugeKb}: AnonHugePages of this process in kB (negative: unknown).
     */
    static String describe(String tunables, String thpEnabled, long anonHugeKb) {
        boolean asked = tunables != null && List.of(tunables.split(":")).contains(TUNABLE);
        String mode = thpMode(thpEnabled);
        String got = anonHugeKb < 0 ? "" : String.format("; this process: %d MiB on huge pages", anonHugeKb >> 10);
        if (mode == null) {
            return "Huge pages: no transparent huge pages here (no /sys/kernel/mm/transparent_hugepage/enabled)";
        }
        if (mode.equals("never")) {
            return "Huge pages: off: the kernel's THP mode is never (echo madvise > /sys/kernel/mm/transparent_hugepage/enabled turns it on)" + got;
        }
        if (!asked && !mode.equals("always")) {
            return "Huge pages: off: GLIBC_TUNABLES lacks " + TUNABLE + " (./gradlab exports it unless GRADLAB_HUGEPAGES=0); THP mode "
                    + mode + got;
        }
        return "Huge pages: " + (asked ? "asked for (" + TUNABLE + ")" : "THP always") + ", THP mode " + mode + got
                + (asked && anonHugeKb == 0 ? " (glibc older than 2.35 ignores the tunable)" : "");
    }

    /** The bracketed word of the kernel's THP setting ("always [madvise] never" → "madvise"), or null. */
    static String thpMode(String thpEnabled) {
        if (thpEnabled == null) {
            return null;
        }
        Matcher m = BRACKETED.matcher(thpEnabled);
        return m.find() ? m.group(1) : thpEnabled.trim();
    }

    /** This machine's line; call it after some tensor memory exists, so AnonHugePages has something to show. */
    static String report() {
        return describe(System.getenv("GLIBC_TUNABLES"), read(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")),
                anonHugeKb(read(Path.of("/proc/self/smaps_rollup"))));
    }

    /** AnonHugePages in kB from /proc/self/smaps_rollup's text, or −1. */
    static long anonHugeKb(String smapsRollup) {
        if (smapsRollup != null) {
            Matcher m = Pattern.compile("(?m)^AnonHugePages:\\s+(\\d+) kB").matcher(smapsRollup);
            if (m.find()) {
                return Long.parseLong(m.group(1));
            }
        }
        return -1;
    }

    private static String read(Path p) {
        try {
            return Files.isReadable(p) ? Files.readString(p) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
