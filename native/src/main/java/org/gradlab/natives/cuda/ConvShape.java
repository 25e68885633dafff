package org.gradlab.natives.cuda;

import java.util.Arrays;

/**
 * The shape of a 2-D convolution (NCHW input, KCRS filter), used as the key of cuDNN's per-shape
 * algorithm cache. Pure value class, GPU-free.
 *
 * @param type   element type
 * @param x      input shape {N, C, H, W}
 * @param w      filter shape {K, C/groups, R, S}
 * @param pad    {padH, padW}
 * @param stride {strideH, strideW}
 * @param dilation {dilationH, dilationW}
 * @param groups number of groups
 */
public record ConvShape(DType type, int[] x, int[] w, int[] pad, int[] stride, int[] dilation, int groups) {
    public ConvShape {
        x = x.clone();
        w = w.clone();
        pad = pad.clone();
        stride = stride.clone();
        dilation = dilation.clone();
        if (x.length != 4 || w.length != 4 || pad.length != 2 || stride.length != 2 || dilation.length != 2) {
            throw new IllegalArgumentException("conv2d wants x[4], w[4], pad[2], stride[2], dilation[2]");
        }
        if (groups < 1 || x[1] % groups != 0 || w[0] % groups != 0 || w[1] * groups != x[1]) {
            throw new IllegalArgumentException("conv2d channels: input C=" + x[1] + ", filter " + Arrays.toString(w)
                    + ", groups=" + groups);
        }
    }

    /** Output shape {N, K, P, Q} with P = (H + 2p - d(R-1) - 1)/s + 1 (floor). */
    public int[] output() {
        int p = (x[2] + 2 * pad[0] - dilation[0] * (w[2] - 1) - 1) / stride[0] + 1;
        int q = (x[3] + 2 * pad[1] - dilation[1] * (w[3] - 1) - 1) / stride[1] + 1;
        if (p <= 0 || q <= 0) {
            throw new IllegalArgumentException("conv2d output would be empty for input " + Arrays.toString(x) + ", filter "
                    + Arrays.toString(w));
        }
        return new int[] {x[0], w[0], p, q};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvShape c && type == c.type && groups == c.groups && Arrays.equals(x, c.x)
                && Arrays.equals(w, c.w) && Arrays.equals(pad, c.pad) && Arrays.equals(stride, c.stride)
                && Arrays.equals(dilation, c.dilation);
    }

    @Override
    public int hashCode() {
        return ((((type.hashCode() * 31 + Arrays.hashCode(x)) * 31 + Arrays.hashCode(w)) * 31 + Arrays.hashCode(pad)) * 31
                + Arrays.hashCode(stride)) * 31 + Arrays.hashCode(dilation) * 7 + groups;
    }

    @Override
    public String toString() {
        return "conv2d " + type + " x" + Arrays.toString(x) + " w" + Arrays.toString(w) + " pad" + Arrays.toString(pad)
                + " stride" + Arrays.toString(stride) + " dil" + Arrays.toString(dilation) + " groups=" + groups;
    }
}
