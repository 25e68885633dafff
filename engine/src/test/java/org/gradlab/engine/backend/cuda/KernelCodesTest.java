package org.gradlab.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gradlab.engine.backend.BinaryFn;
import org.gradlab.engine.backend.UnaryFn;
import org.gradlab.natives.cuda.Kernels;
import org.gradlab.natives.cuda.TensorKernels;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend passes {@link UnaryFn}/{@link BinaryFn} ORDINALS to tensor.cu; its code table
 * ("// UnaryFn: 0 NEG, 1 EXP, ...") and the number of {@code case} labels of each switch must
 * follow the enums exactly, or a GPU would silently compute another function.
 */
class KernelCodesTest {
    private static final String SRC = Kernels.source(TensorKernels.FILE);

    private static List<String> table(String enumName) {
        Matcher m = Pattern.compile("// " + enumName + ": (.*(?:\\n// .*)*)").matcher(SRC);
        assertTrue(m.find(), "tensor.cu has no '// " + enumName + ":' code table");
        String text = m.group(1).replace("\n//", " ");
        Matcher e = Pattern.compile("(\\d+) ([A-Z_]+)").matcher(text);
        List<String> names = new java.util.ArrayList<>();
        while (e.find()) {
            assertEquals(names.size(), Integer.parseInt(e.group(1)), "codes must count up from 0 in " + text);
            names.add(e.group(2));
        }
        return names;
    }

    private static long caseLabels(String function) {
        int start = SRC.indexOf(function + "(");
        assertTrue(start >= 0, function + " not found");
        int end = SRC.indexOf("default:", start);
        return Pattern.compile("case \\d+:").matcher(SRC.substring(start, end)).results().count();
    }

    @Test
    void unaryCodesFollowUnaryFn() {
        assertEquals(Arrays.stream(UnaryFn.values()).map(Enum::name).toList(), table("UnaryFn"));
        assertEquals(UnaryFn.values().length, caseLabels("gl_fn_unary"));
    }

    @Test
    void binaryCodesFollowBinaryFn() {
        assertEquals(Arrays.stream(BinaryFn.values()).map(Enum::name).toList(), table("BinaryFn"));
        assertEquals(BinaryFn.values().length, caseLabels("gl_fn_binary"));
    }
}
