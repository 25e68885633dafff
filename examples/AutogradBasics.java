import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.check.GradCheck;

/** Tensors, autograd and gradcheck in a few lines. Run: ./gradlab example AutogradBasics (or see examples/README.md). */
public class AutogradBasics {
    public static void main(String[] args) {
        // y = sum(x * w + x^2); dy/dx = w + 2x, dy/dw = x
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        Tensor w = Tensor.of(new double[] {0.5, -1, 2, 0}, 2, 2).requiresGrad(true);
        Tensor y = x.mul(w).add(x.pow(2)).sum();
        y.backward();
        System.out.println("y = " + y.item());
        System.out.println("dy/dx = " + java.util.Arrays.toString(x.grad().toDoubleArray()));
        System.out.println("dy/dw = " + java.util.Arrays.toString(w.grad().toDoubleArray()));

        // gradcheck: autograd against float64 central differences, for any composition of ops
        Generator gen = new Generator(0);
        Tensor a = Tensor.normal(gen, 0, 1, DType.F64, Device.CPU, 3, 4);
        Tensor b = Tensor.normal(gen, 0, 1, DType.F64, Device.CPU, 4, 2);
        GradCheck.Result r = GradCheck.check("tanh(a @ b)", in -> in[0].matmul(in[1]).tanh(), a, b);
        System.out.printf("gradcheck %s: max abs error %.2e -> %s%n", r.op(), r.maxAbsError(), r.passed() ? "PASS" : "FAIL");
        if (!r.passed()) {
            System.exit(1);
        }
    }
}
