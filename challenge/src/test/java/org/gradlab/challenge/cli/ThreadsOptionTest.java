package org.gradlab.challenge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.gradlab.engine.backend.cpu.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --threads N} sets the CPU kernels' thread count before the command runs; a bad N is one clear line. */
class ThreadsOptionTest {
    private final int saved = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    @Test
    void challengeTakesTheThreadCount() {
        Parallel.setThreads(1);
        CommandLine cl = GradLab.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.parseArgs("challenge", "--threads", "3", "--list");
        assertEquals(3, Parallel.threads());
    }

    @Test
    void zeroThreadsIsRefusedWithOneLine() {
        CommandLine cl = GradLab.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("challenge", "--threads", "0", "--list");
        assertEquals(2, code);
        assertTrue(err.toString().startsWith("--threads must be a whole number of at least 1, got 0"), err.toString());
        assertEquals(saved, Parallel.threads());
    }
}
