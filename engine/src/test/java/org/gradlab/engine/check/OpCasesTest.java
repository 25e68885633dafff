package org.gradlab.engine.check;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.ops.Relu;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class OpCasesTest {
    /** Op classes whose registry name is not their snake-cased class name, or that have no case (with the reason). */
    private static final Map<String, String> RENAMED = Map.of("nll_loss", "nll");
    private static final Map<String, String> WITHOUT_CASE = Map.of(
            "cast", "float64 -> float32 -> float64 loses the precision a central difference needs");

    @TestFactory
    List<DynamicTest> everyRegisteredCasePassesGradcheck() {
        List<DynamicTest> tests = new ArrayList<>();
        for (GradCheck.Result r : OpCases.gradcheck(List.of())) {
            tests.add(DynamicTest.dynamicTest(r.op(), () -> assertTrue(r.passed(), r.failure())));
        }
        assertEquals(OpCases.all().size(), tests.size());
        return tests;
    }

    @Test
    void gradcheckOfNamedOpsRunsOnlyThoseAndTheirInputsDoNotDependOnTheFilter() {
        List<GradCheck.Result> sig = OpCases.gradcheck(List.of("sigmoid"));
        assertEquals(1, sig.size());
        GradCheck.Result fromAll = OpCases.gradcheck(List.of()).stream().filter(r -> r.op().startsWith("sigmoid ")).findFirst()
                .orElseThrow();
        assertEquals(fromAll.maxAbsError(), sig.get(0).maxAbsError(), 0.0);
    }

    @Test
    void everyOpClassHasACase() throws URISyntaxException, ClassNotFoundException {
        Set<String> ops = OpCases.all().stream().map(OpCases.Case::op).collect(Collectors.toSet());
        File dir = new File(Relu.class.getResource("Relu.class").toURI()).getParentFile(); // the main classes of ops/
        int checked = 0;
        for (String f : dir.list()) {
            if (!f.endsWith(".class") || f.contains("$")) {
                continue;
            }
            Class<?> c = Class.forName("org.gradlab.engine.ops." + f.replace(".class", ""));
            if (c.getAnnotation(Derivative.class) == null) {
                continue;
            }
            String snake = c.getSimpleName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
            String name = RENAMED.getOrDefault(snake, snake);
            if (!WITHOUT_CASE.containsKey(name)) {
                assertTrue(ops.contains(name), c.getName() + " has no case in OpCases (expected op name '" + name + "')");
            }
            checked++;
        }
        assertTrue(checked >= 30, "found only " + checked + " op classes");
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
