package org.gradlab.natives.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Argument marshalling without a GPU: every public method of the engine-facing kernel classes is
 * called with a recording {@link KernelLauncher}; the kinds of the marshalled arguments (pointer,
 * int32, int64, double, by-value struct of N int64) must equal the C parameter list of the kernel
 * in its .cu file, in order. A mismatch (an int passed where the kernel reads a long long, a
 * missing pointer) would otherwise corrupt every later argument on the GPU, silently.
 */
class KernelArgsMatchSignaturesTest {
    private static final Pattern KERNEL = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(([^)]*)\\)");
    private static final Pattern DEFINE = Pattern.compile("#define (\\w+) ([^\\n\\\\]+)\\n");

    /** Kernel name → argument kinds, parsed from a source file (macros expanded). */
    static Map<String, List<String>> signatures(String file) {
        String src = Kernels.source(file);
        Map<String, String> macros = new HashMap<>();
        Matcher d = DEFINE.matcher(src);
        while (d.find()) {
            macros.put(d.group(1), d.group(2).trim());
        }
        Map<String, List<String>> out = new HashMap<>();
        Matcher m = KERNEL.matcher(src);
        while (m.find()) {
            String params = m.group(2);
            for (Map.Entry<String, String> e : macros.entrySet()) {
                params = params.replaceAll("\\b" + e.getKey() + "\\b", e.getValue());
            }
            List<String> kinds = new ArrayList<>();
            for (String p : params.split(",")) {
                kinds.add(kind(p.trim(), m.group(1)));
            }
            out.put(m.group(1), kinds);
        }
        return out;
    }

    private static String kind(String param, String kernel) {
        if (param.contains("*")) {
            return "ptr";
        }
        if (param.startsWith("GlStrides6")) {
            return "struct64[19]";
        }
        if (param.startsWith("GlReduce6")) {
            return "struct64[27]";
        }
        if (param.startsWith("long long")) {
            return "i64";
        }
        if (param.startsWith("double")) {
            return "f64";
        }
        if (param.startsWith("float")) {
            return "f32";
        }
        if (param.startsWith("int")) {
            return "i32";
        }
        throw new AssertionError("unknown parameter type '" + param + "' of kernel " + kernel);
    }

    /** Records launches instead of running them. */
    static final class Recorder implements KernelLauncher {
        record Launch(String file, String fn, List<String> kinds) {}

        final List<Launch> launches = new ArrayList<>();

        @Override
        public void launch(String file, String fn, long items, KernelArgs args) {
            record(file, fn, args);
        }

        @Override
        public void launchGrid(String file, String fn, int grid, KernelArgs args) {
            assertTrue(grid >= 1, fn + ": grid " + grid);
            record(file, fn, args);
        }

        private void record(String file, String fn, KernelArgs args) {
            launches.add(new Launch(file, fn, args.kinds()));
            args.close();
        }
    }

    @Test
    void everyLaunchMarshalsItsKernelsParameterList() {
        Recorder r = new Recorder();
        long a = 0x10000, b = 0x20000, c = 0x30000, e = 0x40000;
        for (DType t : DType.values()) {
            TensorKernels tk = new TensorKernels(r);
            tk.unary(t, 1, 0.5, 2, a, new long[] {2, 3}, new long[] {1, 2}, b);
            tk.binary(t, 0, a, new long[] {3, 0}, b, new long[] {0, 1}, new long[] {2, 3}, c);
            for (DType u : DType.values()) {
                tk.copy(t, a, new long[] {4, 1}, u, b, new long[] {1, 2}, new long[] {2, 4});
            }
            tk.fill(t, a, new long[] {3}, new long[] {2}, 1.5);
            tk.axpy(t, a, b, 7, -0.5);
            tk.scale(t, a, 7, 3);
            tk.channelBias(t, a, b, 24, 3, 4);
            tk.argmax(t, a, new long[] {2, 3, 4}, new long[] {12, 4, 1}, new int[] {1}, b, c, e);

            PoolingKernels pk = new PoolingKernels(r);
            PoolingKernels.Window w = new PoolingKernels.Window(6, 5, 5, 3, 3, 3, 3, 2, 2, 1, 1);
            pk.maxForward(t, a, b, c, e, w);
            pk.maxBackward(t, a, b, c, w);
            pk.avgForward(t, a, b, w, true, false);
            pk.avgBackward(t, a, b, w, false, true);

            BatchNormKernels bn = new BatchNormKernels(r);
            bn.stats(t, a, 2, 3, 4, 1e-5, b, c, e);
            bn.running(t, a, b, c, e, 0, 3, 0.1, 1e-5, 8.0 / 7);
            bn.invstd(t, a, b, 3, 1e-5);
            bn.apply(t, a, b, 24, 3, 4, c, e, 0, 0);
            bn.backwardReduce(t, a, b, 2, 3, 4, c, e);
            bn.backwardInput(t, a, b, c, 24, 3, 4, e, a, 0, b, true);
            bn.backwardParams(t, a, b, c, 0, 3);

            ClassLossKernels cl = new ClassLossKernels(r);
            cl.rows(t, a, b, 0, 5, 7, 0.1, true, c, c + 40, c + 80, e);
            cl.reduce(t, c, c + 40, 0, 5, 7, ClassLossKernels.Mode.NONE, b, e);
            cl.grad(t, a, b, 0, 5, 7, 0.1, true, c, e, b);

            RowwiseKernels rw = new RowwiseKernels(r);
            rw.layerNormForward(t, a, b, 6, 12, 1e-6, c, e, a + 64, a + 128);
            rw.layerNormBackwardInput(t, a, b, c, 6, 12, e, a + 64, a + 128);
            rw.layerNormBackwardParams(t, a, b, 6, 12, c, e, a + 64, 0);
            rw.softmaxForward(t, a, b, 2, 7, 3);
            rw.softmaxBackward(t, a, b, c, 2, 7, 1);
        }
        Set<String> launched = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, List<String>>> sigs = new HashMap<>();
        for (Recorder.Launch l : r.launches) {
            launched.add(l.fn());
            List<String> want = sigs.computeIfAbsent(l.file(), KernelArgsMatchSignaturesTest::signatures).get(l.fn());
            if (want == null) {
                problems.add(l.file() + "/" + l.fn() + ": no such kernel");
            } else if (!want.equals(l.kinds())) {
                problems.add(l.file() + "/" + l.fn() + ": C parameters " + want + " but Java passes " + l.kinds());
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        // every kernel of these classes was exercised by the calls above
        List<String> all = new ArrayList<>();
        all.addAll(TensorKernels.kernelNames());
        all.addAll(PoolingKernels.kernelNames());
        all.addAll(BatchNormKernels.kernelNames());
        all.addAll(ClassLossKernels.kernelNames());
        all.addAll(RowwiseKernels.kernelNames());
        List<String> notCovered = all.stream().filter(k -> !launched.contains(k)).toList();
        assertTrue(notCovered.isEmpty(), "not exercised: " + notCovered);
    }

    @Test
    void theSignatureParserSeesKnownKernels() {
        assertEquals(List.of("ptr", "ptr", "i64", "i32", "f64", "f64", "struct64[19]"), signatures(TensorKernels.FILE).get("fn_unary_f32"));
        assertEquals(List.of("ptr", "ptr", "i64", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"),
                signatures(PoolingKernels.FILE).get("avgpool_fwd_f64"));
    }
}
