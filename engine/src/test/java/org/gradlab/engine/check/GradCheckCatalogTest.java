package org.gradlab.engine.check;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GradCheckCatalogTest {
    @Test
    void everyRegisteredOpPassesGradcheck() {
        for (GradCheck.Result r : GradCheckCatalog.run(List.of())) {
            assertTrue(r.passed(), r.failure());
        }
    }

    @Test
    void catalogCoversEveryOpOfTheIssue() {
        Set<String> ops = GradCheckCatalog.all().stream().map(GradCheckCatalog.Case::op).collect(Collectors.toSet());
        for (String op : List.of("add", "sub", "mul", "div", "neg", "exp", "log", "pow", "sqrt", "abs", "clamp", "relu",
                "sigmoid", "tanh", "sum", "mean", "max", "matmul", "linear", "conv2d", "max_pool2d", "avg_pool2d",
                "adaptive_avg_pool2d", "batch_norm2d", "dropout", "log_softmax", "nll", "cross_entropy", "reshape",
                "permute", "concat")) {
            assertTrue(ops.contains(op), "gradcheck catalog lacks " + op);
        }
    }

    @Test
    void aWrongGradientIsReportedWithOpInputAndElement() {
        // d/dx of x*x computed through a hook that doubles it: gradcheck must catch it
        GradCheck.Result r = GradCheck.check("broken", t -> {
            org.gradlab.engine.Tensor x = t[0];
            x.registerHook(g -> g.mul(2.0));
            return x.mul(x);
        }, org.gradlab.engine.Tensor.of(new double[] {0.5, -1.5}, 2));
        assertFalse(r.passed());
        assertTrue(r.failure().contains("broken") && r.failure().contains("input 0") && r.failure().contains("element 0"),
                r.failure());
    }
}
