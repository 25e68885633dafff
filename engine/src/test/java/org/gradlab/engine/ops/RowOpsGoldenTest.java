package org.gradlab.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.gradlab.engine.golden.ActivationsSuite;
import org.gradlab.engine.golden.AttentionSuite;
import org.gradlab.engine.golden.GoldenSuite;
import org.gradlab.engine.golden.LayerNormSuite;
import org.gradlab.engine.golden.Reporter;
import org.gradlab.engine.golden.SoftCrossEntropySuite;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.junit.jupiter.api.Test;

/**
 * The second golden batch's row and shape ops (layer norm; softmax, broadcast matmul and N-D
 * linear of activations.npz) through the suites that {@code ./gradlab verify} runs, float64 and
 * float32; and the suites' per-case parameter tables against MANIFEST-v2.json.
 */
class RowOpsGoldenTest {

    /** Runs {@code suite}; asserts no failure and {@code expectedChecks} checks of cases named {@code prefixes}. */
    static Reporter verify(GoldenSuite suite, int expectedChecks, String... prefixes) throws Exception {
        Reporter r = new Reporter(null);
        try (Npz npz = Npz.open(org.gradlab.engine.io.SharedFiles.root().resolve("golden").resolve(suite.fileName()))) {
            suite.run(npz, r);
        }
        String failures = r.failures().stream().map(Reporter.Line::format).collect(Collectors.joining("\n"));
        assertEquals(0, r.failures().size(), suite.fileName() + " failures:\n" + failures);
        long mine = r.lines().stream().filter(l -> prefixes.length == 0 || Arrays.stream(prefixes).anyMatch(l.caseName()::startsWith))
                .count();
        assertEquals(expectedChecks, mine, suite.fileName() + " checks of " + Arrays.toString(prefixes));
        return r;
    }

    @Test
    void layerNorm() throws Exception {
        // 2 cases x 2 dtypes x (out, grad_x, grad_weight, grad_bias)
        verify(new LayerNormSuite(), 2 * 2 * 4);
    }

    @Test
    void softmaxMatmulAndLinearOfActivations() throws Exception {
        // softmax 3 x 2 x 2, matmul 2 x 2 x 3, linear_3d 1 x 2 x 4
        Reporter r = verify(new ActivationsSuite(), 12 + 12 + 8, "softmax", "matmul", "linear");
        assertTrue(r.notChecked().stream().noneMatch(n -> n.caseName().startsWith("softmax") || n.caseName().startsWith("matmul")
                || n.caseName().startsWith("linear")), r.notChecked().toString());
    }

    @Test
    void attention() throws Exception {
        // sdpa 2 x (out + 3 grads), mha_self 2 x (out, attn_weights + 5 grads)
        verify(new AttentionSuite(), 2 * 4 + 2 * 7);
    }

    @Test
    void probabilityTargetCrossEntropy() throws Exception {
        // probs, probs_ls0p1 x 2 dtypes x (out, grad_logits); the mixup/cutmix cases are not this suite's
        verify(new SoftCrossEntropySuite(), 2 * 2 * 2, "probs");
    }

    /** "case": {..."key": value...} of a file's "cases" in MANIFEST-v2.json. */
    static String manifestValue(String file, String caseName, String key) throws IOException {
        String json = Files.readString(SharedFiles.file("golden/MANIFEST-v2.json"));
        int f = json.indexOf("\"" + file + "\"");
        int cases = json.indexOf("\"cases\"", f);
        Matcher m = Pattern.compile("\"" + Pattern.quote(caseName) + "\":\\s*\\{([^{}]*)\\}").matcher(json);
        assertTrue(f >= 0 && cases >= 0 && m.find(cases), "MANIFEST-v2.json has no case " + file + "/" + caseName);
        Matcher kv = Pattern.compile("\"" + Pattern.quote(key) + "\":\\s*([^,\\s}]+)").matcher(m.group(1));
        assertTrue(kv.find(), "MANIFEST-v2.json " + file + "/" + caseName + " has no " + key);
        return kv.group(1);
    }

    @Test
    void parameterTablesEqualTheManifest() throws IOException {
        for (Map.Entry<String, Double> e : LayerNormSuite.EPS.entrySet()) {
            assertEquals(Double.parseDouble(manifestValue("layernorm.npz", e.getKey(), "eps")), e.getValue(), e.getKey());
        }
        for (Map.Entry<String, Integer> e : AttentionSuite.HEADS.entrySet()) {
            assertEquals(Integer.parseInt(manifestValue("attention.npz", e.getKey(), "heads")), e.getValue(), e.getKey());
        }
        for (Map.Entry<String, Double> e : SoftCrossEntropySuite.LABEL_SMOOTHING.entrySet()) {
            assertEquals(Double.parseDouble(manifestValue("soft_cross_entropy.npz", e.getKey(), "label_smoothing")), e.getValue(),
                    e.getKey());
        }
        for (Map.Entry<String, Integer> e : ActivationsSuite.SOFTMAX_DIM.entrySet()) {
            assertEquals(Integer.parseInt(manifestValue("activations.npz", e.getKey(), "dim")), e.getValue(), e.getKey());
        }
    }
}
