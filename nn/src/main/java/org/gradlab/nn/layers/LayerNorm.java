package org.gradlab.nn.layers;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Functional;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.init.Init;

/**
 * {@code torch.nn.LayerNorm(normalized_shape, eps, elementwise_affine)}: normalises over the last
 * dims given by {@code normalizedShape} (see the engine's {@code ops.LayerNorm} for the math).
 * "weight" (ones) and "bias" (zeros) of shape {@code normalizedShape} when affine.
 */
public final class LayerNorm extends Module {
    public final int[] normalizedShape;
    public final double eps;

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        if (normalizedShape.length == 0) {
            throw new IllegalArgumentException("LayerNorm: normalized_shape must name at least one dim");
        }
        for (int d : normalizedShape) {
            if (d <= 0) {
                throw new IllegalArgumentException("LayerNorm: dims must be positive, got " + java.util.Arrays.toString(normalizedShape));
            }
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm: eps must be > 0, got " + eps);
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        if (elementwiseAffine) {
            registerParameter("weight", Init.constant(1, DType.F32, Device.CPU, normalizedShape));
            registerParameter("bias", Init.constant(0, DType.F32, Device.CPU, normalizedShape));
        }
    }

    /** Over the last dim of size {@code dim}, with weight and bias. */
    public LayerNorm(int dim, double eps) {
        this(new int[] {dim}, eps, true);
    }

    /** PyTorch's default eps 1e-5. */
    public LayerNorm(int dim) {
        this(dim, 1e-5);
    }

    public Tensor weight() {
        return param("weight");
    }

    public Tensor bias() {
        return param("bias");
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.layerNorm(x, normalizedShape, weight(), bias(), eps);
    }

    @Override
    protected String describe() {
        return "(" + java.util.Arrays.toString(normalizedShape) + ", eps=" + eps + ", elementwise_affine=" + (weight() != null) + ")";
    }
}
