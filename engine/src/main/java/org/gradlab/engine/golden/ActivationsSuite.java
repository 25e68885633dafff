package org.gradlab.engine.golden;

import java.util.Optional;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.check.OpCases;

/**
 * activations.npz: every case named after a one-input op of {@link OpCases} ({@code sigmoid},
 * {@code silu}, {@code gelu}, {@code gelu_tanh}, ...) runs that op's function on {@code x}:
 * {@code out}, then {@code grad_x} for the stored {@code grad_out}. A new elementwise op is
 * checked here as soon as its case is registered under the fixture's case name. The file's other
 * cases (softmax, matmul, linear) are listed as not checked until code for them is added to
 * {@link #handles} / {@link #runCase}.
 */
public final class ActivationsSuite extends OpSuite {
    public ActivationsSuite() {
        super("activations.npz");
    }

    private static Optional<OpCases.Case> unaryOp(String caseName) {
        return OpCases.all().stream().filter(k -> k.op().equals(caseName) && k.inputs().size() == 1).findFirst();
    }

    @Override
    protected boolean handles(String caseName) {
        return unaryOp(caseName).isPresent();
    }

    @Override
    protected void runCase(CaseData d) {
        OpCases.Case op = unaryOp(d.caseName()).orElseThrow();
        Tensor x = d.param("x");
        Tensor out = op.f().apply(new Tensor[] {x});
        d.compare("out", out);
        out.backward(d.upstream(out));
        d.compare("grad_x", x.grad());
    }
}
