package org.gradlab.challenge.run;

import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.metrics.Bootstrap;
import org.gradlab.challenge.metrics.ClassificationMetrics;
import org.gradlab.challenge.metrics.ClinicalClasses;
import org.gradlab.challenge.report.SplitMetrics;
import org.gradlab.engine.Device;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.GradMode;
import org.gradlab.nn.Module;
import org.gradlab.nn.data.Image;
import org.gradlab.nn.data.transforms.Normalize;
import org.gradlab.nn.data.transforms.ToTensor;

/**
 * Evaluates a model on a split with the study's locked evaluation transform (ToTensor only):
 * softmax probabilities in eval mode, then the metrics of {@link ClassificationMetrics}.
 */
public final class Evaluation {
    private static final int BATCH = 256;

    private Evaluation() {}

    /** Class probabilities, one row per image. */
    public static double[][] probabilities(Module model, Split split, Device device) {
        return probabilities(model, split, device, null, null);
    }

    /**
     * Class probabilities after ToTensor and, when {@code mean} is not null, Normalize(mean, std): the evaluation
     * transform of a study whose {@code input.normalize} is set.
     */
    public static double[][] probabilities(Module model, Split split, Device device, float[] mean, float[] std) {
        return probabilities(model, split, device, mean, std, java.util.function.UnaryOperator.identity());
    }

    /** The same, every image first turned into {@code view} of it (a test-time-augmentation view). */
    public static double[][] probabilities(Module model, Split split, Device device, float[] mean, float[] std,
                                           java.util.function.UnaryOperator<Image> view) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double[][] probs = new double[split.n()][];
        int hw = split.h() * split.w();
        int c = split.c();
        try (GradMode ng = GradMode.noGrad()) {
            for (int start = 0; start < split.n(); start += BATCH) {
                int n = Math.min(BATCH, split.n() - start);
                try (MemoryScope scope = MemoryScope.open()) {
                    float[] x = new float[n * c * hw];
                    for (int i = 0; i < n; i++) {
                        ToTensor.write(view.apply(split.image(start + i)),
                                x, i * c * hw);
                        if (mean != null) {
                            Normalize.normalize(x, i * c * hw, c, hw, mean, std);
                        }
                    }
                    Tensor input = Tensor.of(x, n, c, split.h(), split.w()).to(device);
                    double[] logits = model.forward(input).toDoubleArray();
                    int k = logits.length / n;
                    for (int i = 0; i < n; i++) {
                        probs[start + i] = softmax(logits, i * k, k);
                    }
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return probs;
    }

    static double[] softmax(double[] logits, int off, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, logits[off + j]);
        }
        double[] p = new double[k];
        double sum = 0;
        for (int j = 0; j < k; j++) {
            p[j] = Math.exp(logits[off + j] - max);
            sum += p[j];
        }
        for (int j = 0; j < k; j++) {
            p[j] /= sum;
        }
        return p;
    }

    /** The report's metrics for one split; with {@code bootstrapSeed} non-null, 95 % intervals too. */
    public static SplitMetrics metrics(double[][] probs, int[] labels, int classes, Long bootstrapSeed) {
        ClassificationMetrics m = ClassificationMetrics.compute(probs, labels, classes, ClinicalClasses.DERMAMNIST);
        SplitMetrics s = new SplitMetrics(m.macroAuc(), m.accuracy(), m.balancedAccuracy(), m.melanomaRecall(),
                m.cancerSensitivity(), m.cancerAsAnyCancer(), m.recall(), m.auc(), m.confusion());
        if (bootstrapSeed == null) {
            return s;
        }
        Bootstrap b = new Bootstrap(bootstrapSeed);
        Bootstrap.Interval auc = b.macroAuc(probs, labels, classes);
        Bootstrap.Interval mel = b.melanomaRecall(probs, labels, classes, ClinicalClasses.DERMAMNIST);
        return s.withIntervals(new double[] {auc.lower(), auc.upper()}, new double[] {mel.lower(), mel.upper()});
    }
}
