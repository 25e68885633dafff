package org.gradlab.nn.init;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;

/**
 * Weight initialisers with PyTorch's distributions ({@code torch.nn.init}), drawn from a seeded
 * {@link Generator}. Every result is a new persistent tensor (allocated in
 * {@link MemoryScope#persistent()}).
 *
 * <p>fan_in = shape[1] * prod(shape[2:]), fan_out = shape[0] * prod(shape[2:]).
 * gain(leaky_relu, a) = sqrt(2 / (1 + a^2)).
 * <ul>
 * <li>kaiming_uniform(a): U(-b, b), b = gain * sqrt(3 / fan_in). With a = sqrt(5) (PyTorch's
 * default for Conv2d/Linear weights) gain = sqrt(1/3), so b = 1/sqrt(fan_in).</li>
 * <li>kaiming_normal(fan_out, relu): N(0, std^2), std = sqrt(2) / sqrt(fan_out).</li>
 * <li>default bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with the weight's fan_in.</li>
 * </ul>
 * NOTE: the numbers follow PyTorch's distributions, not its random stream: a seeded Generator
 * gives reproducible but different values than torch.manual_seed.
 */
public final class Init {
    private static final Generator DEFAULT = new Generator(0x5EEDL);

    private Init() {
    }

    /** Process-wide generator used by layer constructors that are given none (like torch's global RNG). */
    public static synchronized Generator defaultGenerator() {
        return DEFAULT;
    }

    public static int fanIn(int... shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("fan_in needs a tensor with at least 2 dims, got " + shape.length);
        }
        return shape[1] * receptive(shape);
    }

    public static int fanOut(int... shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("fan_out needs a tensor with at least 2 dims, got " + shape.length);
        }
        return shape[0] * receptive(shape);
    }

    private static int receptive(int[] shape) {
        int r = 1;
        for (int i = 2; i < shape.length; i++) {
            r *= shape[i];
        }
        return r;
    }

    /** gain for leaky_relu with negative slope a: sqrt(2/(1+a^2)). */
    public static double leakyReluGain(double a) {
        return Math.sqrt(2.0 / (1 + a * a));
    }

    public static Tensor uniform(Generator gen, double lo, double hi, DType dtype, Device device, int... shape) {
        try (MemoryScope p = MemoryScope.persistent()) {
            return Tensor.uniform(gen, lo, hi, dtype, device, shape);
        }
    }

    public static Tensor normal(Generator gen, double mean, double std, DType dtype, Device device, int... shape) {
        try (MemoryScope p = MemoryScope.persistent()) {
            return Tensor.normal(gen, mean, std, dtype, device, shape);
        }
    }

    public static Tensor constant(double value, DType dtype, Device device, int... shape) {
        try (MemoryScope p = MemoryScope.persistent()) {
            return Tensor.full(dtype, device, value, shape);
        }
    }

    /** kaiming_uniform_(a, mode='fan_in', nonlinearity='leaky_relu'): U(-b,b), b = gain(a)*sqrt(3/fan_in). */
    public static Tensor kaimingUniform(Generator gen, double a, DType dtype, Device device, int... shape) {
        double bound = leakyReluGain(a) * Math.sqrt(3.0 / fanIn(shape));
        return uniform(gen, -bound, bound, dtype, device, shape);
    }

    /** kaiming_normal_(mode='fan_out', nonlinearity='relu'): N(0, 2/fan_out) — torchvision ResNet convs. */
    public static Tensor kaimingNormalFanOut(Generator gen, DType dtype, Device device, int... shape) {
        double std = Math.sqrt(2.0) / Math.sqrt(fanOut(shape));
        return normal(gen, 0, std, dtype, device, shape);
    }

    /** PyTorch's default Conv2d/Linear weight: kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    public static Tensor defaultWeight(Generator gen, DType dtype, Device device, int... shape) {
        return kaimingUniform(gen, Math.sqrt(5), dtype, device, shape);
    }

    /** PyTorch's default Conv2d/Linear bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in of the weight. */
    public static Tensor defaultBias(Generator gen, int fanIn, DType dtype, Device device, int n) {
        double bound = fanIn > 0 ? 1.0 / Math.sqrt(fanIn) : 0;
        return uniform(gen, -bound, bound, dtype, device, n);
    }

    /** Overwrites {@code dst} in place with {@code src} (both persistent-safe). */
    public static void copyInto(Tensor dst, Tensor src) {
        try (MemoryScope s = MemoryScope.open()) {
            dst.backend().elementwise().copyInto(dst, src.detach().to(dst.dtype()));
        }
    }
}
