package org.gradlab.nn.data;

import org.gradlab.engine.Tensor;

/**
 * One mini-batch: {@code images} (N,C,H,W) float32, {@code labels} and {@code labelsTensor}
 * (N) float32 class indices, both on the loader's device.
 *
 * <p>NOTE (memory): batch tensors are allocated outside any {@link org.gradlab.engine.MemoryScope}
 * (they are built on worker threads, and scopes are thread-local), so a training step's scope does
 * NOT free them. Close the batch ({@code try (Batch b = ...)}) to release its storages at once;
 * otherwise they are freed by the GC's Cleaner when unreachable.
 */
public final class Batch implements AutoCloseable {
    private final Tensor images;
    private final int[] labels;
    private final Tensor labelsTensor;
    private final int index;
    private boolean closed;

    public Batch(Tensor images, int[] labels, Tensor labelsTensor, int index) {
        this.images = images;
        this.labels = labels;
        this.labelsTensor = labelsTensor;
        this.index = index;
    }

    public Tensor images() {
        return images;
    }

    public int[] labels() {
        return labels;
    }

    public Tensor labelsTensor() {
        return labelsTensor;
    }

    /** Position of this batch in its epoch (0-based). */
    public int index() {
        return index;
    }

    public int size() {
        return labels.length;
    }

    /** Releases the storages of both tensors (idempotent). */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            images.release();
            labelsTensor.release();
        }
    }
}
