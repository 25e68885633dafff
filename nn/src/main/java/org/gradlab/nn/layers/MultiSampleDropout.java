package org.gradlab.nn.layers;

import java.util.ArrayList;
import java.util.List;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;

/**
 * Multi-sample dropout on a classifier head (the SIIM-ISIC winners' last layer: one shared linear layer behind
 * several dropout masks). In training, {@code samples} independent dropout masks are drawn on the same input and the
 * shared {@code head} is applied to each; the outputs are stacked along the batch axis:
 * <pre>  forward(x) = concat_k head(dropout_k(x))      shape (samples·N, ...), block k = rows k·N .. (k+1)·N−1</pre>
 * so a loss with reduction MEAN over labels tiled {@code samples} times ({@link #tile}) is exactly the mean of the
 * {@code samples} per-mask losses. In eval, dropout is the identity and {@code forward(x) = head(x)}, shape (N, ...).
 *
 * <p>NOTE: the training output has {@code samples} times as many rows as the input; a trainer that does not tile its
 * labels would see a shape error, never a silent mismatch.
 */
public final class MultiSampleDropout extends Module {
    private final int samples;
    private final double p;
    private final List<Dropout> dropouts = new ArrayList<>();

    public MultiSampleDropout(double p, int samples, Module head, Generator gen) {
        if (samples < 1) {
            throw new IllegalArgumentException("MultiSampleDropout: samples must be >= 1, got " + samples);
        }
        this.samples = samples;
        this.p = p;
        for (int k = 0; k < samples; k++) {
            dropouts.add(registerModule("dropout" + k, new Dropout(p, gen.fork())));
        }
        registerModule("head", head);
    }

    /** Dropout masks drawn per training step. */
    public int samples() {
        return samples;
    }

    @Override
    public Tensor forward(Tensor x) {
        Module head = child("head");
        if (!isTraining()) {
            return head.call(x);
        }
        List<Tensor> outs = new ArrayList<>(samples);
        for (Dropout d : dropouts) {
            outs.add(head.call(d.call(x)));
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
