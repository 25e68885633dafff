package org.gradlab.natives.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#compileAll} (the GPU self-test's first check) leaves out the files listed in
 * {@link Kernels#CALLER_DEFINED} until their code is defined: the list must be exactly the files
 * that stop at an {@code #error} without it, or the self-test would fail on a file it cannot
 * complete, or skip one it can.
 */
class CallerDefinedSourcesTest {
    @Test
    void callerDefinedFilesAreExactlyThoseWithAnErrorGuard() {
        List<String> guarded = Kernels.SOURCES.stream().filter(f -> Kernels.source(f).contains("#error")).toList();
        assertEquals(guarded, Kernels.CALLER_DEFINED);
    }
}
