package org.gradlab.engine.golden;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.Set;
import org.gradlab.engine.Device;
import org.gradlab.engine.io.Fixtures;
import org.gradlab.engine.io.Npz;

/**
 * Command line: compares the engine against every registered golden suite whose fixture file
 * is in the directory. Usage: {@code GoldenVerify [dir]}; default dir = {@link Fixtures#verifyGoldenDir()}
 * (the full fixtures beside the repository when present, else the repository's own).
 * Prints {@code file case group array  maxAbsErr relErr tol PASS|FAIL} per array, then a
 * summary per file and in total; every .npz of the directory without a suite, and every case a
 * suite has no code for, is listed as "not checked" (nothing is skipped silently). Exit code 0 = all passed; 1 = a failure; 2 = no fixtures.
 */
public final class GoldenVerify {
    private GoldenVerify() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** The CLI without {@code System.exit}: returns the exit code. Args: {@code [dir] [--device D]}. */
    public static int run(String[] args, PrintStream out) {
        Path dir = null;
        Device device = Device.CPU;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--device") && i + 1 < args.length) {
                device = Device.parse(args[++i]);
            } else {
                dir = Paths.get(args[i]);
            }
        }
        return run(dir == null ? defaultDir() : dir, out, device);
    }

    /** The .npz files directly in {@code dir}, sorted. */
    static java.util.List<String> npzFiles(Path dir) {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".npz")).sorted().toList();
        } catch (IOException e) {
            return java.util.List.of();
        }
    }

    /** The directory used without an argument: {@link Fixtures#verifyGoldenDir()}. */
    public static Path defaultDir() {
        return Fixtures.verifyGoldenDir();
    }

    public static int run(Path dir, PrintStream out) {
        return run(dir, out, Device.CPU);
    }

    /** Runs every suite with the engine on {@code device} (references stay the PyTorch CPU float64 results). */
    public static int run(Path dir, PrintStream out, Device device) {
        Reporter reporter = new Reporter(out);
        out.println("golden fixtures: " + dir.toAbsolutePath().normalize());
        Set<String> read = new HashSet<>();
        for (GoldenSuite suite : GoldenCases.all()) {
            Path f = dir.resolve(suite.fileName());
            if (!Files.isRegularFile(f)) {
                continue;
            }
            read.add(suite.fileName());
            try (Npz npz = Npz.open(f)) {
                suite.run(npz, reporter, device);
            } catch (IOException | RuntimeException e) {
                reporter.fail(suite.fileName(), "-", "-", "-", "cannot read: " + e);
            }
        }
        for (String f : npzFiles(dir)) { // never skip silently: every fixture is checked or listed
            if (GoldenCases.forFile(f).isEmpty()) {
                reporter.notChecked(f, "-", "no suite for it");
            }
        }
        int files = read.size();
        if (files == 0) {
            out.println("golden: no fixture files of the registered suites in " + dir.toAbsolutePath()
                    + " (expected e.g. " + GoldenCases.all().get(0).fileName() + ")");
            return 2;
        }
        out.println("---- summary (relErr = max|diff| / max|ref|, engine dtype vs PyTorch float64; checks with an "
                + "absolute tolerance only, i.e. references that are 0 in theory, are left out of it)");
        // one line per file, also where several suites share it (soft_cross_entropy.npz)
        for (String fn : GoldenCases.all().stream().map(GoldenSuite::fileName).distinct().toList()) {
            long n = reporter.count(fn);
            if (n == 0) {
                continue;
            }
            long failed = reporter.failures().stream().filter(l -> l.file().equals(fn)).count();
            out.printf("%s: %d checks, %d failed; worst relErr f64 %.2e, f32 %.2e%n", fn, n, failed,
                    reporter.worstRelErr(fn, "f64", true), reporter.worstRelErr(fn, "f32", true));
        }
        int failed = reporter.failures().size();
        if (!reporter.notChecked().isEmpty()) {
            out.println(reporter.notChecked().size() + " not checked:");
            reporter.notChecked().forEach(n -> out.println("  " + n.format()));
        }
        if (device.kind() != Device.Kind.CPU) {
            out.println("engine device: " + device);
        }
        out.printf("TOTAL: %d files, %d checks, %d failed -> %s%n", files, reporter.lines().size(), failed,
                failed == 0 ? "PASS" : "FAIL");
        return failed == 0 ? 0 : 1;
    }
}
