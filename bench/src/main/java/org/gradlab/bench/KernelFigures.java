package org.gradlab.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;

/**
 * What the JMH tables leave to the reader, computed from the same results: GFLOP/s of every
 * conv and GEMM benchmark, each conv's forward + backward GFLOP/s and its share of the
 * equally sized GEMM (the per-sample GEMM, M = Cout, N = Ho·Wo, K = Cin·9, when {@code
 * MatmulBench} ran that shape in the same call), and ns per input element of the memory-bound
 * kernels.
 */
final class KernelFigures {
    private KernelFigures() {}

    /** One result: benchmark class, method, parameters, seconds per op. */
    record Row(String bench, String method, Map<String, String> params, double seconds) {
        String param(String k) {
            return params.getOrDefault(k, "");
        }
    }

    static List<Row> rows(Collection<RunResult> results) {
        List<Row> rows = new ArrayList<>();
        for (RunResult r : results) {
            String full = r.getParams().getBenchmark();
            String[] parts = full.split("\\.");
            Map<String, String> params = new LinkedHashMap<>();
            for (String k : r.getParams().getParamsKeys()) {
                params.put(k, r.getParams().getParam(k));
            }
            double score = r.getPrimaryResult().getScore();
            rows.add(new Row(parts[parts.length - 2], parts[parts.length - 1], params,
                    score * secondsPer(r.getPrimaryResult().getScoreUnit())));
        }
        return rows;
    }

    static double secondsPer(String unit) {
        return switch (unit.substring(0, unit.indexOf('/'))) {
            case "s" -> 1;
            case "ms" -> 1e-3;
            case "us" -> 1e-6;
            case "ns" -> 1e-9;
            default -> throw new IllegalArgumentException("unexpected JMH score unit " + unit + " (expected time per op)");
        };
    }

    /** 2·M·N·K of a "MxNxK" GEMM. */
    static double gemmFlops(String mnk) {
        String[] p = mnk.split("x");
        return 2.0 * Long.parseLong(p[0]) * Long.parseLong(p[1]) * Long.parseLong(p[2]);
    }

    /** A 3x3, padding-1 conv of ConvBench ("Cin x Cout x H x stride", batch n): its flops per pass and equal GEMM. */
    record Conv(int n, int cin, int cout, int h, int stride) {
        static Conv of(String shape, String batch) {
            String[] s = shape.split("x");
            return new Conv(Integer.parseInt(batch), Integer.parseInt(s[0]), Integer.parseInt(s[1]), Integer.parseInt(s[2]),
                    s.length > 3 ? Integer.parseInt(s[3]) : 1);
        }

        int out() {
            return (h + 2 - 3) / stride + 1;
        }

        double flops() {
            return 2.0 * n * cout * cin * 9 * out() * out();
        }

        String equalGemm() {
            return cout + "x" + out() * out() + "x" + cin * 9;
        }
    }

    static void print(Collection<RunResult> results, PrintStream out) {
        List<Row> rows = rows(results);
        if (rows.isEmpty()) {
            return;
        }
        Map<String, Double> gemm = new LinkedHashMap<>();
        out.println();
        out.println("Derived figures (GFLOP/s = flops / time; share = conv fwd+bwd GFLOP/s / equal GEMM GFLOP/s):");
        for (Row r : rows) {
            if (r.bench().equals("MatmulBench")) {
                double g = gemmFlops(r.param("mnk")) / r.seconds() / 1e9;
                gemm.put(r.param("mnk"), g);
                out.printf("  matmul %-16s %9.1f GFLOP/s%n", r.param("mnk"), g);
            }
        }
        Map<String, double[]> convs = new LinkedHashMap<>(); // key -> fwd, bwd-data, bwd-filter seconds
        for (Row r : rows) {
            if (r.bench().equals("ConvBench") || r.bench().equals("ConvIm2colBench")) {
                String key = r.param("shape") + " batch " + r.param("batch") + (r.bench().equals("ConvBench") ? "" : " im2col");
                double[] t = convs.computeIfAbsent(key, k -> new double[] {Double.NaN, Double.NaN, Double.NaN});
                int slot = switch (r.method()) {
                    case "forward" -> 0;
                    case "backwardData" -> 1;
                    default -> 2;
                };
                t[slot] = r.seconds();
                Conv c = Conv.of(r.param("shape"), r.param("batch"));
                out.printf("  conv %-22s %-15s %9.1f GFLOP/s%n", key, r.method(), c.flops() / r.seconds() / 1e9);
            } else if (r.bench().equals("NaiveConvBench")) {
                Conv c = Conv.of(r.param("shape"), "32");
                out.printf("  naive-vs-blas %-15s %-15s %9.1f GFLOP/s%n", r.param("shape"), r.method(), c.flops() / r.seconds() / 1e9);
            } else if (r.bench().equals("LoopShapesBench")) {
                out.printf("  %-16s %-18s %-10s %7.2f ns per element%n", r.bench(), r.method(), "",
                        r.seconds() * 1e9 / LoopShapesBench.N);
            } else if (r.bench().equals("RowKernelsBench")) {
                int size = Integer.parseInt(r.param("imageSize"));
                int[] rd = r.method().startsWith("layerNorm") ? RowKernelsBench.normShape(size) : RowKernelsBench.scoreShape(size);
                out.printf("  %-16s %-18s %-10s %7.2f ns per element%n", r.bench(), r.method(), rd[0] + "x" + rd[1],
                        r.seconds() * 1e9 / ((long) rd[0] * rd[1]));
            } else if (r.bench().equals("PoolNormBench") || r.bench().equals("ElementwiseBench")) {
                long n = ChannelInputs.elements(r.param("shape"), Long.parseLong(r.params().getOrDefault("batch", "32")));
                out.printf("  %-16s %-18s %-10s %7.2f ns per input element%n", r.bench(), r.method(), r.param("shape"),
                        r.seconds() * 1e9 / n);
            }
        }
        convs.forEach((key, t) -> {
            if (Double.isNaN(t[0] + t[1] + t[2])) {
                return;
            }
            String[] k = key.split(" batch | ");
            Conv c = Conv.of(k[0], k[1]);
            double g = 3 * c.flops() / (t[0] + t[1] + t[2]) / 1e9;
            Double eq = gemm.get(c.equalGemm());
            out.printf("  conv %-22s fwd+bwd %9.1f GFLOP/s%s%n", key, g,
                    eq == null ? "  (run MatmulBench -p mnk=" + c.equalGemm() + " for the share)"
                            : String.format("  = %.0f %% of the equal GEMM %s (%.1f GFLOP/s)", 100 * g / eq, c.equalGemm(), eq));
        });
    }
}
