package org.gradlab.bench;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;

/**
 * An activation of shape (batch, C, H, H) with batch-norm parameters for its C channels, as the
 * memory-bound benchmarks ({@link PoolNormBench}, {@link ElementwiseBench}) use it; built from a
 * "CxH" shape parameter.
 */
record ChannelInputs(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar) {
    static ChannelInputs of(String shape, int batch, Generator gen) {
        String[] s = shape.split("x");
        int c = Integer.parseInt(s[0]);
        int h = Integer.parseInt(s[1]);
        return new ChannelInputs(Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, batch, c, h, h),
                Tensor.normal(gen, 1, 0.1, DType.F32, Device.CPU, c), Tensor.normal(gen, 0, 0.1, DType.F32, Device.CPU, c),
                Tensor.zeros(DType.F32, Device.CPU, c), Tensor.ones(DType.F32, Device.CPU, c));
    }

    /** Elements of a "CxH" activation at {@code batch}: what ns-per-element figures divide by. */
    static long elements(String shape, long batch) {
        String[] s = shape.split("x");
        return batch * Long.parseLong(s[0]) * Long.parseLong(s[1]) * Long.parseLong(s[1]);
    }

    int channels() {
        return weight.shape(0);
    }
}
