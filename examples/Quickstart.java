import org.gradlab.engine.*;
import org.gradlab.engine.ops.CrossEntropy;
import org.gradlab.nn.layers.*;
import org.gradlab.nn.optim.Adam;

/** The README's library example ("Use it as a library"), line for line; ExamplesTest keeps the two equal. */
public class Quickstart {
    public static void main(String[] args) {
        Tensor x = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
        int[] y = {0, 1, 1, 0};
        var model = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 2));
        var opt = new Adam(model.parameters(), 0.05);
        for (int step = 0; step < 200; step++) {
            try (MemoryScope scope = MemoryScope.open()) {       // frees this step's tensors
                opt.zeroGrad();
                Tensor loss = CrossEntropy.apply(model.forward(x), y, null, 0, Reduction.MEAN);
                loss.backward();                                  // gradients of every parameter
                opt.step();
                if (step % 50 == 0) System.out.println(step + ": loss " + loss.item());
            }
        }
        Tensor w = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        w.mul(w).sum().backward();                               // w.grad() = 2w = [2, 4, 6]
        System.out.println("w.grad() = " + java.util.Arrays.toString(w.grad().toDoubleArray()));
        System.out.println("final loss " + finalLoss(model, x, y));
    }

    static double finalLoss(Sequential model, Tensor x, int[] y) {
        try (MemoryScope scope = MemoryScope.open()) {
            return CrossEntropy.apply(model.forward(x), y, null, 0, Reduction.MEAN).item();
        }
    }
}
