package org.gradlab.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.gradlab.engine.backend.BinaryFn;
import org.gradlab.engine.backend.UnaryFn;
import org.gradlab.natives.cuda.Kernels;
import org.gradlab.natives.cuda.TensorKernels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend passes {@link UnaryFn}/{@link BinaryFn} ordinals to tensor.cu, whose cases are
 * generated from the enums ({@link FunctionCases}): one case per constant, numbered by ordinal,
 * carrying that constant's formula; and tensor.cu with those cases compiles (with nvcc, where it
 * is on PATH) and refuses to compile without them.
 */
class KernelCodesTest {

    private static List<String> cases(String macro) {
        String defs = FunctionCases.definitions();
        int start = defs.indexOf("#define " + macro);
        assertTrue(start >= 0, macro + " not defined");
        int end = defs.indexOf("\n#define", start + 1);
        String body = defs.substring(start, end < 0 ? defs.length() : end);
        return Pattern.compile("case (\\d+): return \\((.*)\\); /\\* ([A-Z_]+) \\*/").matcher(body).results()
                .map(m -> m.group(1) + " " + m.group(3) + " " + m.group(2)).toList();
    }

    @Test
    void unaryCasesFollowUnaryFn() {
        List<String> c = cases("GL_UNARY_CASES");
        assertEquals(UnaryFn.values().length, c.size());
        for (UnaryFn f : UnaryFn.values()) {
            assertEquals(f.ordinal() + " " + f + " " + f.cuda(), c.get(f.ordinal()));
        }
    }

    @Test
    void binaryCasesFollowBinaryFn() {
        List<String> c = cases("GL_BINARY_CASES");
        assertEquals(BinaryFn.values().length, c.size());
        for (BinaryFn f : BinaryFn.values()) {
            assertEquals(f.ordinal() + " " + f + " " + f.cuda(), c.get(f.ordinal()));
        }
    }

    @Test
    void tensorCuHasNoHandWrittenCasesAndDemandsTheGeneratedOnes() {
        String src = Kernels.source(TensorKernels.FILE);
        assertFalse(Pattern.compile("case \\d+:").matcher(src).find(), "tensor.cu must not number the functions by hand");
        assertTrue(src.contains("#error"), "tensor.cu must refuse to compile without the generated cases");
    }

    @Test
    void tensorCuWithTheGeneratedCasesCompilesWithNvcc() throws Exception {
        Path nvcc = onPath("nvcc");
        Assumptions.assumeTrue(nvcc != null, "nvcc not on PATH: skipping the generated-cases compile check");
        Path dir = Files.createTempDirectory("gradlab-fncases");
        Path cu = dir.resolve("tensor.cu");
        Path ptx = dir.resolve("tensor.ptx");
        try {
            Files.writeString(cu, FunctionCases.definitions() + Kernels.source(TensorKernels.FILE), StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(nvcc.toString(), "-arch=sm_90", "--ptx", "-o", ptx.toString(), cu.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "nvcc timed out");
            assertEquals(0, p.exitValue(), "nvcc failed on tensor.cu with the generated cases:\n" + out);
            assertTrue(Files.readString(ptx).contains(".entry fn_unary_f32("));
        } finally {
            Files.deleteIfExists(cu);
            Files.deleteIfExists(ptx);
            Files.deleteIfExists(dir);
        }
    }

    private static Path onPath(String exe) {
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, exe);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
