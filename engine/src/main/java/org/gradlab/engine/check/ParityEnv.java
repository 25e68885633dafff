package org.gradlab.engine.check;

import java.util.LinkedHashMap;
import java.util.Map;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;

/**
 * What one {@link BackendParity} case runs in: a device, a dtype and a seeded generator. Inputs
 * are drawn on the host in a fixed order (so every device sees the same numbers) and uploaded;
 * results are downloaded under a name and compared across devices.
 */
public final class ParityEnv {
    private final Device device;
    private final DType dtype;
    private final Generator gen;
    private final Map<String, double[]> results = new LinkedHashMap<>();

    ParityEnv(Device device, DType dtype, long seed) {
        this.device = device;
        this.dtype = dtype;
        this.gen = new Generator(seed);
    }

    public Device device() {
        return device;
    }

    public DType dtype() {
        return dtype;
    }

    public Generator gen() {
        return gen;
    }

    /** Uniform data in [lo, hi) on the device (no gradient). */
    public Tensor data(double lo, double hi, int... shape) {
        return Tensor.uniform(gen, lo, hi, dtype, Device.CPU, shape).to(device);
    }

    /** Uniform leaf in [lo, hi) on the device that requires grad. */
    public Tensor leaf(double lo, double hi, int... shape) {
        return data(lo, hi, shape).requiresGrad(true);
    }

    /** Integers in [lo, hi) as a leaf requiring grad: many exact ties (max, pooling). */
    public Tensor ties(int lo, int hi, int... shape) {
        double[] d = new double[Math.toIntExact(org.gradlab.engine.Shape.numel(shape))];
        for (int i = 0; i < d.length; i++) {
            d[i] = lo + gen.nextInt(hi - lo);
        }
        return Tensor.of(dtype, Device.CPU, d, shape).to(device).requiresGrad(true);
    }

    /** Class indices in [0, classes). */
    public int[] classes(int n, int classes) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = gen.nextInt(classes);
        }
        return y;
    }

    /** Backpropagates a random upstream gradient of out's shape. */
    public void backward(Tensor out) {
        out.backward(data(-1, 1, out.shape()));
    }

    /** Records a result (downloaded now); null records "missing". */
    public void out(String name, Tensor t) {
        results.put(name, t == null ? null : t.toDoubleArray());
    }

    Map<String, double[]> results() {
        return results;
    }
}
