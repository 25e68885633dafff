package org.gradlab.engine.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HugePagesTest {
    private static final String MADVISE = "always [madvise] never\n";

    @Test
    void theKernelsModeIsTheBracketedWord() {
        assertEquals("madvise", HugePages.thpMode(MADVISE));
        assertEquals("never", HugePages.thpMode("always madvise [never]"));
        assertEquals(null, HugePages.thpMode(null));
    }

    @Test
    void anonHugePagesAreReadFromSmapsRollup() {
        String rollup = "Rss:              389012 kB\nAnonHugePages:     65536 kB\nShmemPmdMapped:        0 kB\n";
        assertEquals(65536, HugePages.anonHugeKb(rollup));
        assertEquals(-1, HugePages.anonHugeKb("Rss: 1 kB\n"));
        assertEquals(-1, HugePages.anonHugeKb(null));
    }

    @Test
    void theTunableAmongOthersCountsAsAskedFor() {
        String line = HugePages.describe("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1", MADVISE, 65536);
        assertTrue(line.startsWith("Huge pages: asked for (glibc.malloc.hugetlb=1), THP mode madvise"), line);
        assertTrue(line.endsWith("this process: 64 MiB on huge pages"), line);
    }

    @Test
    void withoutTheTunableMadviseGivesNone() {
        String line = HugePages.describe("glibc.malloc.hugetlb=0", MADVISE, 0);
        assertTrue(line.startsWith("Huge pages: off: GLIBC_TUNABLES lacks glibc.malloc.hugetlb=1"), line);
        assertTrue(HugePages.describe(null, MADVISE, -1).startsWith("Huge pages: off: "));
    }

    @Test
    void askedForButNoneGotNamesTheLikelyCause() {
        assertTrue(HugePages.describe("glibc.malloc.hugetlb=1", MADVISE, 0).endsWith("(glibc older than 2.35 ignores the tunable)"));
        assertTrue(HugePages.describe(null, "[always] madvise never", 2048).startsWith("Huge pages: THP always, THP mode always"));
    }

    @Test
    void aKernelThatRefusesOrLacksThemIsNamed() {
        assertTrue(HugePages.describe("glibc.malloc.hugetlb=1", "always madvise [never]", 0).startsWith("Huge pages: off: the kernel's THP mode is never"));
        assertTrue(HugePages.describe("glibc.malloc.hugetlb=1", null, -1).startsWith("Huge pages: no transparent huge pages here"));
    }
}
