package org.gradlab.challenge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line as a user meets it: version, and clear errors for what the user typed. */
class GradLabCliTest {
    /** Runs {@code gradlab args} in this JVM; returns exit code and both output streams. */
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cl = GradLab.commandLine();
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        int code = cl.execute(args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void versionComesFromTheBuild() throws Exception {
        Result r = run("--version");
        assertEquals(0, r.code());
        String pom = Files.readString(Path.of(System.getProperty("gradlab.root", ".."), "pom.xml"));
        int at = pom.indexOf("<artifactId>gradlab-parent</artifactId>");
        String version = pom.substring(pom.indexOf("<version>", at) + 9, pom.indexOf("</version>", at));
        assertTrue(r.out().startsWith("GradLab " + version + "\n"), r.out());
        assertEquals(version, BuildVersion.version());
    }

    @Test
    void shellHasTheClassPathAndTheImports(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path script = tmp.resolve("grad.jsh");
        Files.writeString(script, "var x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);\n"
                + "x.mul(x).sum().backward();\n"
                + "System.out.println(\"grad \" + Arrays.toString(x.grad().toDoubleArray()));\n/exit\n");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "org.gradlab.challenge.cli.GradLab",
                "shell", script.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(3, java.util.concurrent.TimeUnit.MINUTES), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("GradLab shell:") && out.contains("grad [2.0, 4.0, 6.0]"), out);
    }

    @Test
    void doctorNamesEveryPieceAndWhatIsMissing() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        DoctorCommand.report(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        String out = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(out.contains("Java: " + System.getProperty("java.version")), out);
        assertTrue(out.contains("JavaCPP platform " + org.bytedeco.javacpp.Loader.getPlatform()), out);
        assertTrue(out.contains("BLAS: OpenBLAS 0.") && out.contains("  threads: "), out);
        assertTrue(out.contains("\nHuge pages: "), out);
        assertTrue(out.contains("\nVector kernels: "), out);
        assertTrue(out.contains("CUDA driver ") && out.contains("cuDNN") && out.contains("NVRTC"), out);
        if (!Files.exists(Path.of("/proc/driver/nvidia/version"))) {
            assertTrue(out.contains("CUDA: not usable: no NVIDIA driver") && out.contains(DoctorCommand.GPU_HELP), out);
        }
    }

    @Test
    void badNumbersNameTheOptionAndWhatItExpects() {
        Result r = run("challenge", "--epochs", "-1", "--exp", "01", "--data", "missing.npz");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--epochs must be a whole number of at least 1, got -1"), r.err());
        assertTrue(run("challenge", "--workers", "-1").err().contains("--workers must be a whole number of at least 0, got -1"));
        Result study = run("study", "run", "examples/my-first-study.yaml", "--epochs", "-1");
        assertEquals(2, study.code(), study.err());
        assertTrue(study.err().contains("--epochs must be a whole number of at least 1, got -1"), study.err());
        // the core has no Spark: --spark names the module and the launcher that has it
        Result spark = run("study", "run", "examples/my-first-study.yaml", "--spark", "local[2]");
        assertEquals(2, spark.code(), spark.err());
        assertTrue(spark.err().startsWith("--spark local[2]: needs the optional gradlab-spark module on the class path: run "
                + "./gradlab-spark instead of ./gradlab"), spark.err());
        assertTrue(run("lr-find", "dermamnist-25", "--id", "01", "--limit-train", "0").err()
                .contains("--limit-train must be a whole number of at least 1, got 0"));
        assertTrue(run("challenge", "--epochs", "two").err().contains("'two' is not an int"), run("challenge", "--epochs", "two").err());
    }

    @Test
    void aNamedFileThatCannotBeReadIsAnErrorNotAFallback(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Result missing = run("challenge", "--exp", "23", "--weights", tmp.resolve("nope.pth").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--weights " + tmp.resolve("nope.pth") + ": no such file"), missing.err());
        Result data = run("challenge", "--exp", "01", "--data", tmp.toString());
        assertEquals(2, data.code());
        assertTrue(data.err().contains("not a readable file"), data.err());
    }

    /** A corrupt weights file stops the run before any training, exit 1: no silent random initialisation. */
    @Test
    void corruptWeightsStopTheRun(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path corrupt = tmp.resolve("resnet18.pth");
        Files.write(corrupt, new byte[] {'P', 'K', 3, 4, 1, 2, 3});
        Path data = org.gradlab.challenge.data.SyntheticMedMnist.write(tmp, 64, 16, 16, 1);
        Path out = tmp.resolve("out");
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        int code;
        try {
            code = GradLab.commandLine().execute("challenge", "--exp", "23", "--epochs", "1", "--device", "cpu",
                    "--data", data.toString(), "--weights", corrupt.toString(), "--out", out.toString());
        } finally {
            System.setErr(saved);
        }
        String text = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, code, text);
        assertTrue(text.contains("--weights " + corrupt + ": cannot be loaded"), text);
        assertTrue(!Files.exists(out.resolve("results.json")), "nothing was trained");
    }

    @Test
    void explainTakesTheDeviceOptionAndChecksItsNumbers(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        assertEquals(0, run("explain", "--exp", "01", "--batch", "2", "--device", "cpu", "--out", tmp.toString()).code());
        assertTrue(Files.size(tmp.resolve("graph.svg")) > 1000);
        Result bad = run("explain", "--batch", "0");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--batch must be a whole number of at least 1, got 0"), bad.err());
    }
}
