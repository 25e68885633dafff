import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.check.GradCheck;

/**
 * Your own op with forward and backward side by side, as the engine's ops are written
 * (engine/src/main/java/org/gradlab/engine/ops/Mul.java): softplus(x) = log(1 + exp(x)).
 */
public class CustomOp {
    /** softplus(x) = log(1 + e^x); d softplus/dx = sigmoid(x). */
    @Derivative("d softplus(x)/dx = sigmoid(x)")
    static final class Softplus extends Op {
        static Tensor apply(Tensor x) {
            Tensor out;
            try (var off = org.gradlab.engine.autograd.GradMode.noGrad()) { // the forward's own ops are not recorded
                out = x.exp().add(1.0).log();
            }
            if (Autograd.isRecording(x)) {
                Softplus op = new Softplus();
                op.save(x);                       // backward needs only x
                Autograd.record(op, out, x);
            }
            return out;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {needsGrad(0) ? g.mul(saved(0).sigmoid()) : null};
        }
    }

    public static void main(String[] args) {
        Tensor x = Tensor.normal(new Generator(1), 0, 2, DType.F64, Device.CPU, 5);
        Tensor y = Softplus.apply(x.detach().requiresGrad(true));
        System.out.println("softplus = " + java.util.Arrays.toString(y.toDoubleArray()));
        GradCheck.Result r = GradCheck.check("softplus", in -> Softplus.apply(in[0]), x);
        System.out.printf("gradcheck softplus: max abs error %.2e -> %s%n", r.maxAbsError(), r.passed() ? "PASS" : "FAIL");
        if (!r.passed()) {
            System.exit(1);
        }
    }
}
