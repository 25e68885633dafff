package org.gradlab.nn.layers;

import org.gradlab.engine.Functional;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;

/** Mean over k x k windows; divisor k*k (countIncludePad) or the number of non-pad elements. */
public final class AvgPool2d extends Module {
    public final int kernelSize;
    public final int stride;
    public final int padding;
    public final boolean countIncludePad;

    public AvgPool2d(int k, int stride, int padding, boolean countIncludePad) {
        this.kernelSize = k;
        this.stride = stride;
        this.padding = padding;
        this.countIncludePad = countIncludePad;
    }

    /** AvgPool2d(k): stride k, no padding, count_include_pad True (PyTorch defaults). */
    public AvgPool2d(int k) {
        this(k, k, 0, true);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.avgPool2d(x, kernelSize, stride, padding, countIncludePad);
    }
}
