package org.gradlab.nn.layers;

import java.util.ArrayList;
import java.util.List;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;

/**
 * Multi-sample dropout (the SIIM-ISIC winners' last layer: one shared linear layer behind several dropout masks), as
 * a drop-in replacement for the {@link Dropout} before a classifier. In training it draws {@code samples} independent
 * masks on the same input and stacks the results along the batch axis:
 * <pre>  forward(x) = concat_k dropout_k(x)      shape (samples·N, ...), block k = rows k·N .. (k+1)·N−1</pre>
 * so the layers after it (the shared head) score every masked copy, and a loss with reduction MEAN over labels
 * tiled {@code samples} times ({@link #tile}) is exactly the mean of the {@code samples} per-mask losses. In eval,
 * dropout is the identity and {@code forward(x) = x}. It has no parameters: a model's state dict is the same with
 * or without it.
 *
 * <p>NOTE: the training output has {@code samples} times as many rows as the input; a trainer that does not tile its
 * labels gets a shape error, never a silent mismatch.
 */
public final class MultiSampleDropout extends Module {
    private final int samples;
    private final double p;
    private final List<Dropout> dropouts = new ArrayList<>();

    /** @param gen the masks' generators are forked from it, one per sample */
    public MultiSampleDropout(double p, int samples, Generator gen) {
        if (samples < 1) {
            throw new IllegalArgumentException("MultiSampleDropout: samples must be >= 1, got " + samples);
        }
        this.samples = samples;
        this.p = p;
        for (int k = 0; k < samples; k++) {
            dropouts.add(registerModule("mask" + k, new Dropout(p, gen.fork())));
        }
    }

    /** Dropout masks drawn per training step. */
    public int samples() {
        return samples;
    }

    public double p() {
        return p;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining()) {
            return x;
        }
        List<Tensor> outs = new ArrayList<>(samples);
        for (Dropout d : dropouts) {
            outs.add(d.call(x));
        }
        return samples == 1 ? outs.get(0) : Tensor.concat(outs, 0);
    }

    /** {@code labels} repeated {@code times} times, block after block: the targets of a training output. */
    public static int[] tile(int[] labels, int times) {
        int[] out = new int[labels.length * times];
        for (int k = 0; k < times; k++) {
            System.arraycopy(labels, 0, out, k * labels.length, labels.length);
        }
        return out;
    }

    @Override
    protected String describe() {
        return "(p=" + p + ", samples=" + samples + ")";
    }
}
