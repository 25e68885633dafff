package org.gradlab.engine.backend.cuda;

import org.gradlab.engine.backend.BinaryFn;
import org.gradlab.engine.backend.UnaryFn;
import org.gradlab.natives.cuda.Kernels;
import org.gradlab.natives.cuda.TensorKernels;

/**
 * Generates the {@code switch} cases of {@code tensor.cu}'s {@code gl_fn_unary} /
 * {@code gl_fn_binary} from {@link UnaryFn} / {@link BinaryFn}: one {@code case <ordinal>:
 * return <formula>;} per constant, so the numbering the kernels receive ({@code fn.ordinal()})
 * and the formulas can never fall out of step with the enums.
 */
final class FunctionCases {
    private FunctionCases() {}

    /** The {@code #define}s tensor.cu expects in front of its source. */
    static String definitions() {
        StringBuilder s = new StringBuilder("// generated from org.gradlab.engine.backend.UnaryFn / BinaryFn\n");
        s.append("#define GL_UNARY_CASES");
        for (UnaryFn f : UnaryFn.values()) {
            s.append(" \\\n    case ").append(f.ordinal()).append(": return (").append(f.cuda()).append("); /* ").append(f)
                    .append(" */");
        }
        s.append("\n#define GL_BINARY_CASES");
        for (BinaryFn f : BinaryFn.values()) {
            s.append(" \\\n    case ").append(f.ordinal()).append(": return (").append(f.cuda()).append("); /* ").append(f)
                    .append(" */");
        }
        return s.append("\n").toString();
    }

    /** Hands the generated cases to a device's kernels (before their first launch). */
    static void defineIn(Kernels kernels) {
        kernels.define(TensorKernels.FILE, definitions());
    }
}
