import java.nio.file.Path;
import org.gradlab.challenge.data.MedMnist;
import org.gradlab.challenge.data.Split;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.CrossEntropy;
import org.gradlab.nn.Module;
import org.gradlab.nn.layers.*;
import org.gradlab.nn.optim.Adam;

/** A small CNN trained on BreastMNIST (28x28 grayscale, 2 classes). Args: [npz] [epochs]. */
public class BreastMnistCnn {
    public static void main(String[] args) throws Exception {
        MedMnist data = MedMnist.load(Path.of(args.length > 0 ? args[0] : "engine/src/test/resources/fixtures/data/breastmnist.npz"));
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Module model = new Sequential(new Conv2d(1, 16, 3, 1, 1), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2),
                new Conv2d(16, 32, 3, 1, 1), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(32 * 7 * 7, data.numClasses()));
        Adam opt = new Adam(model.parameters(), 1e-3);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            model.train();
            double lossSum = 0;
            Split s = data.train();
            for (int from = 0; from < s.n(); from += 32) {
                int to = Math.min(s.n(), from + 32);
                try (MemoryScope step = MemoryScope.open()) {
                    opt.zeroGrad();
                    Tensor loss = CrossEntropy.apply(model.forward(images(s, from, to)), labels(s, from, to), null, 0, Reduction.MEAN);
                    loss.backward();
                    opt.step();
                    lossSum += loss.item() * (to - from);
                }
            }
            model.eval();
            int correct = 0;
            try (MemoryScope eval = MemoryScope.open()) {
                Split v = data.val();
                double[] logits = model.forward(images(v, 0, v.n())).toDoubleArray();
                for (int i = 0; i < v.n(); i++) {
                    correct += (logits[2 * i + 1] > logits[2 * i] ? 1 : 0) == v.labels()[i] ? 1 : 0;
                }
            }
            System.out.printf("epoch %d: train loss %.4f, val accuracy %.3f%n", epoch, lossSum / s.n(), correct / (double) data.val().n());
        }
    }

    /** Images [from, to) as an (N, 1, 28, 28) float32 tensor in [0, 1] (grayscale: HWC and CHW agree). */
    static Tensor images(Split s, int from, int to) {
        float[] x = new float[(to - from) * s.imageSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (s.images()[from * s.imageSize() + i] & 0xFF) / 255f;
        }
        return Tensor.of(x, to - from, s.c(), s.h(), s.w());
    }

    static int[] labels(Split s, int from, int to) {
        return java.util.Arrays.copyOfRange(s.labels(), from, to);
    }
}
