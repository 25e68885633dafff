package org.gradlab.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.gradlab.challenge.data.MedMnist;
import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.metrics.RocAuc;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.GradMode;
import org.gradlab.engine.ops.CrossEntropy;
import org.gradlab.engine.ops.SoftTargetCrossEntropy;
import org.gradlab.nn.Module;
import org.gradlab.nn.data.ArrayDataset;
import org.gradlab.nn.data.Batch;
import org.gradlab.nn.data.DataLoader;
import org.gradlab.nn.data.Image;
import org.gradlab.nn.data.mix.MixedBatch;
import org.gradlab.nn.data.mix.Mixup;
import org.gradlab.nn.data.transforms.Compose;
import org.gradlab.nn.data.transforms.RandomHorizontalFlip;
import org.gradlab.nn.data.transforms.Resize;
import org.gradlab.nn.data.transforms.ToTensor;
import org.gradlab.nn.models.EfficientNet;
import org.gradlab.nn.models.VisionTransformer;
import org.gradlab.nn.optim.AdamW;
import org.gradlab.nn.optim.Optimizer;
import org.gradlab.nn.optim.lr.CosineAnnealingLR;

/**
 * Trains one of the seeds' backbones from scratch on a binary MedMNIST file (BreastMNIST) and
 * reports, per epoch, the seconds, the mean training loss and the validation AUC (the
 * probability of class 1 from softmax, eval mode). The model reads the images' own channels
 * (1 for grayscale); optional Resize to {@code size}, random horizontal flip, optional Mixup;
 * AdamW (weight decay 0.01) with cosine annealing over the epochs.
 */
public final class BackboneTraining {
    /** What to train and how. */
    public record Options(String model, int size, int patch, int layers, int epochs, int batch, double lr, double mixupAlpha,
                          Integer limitTrain, long seed, Device device) {
    }

    /** One epoch's figures. */
    public record EpochLine(int epoch, double seconds, double trainLoss, double valAuc) {
    }

    private BackboneTraining() {
    }

    /** The backbone {@code o.model()} for images with {@code channels} channels. */
    static Module model(Options o, int channels, int classes, Generator g) {
        return switch (o.model()) {
            case "efficientnet_b0" -> EfficientNet.b0(channels, classes, g);
            case "vit_tiny" -> VisionTransformer.vitTiny(o.size(), o.patch(), o.layers(), channels, classes, g);
            default -> throw new IllegalArgumentException("unknown backbone '" + o.model() + "': expected efficientnet_b0 or vit_tiny");
        };
    }

    public static List<EpochLine> run(MedMnist data, Options o, PrintStream log) {
        Split train = data.train();
        int n = o.limitTrain() == null ? train.n() : Math.min(train.n(), o.limitTrain());
        int classes = data.numClasses();
        Module model = model(o, train.c(), classes, new Generator(o.seed()));
        model.to(o.device());
        log.printf("%s: %,d parameters, input %dx%dx%d, %d training images, %d validation%n", o.model(), model.parameterCount(),
                train.c(), o.size(), o.size(), n, data.val().n());
        Optimizer opt = new AdamW(model.trainableParameters(), o.lr(), 0.9, 0.999, 1e-8, 0.01);
        CosineAnnealingLR schedule = new CosineAnnealingLR(opt, o.epochs());
        byte[] images = java.util.Arrays.copyOf(train.images(), n * train.imageSize());
        int[] labels = java.util.Arrays.copyOf(train.labels(), n);
        DataLoader.Builder b = DataLoader.builder(new ArrayDataset(images, labels, train.h(), train.w(), train.c()))
                .batchSize(o.batch()).shuffle(true).seed(o.seed()).workers(1).device(o.device())
                .transform(o.size() == train.h() ? new RandomHorizontalFlip(0.5) : Compose.of(new Resize(o.size()), new RandomHorizontalFlip(0.5)));
        Generator mixRng = new Generator(o.seed() + 1);
        List<EpochLine> lines = new ArrayList<>();
        try (DataLoader loader = b.build()) {
            for (int ep = 0; ep < o.epochs(); ep++) {
                model.train();
                long t0 = System.nanoTime();
                double lossSum = 0;
                int steps = 0;
                for (Batch batch : loader.epoch(ep)) {
                    try (batch; MemoryScope step = MemoryScope.open()) {
                        Tensor loss;
                        if (o.mixupAlpha() > 0) {
                            MixedBatch m = new Mixup(o.mixupAlpha()).apply(batch.images(), batch.labels(), classes, mixRng);
                            loss = SoftTargetCrossEntropy.apply(model.forward(m.images()), m.targets(), 0.0, Reduction.MEAN);
                        } else {
                            loss = CrossEntropy.apply(model.forward(batch.images()), batch.labels(), null, 0.0, Reduction.MEAN);
                        }
                        opt.zeroGrad();
                        loss.backward();
                        opt.step();
                        lossSum += loss.item();
                        steps++;
                    }
                }
                schedule.step();
                double secs = (System.nanoTime() - t0) / 1e9;
                double auc = valAuc(model, data.val(), o);
                EpochLine line = new EpochLine(ep + 1, secs, lossSum / steps, auc);
                lines.add(line);
                log.printf("  epoch %d: %.1f s, train loss %.4f, val AUC %.4f%n", line.epoch(), line.seconds(), line.trainLoss(), line.valAuc());
            }
        }
        return lines;
    }

    /** Binary AUC of the class-1 probability on {@code split} (eval mode, the same Resize as training). */
    static double valAuc(Module model, Split split, Options o) {
        model.eval();
        int c = split.c(), s = o.size();
        double[] score = new double[split.n()];
        try (GradMode ng = GradMode.noGrad()) {
            for (int start = 0; start < split.n(); start += 64) {
                int m = Math.min(64, split.n() - start);
                try (MemoryScope scope = MemoryScope.open()) {
                    float[] x = new float[m * c * s * s];
                    for (int i = 0; i < m; i++) {
                        Image img = Image.copyOf(split.h(), split.w(), c, split.images(), (start + i) * split.imageSize());
                        ToTensor.write(Resize.resize(img, s, s), x, i * c * s * s);
                    }
                    double[] logits = model.forward(Tensor.of(x, m, c, s, s).to(o.device())).toDoubleArray();
                    int k = logits.length / m;
                    for (int i = 0; i < m; i++) {
                        // softmax probability of class 1 is monotone in logit1 - logit0 for 2 classes
                        score[start + i] = k == 2 ? logits[i * k + 1] - logits[i * k] : logits[i * k + 1];
                    }
                }
            }
        }
        model.train();
        return RocAuc.binary(score, split.labels());
    }
}
