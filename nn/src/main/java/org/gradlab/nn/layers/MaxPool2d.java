package org.gradlab.nn.layers;

import org.gradlab.engine.Functional;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;

/** Max over k x k windows (padding -inf, floor mode); gradient to the first maximum. */
public final class MaxPool2d extends Module {
    public final int kernelSize;
    public final int stride;
    public final int padding;

    public MaxPool2d(int k, int stride, int padding) {
        this.kernelSize = k;
        this.stride = stride;
        this.padding = padding;
    }

    /** MaxPool2d(k): stride k, no padding (PyTorch's default stride = kernel size). */
    public MaxPool2d(int k) {
        this(k, k, 0);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.maxPool2d(x, kernelSize, stride, padding);
    }

    @Override
    protected String describe() {
        return "(kernel_size=" + kernelSize + ", stride=" + stride + ", padding=" + padding + ")";
    }
}
