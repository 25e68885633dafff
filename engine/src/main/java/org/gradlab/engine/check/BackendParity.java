package org.gradlab.engine.check;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.MemoryScope;

/**
 * Backend-agnostic parity: runs every {@link ParityCases case} on the CPU backend and on a target
 * device with the same inputs and compares every recorded array. Passing criterion per array:
 * {@code max|diff| <= atol} or {@code max|diff| / max|ref| <= rtol}, with rtol/atol 1e-9/1e-12
 * for float64 and 1e-4/1e-5 for float32 (the golden-test tolerances).
 *
 * <p>Command line (used on GPU hosts without JUnit): {@code BackendParity [--device cuda:0]}
 * prints one line per array and a summary; exit 0 = all passed, 1 = a mismatch or error,
 * 2 = the device is not usable.
 */
public final class BackendParity {
    /** Seed of every case's input generator. */
    public static final long SEED = 20251122L;

    /** Outcome of one case in one dtype. */
    public record Result(String caseName, DType dtype, boolean pass, double worstRelErr, List<String> lines) {
        public String summary() {
            return String.format(Locale.ROOT, "%-28s %s %s worst rel err %.2e", caseName, dtype, pass ? "PASS" : "FAIL",
                    worstRelErr) + (pass ? "" : "\n    " + String.join("\n    ", lines.stream().filter(l -> l.endsWith("FAIL")
                    || l.contains("ERROR")).toList()));
        }
    }

    private BackendParity() {}

    /** float64: 1e-9 relative / 1e-12 absolute; float32: 1e-4 / 1e-5. */
    public static double[] tolerance(DType d) {
        return d == DType.F64 ? new double[] {1e-9, 1e-12} : new double[] {1e-4, 1e-5};
    }

    /** Runs {@code c} in {@code dtype} on the CPU and on {@code device} and compares. Never throws for case errors. */
    public static Result compare(ParityCases.Case c, Device device, DType dtype) {
        List<String> lines = new ArrayList<>();
        Map<String, double[]> ref;
        Map<String, double[]> got;
        try {
            ref = run(c, Device.CPU, dtype);
        } catch (RuntimeException e) {
            lines.add(c.name() + " ERROR on cpu: " + e);
            return new Result(c.name(), dtype, false, Double.NaN, lines);
        }
        try {
            got = run(c, device, dtype);
        } catch (RuntimeException e) {
            lines.add(c.name() + " ERROR on " + device + ": " + e);
            return new Result(c.name(), dtype, false, Double.NaN, lines);
        }
        double[] tol = tolerance(dtype);
        boolean pass = true;
        double worst = 0;
        for (Map.Entry<String, double[]> e : ref.entrySet()) {
            double[] r = e.getValue();
            double[] g = got.get(e.getKey());
            String name = c.name() + "." + e.getKey();
            if (r == null || g == null || r.length != g.length) {
                pass = false;
                lines.add(name + " ERROR missing or length differs (cpu " + (r == null ? "none" : r.length) + ", " + device + " "
                        + (g == null ? "none" : g.length) + ")");
                continue;
            }
            double maxAbs = 0;
            double maxRef = 0;
            for (int i = 0; i < r.length; i++) {
                double d = Math.abs(r[i] - g[i]);
                if (Double.isNaN(d) && !(Double.isNaN(r[i]) && Double.isNaN(g[i]))) {
                    maxAbs = Double.NaN;
                    break;
                }
                if (!Double.isNaN(d)) {
                    maxAbs = Math.max(maxAbs, d);
                }
                if (!Double.isNaN(r[i])) {
                    maxRef = Math.max(maxRef, Math.abs(r[i]));
                }
            }
            double rel = maxRef == 0 ? maxAbs : maxAbs / maxRef;
            boolean ok = !Double.isNaN(maxAbs) && (maxAbs <= tol[1] || rel <= tol[0]);
            pass &= ok;
            worst = Double.isNaN(rel) ? Double.NaN : Math.max(worst, rel);
            lines.add(String.format(Locale.ROOT, "%s %s maxAbs %.3e rel %.3e %s", name, dtype, maxAbs, rel, ok ? "PASS" : "FAIL"));
        }
        if (!ref.keySet().equals(got.keySet())) {
            pass = false;
            lines.add(c.name() + " ERROR result names differ: cpu " + ref.keySet() + ", " + device + " " + got.keySet());
        }
        return new Result(c.name(), dtype, pass, worst, lines);
    }

    /** Runs one case on one device; returns its recorded arrays (all device memory released after). */
    public static Map<String, double[]> run(ParityCases.Case c, Device device, DType dtype) {
        try (MemoryScope s = MemoryScope.open()) {
            ParityEnv env = new ParityEnv(device, dtype, SEED);
            c.body().accept(env);
            return env.results();
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** The CLI without {@code System.exit}. */
    public static int run(String[] args, PrintStream out) {
        Device device = Device.cuda(0);
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--device") && i + 1 < args.length) {
                device = Device.parse(args[++i]);
            } else {
                out.println("usage: BackendParity [--device cuda|cuda:N|cpu]");
                return 1;
            }
        }
        String unusable = DeviceChecks.unusableReason(device);
        if (unusable != null) {
            out.println("parity: device " + device + " not usable: " + unusable);
            return 2;
        }
        int failed = 0;
        int total = 0;
        List<Result> results = new ArrayList<>();
        for (DType dt : new DType[] {DType.F64, DType.F32}) {
            for (ParityCases.Case c : ParityCases.all()) {
                Result r = compare(c, device, dt);
                r.lines().forEach(out::println);
                results.add(r);
                total++;
                if (!r.pass()) {
                    failed++;
                }
            }
        }
        out.println("---- per case (worst relative error over its arrays)");
        results.forEach(r -> out.println(r.summary()));
        List<String> extra = DeviceChecks.runAll(device, out);
        failed += extra.size();
        out.printf(Locale.ROOT, "PARITY %s vs cpu: %d cases x dtypes, %d device checks, %d failed -> %s%n", device, total,
                DeviceChecks.COUNT, failed, failed == 0 ? "PASS" : "FAIL");
        return failed == 0 ? 0 : 1;
    }
}
