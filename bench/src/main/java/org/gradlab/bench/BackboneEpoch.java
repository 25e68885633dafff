package org.gradlab.bench;

import java.io.PrintStream;
import org.gradlab.challenge.data.MedMnist;
import org.gradlab.challenge.data.Split;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.nn.Module;
import org.gradlab.nn.data.Image;
import org.gradlab.nn.data.transforms.Resize;
import org.gradlab.nn.models.Backbones;
import org.gradlab.nn.optim.AdamW;

/**
 * The recipe {@code bench epoch --model NAME} times, the same as
 * {@code bench/scripts/pytorch_epoch.py --model NAME} so that the two epochs compare: one of the
 * seeds' backbones ({@link Backbones}: torchvision's EfficientNet-B0 with dropout 0.2 and
 * stochastic depth 0.2, or ViT-Tiny with 12 layers) reading the data's own channels (1 for
 * BreastMNIST) with one output per class, AdamW (lr 1e-3, betas 0.9/0.999, eps 1e-8, weight
 * decay 0.01: torch's defaults), batch 32 with the last partial batch kept, mean cross-entropy
 * without class weights or label smoothing, no augmentation, pixels / 255 (no normalisation).
 *
 * <p>NOTE: at another {@code size} than the file's, every training image is resized ONCE before
 * timing (bilinear with PIL's semantics, uint8 out; the PyTorch side calls PIL itself), so both
 * sides train on the same bytes and neither epoch includes the resize.
 */
public final class BackboneEpoch {
    /** Batch size of the recipe. */
    public static final int BATCH = 32;
    /** AdamW's learning rate and weight decay. */
    public static final double LR = 1e-3;
    public static final double WEIGHT_DECAY = 0.01;

    private BackboneEpoch() {
    }

    /** ViT patch side when none is given: 4 below 64 px (7×7 patches at 28), else 8 (8×8 at 64). */
    public static int defaultPatch(int size) {
        return size < 64 ? 4 : 8;
    }

    /** Times one backbone; {@code patch} null takes {@link #defaultPatch}, {@code size} ≤ 0 keeps the file's side. */
    public static EpochBench.Result run(String name, int size, Integer patch, MedMnist data, Split train, Device device, int epochs,
                                        int workers, long seed, boolean profile, PrintStream log) {
        int side = size <= 0 ? train.h() : size;
        int p = patch != null ? patch : defaultPatch(side);
        if (name.equals("vit_tiny") && (p <= 0 || side % p != 0)) {
            throw new IllegalArgumentException("bench epoch --model vit_tiny: --patch must divide the image side " + side + ", got " + p);
        }
        long r0 = System.nanoTime();
        Split images = side == train.h() ? train : resized(train, side);
        double resizeSeconds = (System.nanoTime() - r0) / 1e9;
        Module model = Backbones.create(name, images.c(), data.numClasses(), side, p, new Generator(seed));
        model.to(device);
        log.printf("%s: %,d parameters, input %dx%dx%d%s, %d classes, %d images, batch %d, AdamW lr %s weight decay %s%s%n", name,
                model.parameterCount(), images.c(), side, side, name.equals("vit_tiny") ? ", patch " + p : "", data.numClasses(),
                images.n(), BATCH, LR, WEIGHT_DECAY,
                side == train.h() ? "" : String.format(", resized from %d px once before timing (%.2f s)", train.h(), resizeSeconds));
        AdamW opt = new AdamW(model.trainableParameters(), LR, 0.9, 0.999, 1e-8, WEIGHT_DECAY);
        EpochBench.Setup setup = new EpochBench.Setup(name, model, opt, null, 0.0, BATCH, images, null);
        return EpochBench.time(setup, device, epochs, workers, seed, profile, log);
    }

    /** {@code split} with every image resized to {@code side}×{@code side} (bilinear, PIL's semantics). */
    static Split resized(Split split, int side) {
        int c = split.c();
        int per = side * side * c;
        byte[] out = new byte[split.n() * per];
        for (int i = 0; i < split.n(); i++) {
            Image img = Image.copyOf(split.h(), split.w(), c, split.images(), i * split.imageSize());
            System.arraycopy(Resize.resize(img, side, side).pixels(), 0, out, i * per, per);
        }
        return new Split(split.name(), out, split.labels(), split.n(), side, side, c);
    }
}
