package org.gradlab.challenge.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.gradlab.engine.io.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every program in examples/ is compiled against the modules and run, so the examples never rot. */
class ExamplesTest {
    @TempDir
    static Path classes;

    @BeforeAll
    static void compileAll() throws Exception {
        List<String> sources;
        try (Stream<Path> s = Files.list(Fixtures.repositoryRoot().resolve("examples"))) {
            sources = s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).sorted().toList();
        }
        assertTrue(sources.size() >= 4, "examples/: " + sources);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                "--release", "17", "-Xlint:none"));
        args.addAll(sources);
        int rc = javac.run(null, log, log, args.toArray(new String[0]));
        assertEquals(0, rc, "examples/ do not compile:\n" + log.toString(StandardCharsets.UTF_8));
    }

    /** Runs {@code main} of an example in a fresh JVM; returns its output, asserting exit 0. */
    static String run(String example, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classes + File.pathSeparator + System.getProperty("java.class.path"), example));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), example + " did not finish");
        assertEquals(0, p.exitValue(), example + " failed:\n" + out);
        return out;
    }

    @Test
    void autogradBasics() throws Exception {
        String out = run("AutogradBasics");
        assertTrue(out.contains("y = 34.5"), out);                       // sum(x*w) + sum(x^2) = 4.5 + 30
        assertTrue(out.contains("dy/dx = [2.5, 3.0, 8.0, 8.0]"), out);  // w + 2x
        assertTrue(out.contains("dy/dw = [1.0, 2.0, 3.0, 4.0]"), out);  // x
        assertTrue(out.contains("gradcheck tanh(a @ b)") && out.contains("PASS"), out);
    }

    @Test
    void customOp() throws Exception {
        String out = run("CustomOp");
        assertTrue(out.contains("gradcheck softplus") && out.contains("PASS"), out);
    }

    @Test
    void breastMnistCnnLearns() throws Exception {
        String out = run("BreastMnistCnn", Fixtures.data("breastmnist.npz").toString(), "3");
        Matcher m = Pattern.compile("epoch (\\d): train loss ([0-9.]+), val accuracy ([0-9.]+)").matcher(out);
        List<Double> losses = new ArrayList<>();
        double acc = 0;
        while (m.find()) {
            losses.add(Double.parseDouble(m.group(2)));
            acc = Double.parseDouble(m.group(3));
        }
        assertEquals(3, losses.size(), out);
        assertTrue(losses.get(2) < losses.get(0), "training loss falls: " + losses);
        assertTrue(acc > 0.6, "validation accuracy " + acc + "\n" + out);
    }

    @Test
    void pthToSafetensors(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("model08.safetensors");
        String log = run("PthToSafetensors", Fixtures.golden("pth/model08.pth").toString(), out.toString());
        assertTrue(log.contains("loaded 23 tensors, 94,599 parameters") && log.contains("read back identical"), log);
        assertTrue(Files.size(out) > 94_599 * 4);
    }

    @Test
    void readmeQuickstartIsTheTestedProgram() throws Exception {
        String readme = Files.readString(Fixtures.repositoryRoot().resolve("README.md"));
        int section = readme.indexOf("## Use it as a library");
        int start = readme.indexOf("```java\n", section) + 8;
        String block = readme.substring(start, readme.indexOf("```", start));
        String program = Files.readString(Fixtures.repositoryRoot().resolve("examples/Quickstart.java"));
        for (String line : block.strip().split("\n")) {
            assertTrue(program.contains(line.strip()), "README line not in examples/Quickstart.java: " + line);
        }
        String out = run("Quickstart");
        assertTrue(out.contains("w.grad() = [2.0, 4.0, 6.0]"), out);
        Matcher m = Pattern.compile("final loss ([0-9.eE-]+)").matcher(out);
        assertTrue(m.find() && Double.parseDouble(m.group(1)) < 0.1, "XOR is learnt: " + out);
    }
}
