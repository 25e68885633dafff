package org.gradlab.nn.layers;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Functional;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.init.Init;

/**
 * 2-D convolution layer, {@code torch.nn.Conv2d(in, out, k, stride, padding, groups=groups, bias=bias)}:
 * out[n,o] = bias[o] + sum_{c in group(o)} weight[o,c] (*) x[n,c] (cross-correlation, zero padding).
 *
 * <p>Parameters "weight" (out, in/groups, k, k) and "bias" (out) if enabled. Init as PyTorch:
 * weight U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform a=sqrt(5)), bias the same bound,
 * fan_in = in/groups * k * k.
 */
public final class Conv2d extends Module {
    public final int inChannels;
    public final int outChannels;
    public final int kernelSize;
    public final int stride;
    public final int padding;
    public final int groups;

    public Conv2d(int in, int out, int k, int stride, int padding, int groups, boolean bias, Generator gen) {
        if (in <= 0 || out <= 0 || k <= 0 || stride <= 0 || padding < 0 || groups <= 0) {
            throw new IllegalArgumentException("Conv2d: invalid arguments in=" + in + " out=" + out + " k=" + k
                    + " stride=" + stride + " padding=" + padding + " groups=" + groups);
        }
        if (in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("Conv2d: in (" + in + ") and out (" + out + ") channels must be divisible by groups " + groups);
        }
        this.inChannels = in;
        this.outChannels = out;
        this.kernelSize = k;
        this.stride = stride;
        this.padding = padding;
        this.groups = groups;
        int[] wShape = {out, in / groups, k, k};
        registerParameter("weight", Init.defaultWeight(gen, DType.F32, Device.CPU, wShape));
        if (bias) {
            registerParameter("bias", Init.defaultBias(gen, Init.fanIn(wShape), DType.F32, Device.CPU, out));
        }
    }

    public Conv2d(int in, int out, int k, int stride, int padding, int groups, boolean bias) {
        this(in, out, k, stride, padding, groups, bias, Init.defaultGenerator());
    }

    /** Conv2d(in, out, k, stride, padding) with bias, groups 1. */
    public Conv2d(int in, int out, int k, int stride, int padding) {
        this(in, out, k, stride, padding, 1, true);
    }

    public Tensor weight() {
        return param("weight");
    }

    /** The bias, or null when the layer has none. */
    public Tensor bias() {
        return param("bias");
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.conv2d(x, weight(), bias(), stride, padding, groups);
    }

    @Override
    protected String describe() {
        return "(" + inChannels + ", " + outChannels + ", kernel_size=" + kernelSize + ", stride=" + stride
                + ", padding=" + padding + (groups != 1 ? ", groups=" + groups : "") + (bias() == null ? ", bias=False" : "") + ")";
    }
}
