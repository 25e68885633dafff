package org.gradlab.engine.golden;

import java.util.Arrays;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.Npz;

/**
 * One case of a fixture run by the engine in one dtype. Inputs come from the group of the same
 * precision ({@code f32}/{@code f64}, bit-identical values); references always from the
 * {@code f64} group. Results are reported under the engine's group name ("f64" or "f32").
 */
public final class CaseData {
    private final Npz npz;
    private final String file;
    private final String caseName;
    private final DType dtype;
    private final Reporter reporter;
    private final Device device;

    public CaseData(Npz npz, String file, String caseName, DType dtype, Reporter reporter) {
        this(npz, file, caseName, dtype, reporter, Device.CPU);
    }

    /** A case whose engine tensors live on {@code device} (inputs are uploaded there). */
    public CaseData(Npz npz, String file, String caseName, DType dtype, Reporter reporter, Device device) {
        this.npz = npz;
        this.file = file;
        this.caseName = caseName;
        this.dtype = dtype;
        this.reporter = reporter;
        this.device = device;
    }

    public Device device() {
        return device;
    }

    public String caseName() {
        return caseName;
    }

    public DType dtype() {
        return dtype;
    }

    public String group() {
        return dtype == DType.F64 ? "f64" : "f32";
    }

    /** Whether the reference group holds array {@code name}. */
    public boolean has(String name) {
        return npz.has(caseName + ".f64." + name);
    }

    /** The float64 reference array. */
    public NpyArray ref(String name) {
        return npz.get(caseName + ".f64." + name);
    }

    /** An input as an engine tensor of this case's dtype (not requiring grad). */
    public Tensor input(String name) {
        String own = caseName + "." + group() + "." + name;
        NpyArray a = npz.has(own) ? npz.get(own) : ref(name);
        return Tensor.of(dtype, device, a.toDoubles(), a.shape());
    }

    /** An input leaf that requires grad. */
    public Tensor param(String name) {
        return input(name).requiresGrad(true);
    }

    /** Class indices (int64 array) as host ints. */
    public int[] indices(String name) {
        return Arrays.stream(ref(name).toLongs()).mapToInt(Math::toIntExact).toArray();
    }

    /** The stored upstream gradient, reshaped to {@code out}'s shape (scalars are stored as (1,)). */
    public Tensor upstream(Tensor out) {
        return input("grad_out").reshape(out.shape());
    }

    /** {@code <case>.meta.<name>} when present, else {@code dflt}. */
    public double meta(String name, double dflt) {
        String key = caseName + ".meta." + name;
        return npz.has(key) ? npz.get(key).getDouble(0) : dflt;
    }

    public boolean hasMeta(String name) {
        return npz.has(caseName + ".meta." + name);
    }

    /** An integer meta array, e.g. a permutation. */
    public int[] metaInts(String name) {
        return Arrays.stream(npz.get(caseName + ".meta." + name).toLongs()).mapToInt(Math::toIntExact).toArray();
    }

    /** Compares with the default tolerance of this dtype. */
    public boolean compare(String name, Tensor actual) {
        return compare(name, actual, Tolerance.of(dtype));
    }

    public boolean compare(String name, Tensor actual, Tolerance tol) {
        if (!has(name)) {
            return reporter.fail(file, caseName, group(), name, "reference array missing");
        }
        if (actual == null) {
            return reporter.fail(file, caseName, group(), name, "engine produced no value (gradient missing?)");
        }
        NpyArray ref = ref(name);
        int[] rs = ref.shape();
        int[] as = actual.shape();
        boolean scalarLike = actual.numel() == 1 && ref.numel() == 1;
        if (!Arrays.equals(rs, as) && !scalarLike) {
            return reporter.fail(file, caseName, group(), name, "shape " + Shape.str(as) + ", reference " + Shape.str(rs));
        }
        return reporter.compare(file, caseName, group(), name, actual.toDoubleArray(), ref.toDoubles(), tol);
    }

    /** Records an exception or setup problem of this case. */
    public void fail(String what, String why) {
        reporter.fail(file, caseName, group(), what, why);
    }
}
