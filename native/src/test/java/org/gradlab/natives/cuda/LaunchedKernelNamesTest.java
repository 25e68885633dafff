package org.gradlab.natives.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Pure-Java check that every kernel the Java side launches exists in the kernel sources: the
 * launch sites in the Java sources of this package ({@code "name_" + t.suffix()}) are scanned, each
 * name expanded to _f32/_f64, and looked up as {@code extern "C" __global__ void name(} in the file
 * of its launch. A typo in a launch would otherwise surface only on a GPU as
 * CUDA_ERROR_NOT_FOUND.
 */
class LaunchedKernelNamesTest {
    private static final Path SRC = Path.of("src/main/java/org/gradlab/natives/cuda");
    /** launch("file.cu" | FILE, "base_" + x.suffix() ... */
    private static final Pattern LAUNCH = Pattern.compile(
            "launch(?:Grid)?\\(\\s*(\"[a-z_]+\\.cu\"|FILE)\\s*,\\s*\"([a-z0-9_]+)_\"\\s*\\+\\s*(\\w+)\\.suffix\\(\\)(\\s*\\+\\s*\"_\"\\s*\\+\\s*\\w+\\.suffix\\(\\))?");
    private static final Pattern FILE_CONST = Pattern.compile("String FILE = \"([a-z_]+\\.cu)\"");

    private static String declared(String file, String kernel) {
        return "extern \"C\" __global__ void " + kernel + "(";
    }

    @Test
    void everyLaunchedKernelExistsInItsSourceFile() throws IOException {
        List<String> missing = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        try (var files = Files.list(SRC)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String java = Files.readString(p);
                Matcher fc = FILE_CONST.matcher(java);
                String own = fc.find() ? fc.group(1) : null;
                Matcher m = LAUNCH.matcher(java);
                while (m.find()) {
                    String file = m.group(1).equals("FILE") ? own : m.group(1).replace("\"", "");
                    assertNotNull(file, p + " launches through FILE but declares none");
                    String src = Kernels.source(file);
                    for (DType a : DType.values()) {
                        if (m.group(4) != null) { // "copy_" + src.suffix() + "_" + dst.suffix()
                            for (DType b : DType.values()) {
                                String k = m.group(2) + "_" + a.suffix() + "_" + b.suffix();
                                seen.add(file + "/" + k);
                                if (!src.contains(declared(file, k))) {
                                    missing.add(p.getFileName() + " -> " + file + "/" + k);
                                }
                            }
                        } else {
                            String k = m.group(2) + "_" + a.suffix();
                            seen.add(file + "/" + k);
                            if (!src.contains(declared(file, k))) {
                                missing.add(p.getFileName() + " -> " + file + "/" + k);
                            }
                        }
                    }
                }
            }
        }
        assertTrue(missing.isEmpty(), "kernels launched but not defined: " + missing);
        // the scan must actually have found the launch sites (guards against a broken pattern)
        for (String k : List.of("tensor.cu/fn_unary_f32", "tensor.cu/copy_f64_f32", "pool.cu/maxpool_bwd_f64",
                "norm.cu/bn_stats_f32", "closs.cu/ce_grad_f64", "reduce.cu/sum_f64",
                "loss.cu/log_softmax_fwd_f32", "optim.cu/adam_f32",
                "rowwise.cu/ln_fwd_f32", "rowwise.cu/softmax_bwd_f64")) {
            assertTrue(seen.contains(k), "launch site of " + k + " not found by the scan; found " + seen);
        }
    }

    @Test
    void everyListedKernelNameIsDefined() {
        List<String> missing = new ArrayList<>();
        check(TensorKernels.FILE, TensorKernels.kernelNames(), missing);
        check(PoolingKernels.FILE, PoolingKernels.kernelNames(), missing);
        check(BatchNormKernels.FILE, BatchNormKernels.kernelNames(), missing);
        check(ClassLossKernels.FILE, ClassLossKernels.kernelNames(), missing);
        check(RowwiseKernels.FILE, RowwiseKernels.kernelNames(), missing);
        assertTrue(missing.isEmpty(), "listed but not defined: " + missing);
    }

    private static void check(String file, List<String> names, List<String> missing) {
        String src = Kernels.source(file);
        for (String k : names) {
            if (!src.contains(declared(file, k))) {
                missing.add(file + "/" + k);
            }
        }
    }

    @Test
    void everySourceFileIsRegistered() {
        for (String f : List.of(TensorKernels.FILE, PoolingKernels.FILE, BatchNormKernels.FILE, ClassLossKernels.FILE,
                RowwiseKernels.FILE)) {
            assertTrue(Kernels.SOURCES.contains(f), f + " not in Kernels.SOURCES (would never be compiled)");
        }
    }
}
