package org.gradlab.engine.backend.cpu;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Storage;
import org.gradlab.engine.backend.Backend;
import org.gradlab.engine.backend.ConvKernels;
import org.gradlab.engine.backend.ElementwiseKernels;
import org.gradlab.engine.backend.LossKernels;
import org.gradlab.engine.backend.MatmulKernels;
import org.gradlab.engine.backend.NormKernels;
import org.gradlab.engine.backend.OptimKernels;
import org.gradlab.engine.backend.PoolKernels;
import org.gradlab.engine.backend.ReduceKernels;
import org.gradlab.engine.backend.RowKernels;

/** The CPU backend: Java loops over off-heap memory, OpenBLAS for GEMM. */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private final CpuElementwise elementwise = new CpuElementwise();
    private final CpuReduce reduce = new CpuReduce();
    private final CpuMatmul matmul = new CpuMatmul();
    private final CpuConv conv = new CpuConv();
    private final CpuPool pool = new CpuPool();
    private final CpuNorm norm = new CpuNorm();
    private final CpuLoss loss = new CpuLoss();
    private final CpuOptim optim = new CpuOptim();
    private final CpuRows rows = new CpuRows();

    private CpuBackend() {}

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Storage allocate(DType dtype, long size) {
        return new CpuStorage(dtype, size);
    }

    @Override
    public Storage allocateUninitialized(DType dtype, long size) {
        return new CpuStorage(dtype, size, false);
    }

    @Override
    public Storage upload(DType dtype, double[] data) {
        CpuStorage s = new CpuStorage(dtype, data.length);
        if (dtype == DType.F64) {
            s.f64().duplicate().put(data);
        } else {
            FloatBuffer f = s.f32();
            for (int i = 0; i < data.length; i++) {
                f.put(i, (float) data[i]);
            }
        }
        return s;
    }

    @Override
    public Storage upload(float[] data) {
        CpuStorage s = new CpuStorage(DType.F32, data.length);
        s.f32().duplicate().put(data);
        return s;
    }

    @Override
    public double[] downloadDoubles(Storage s, long offset, int count) {
        CpuStorage c = (CpuStorage) s;
        double[] out = new double[count];
        if (c.dtype() == DType.F64) {
            DoubleBuffer d = c.f64().duplicate();
            d.position((int) offset);
            d.get(out);
        } else {
            FloatBuffer f = c.f32();
            for (int i = 0; i < count; i++) {
                out[i] = f.get((int) offset + i);
            }
        }
        return out;
    }

    @Override
    public float[] downloadFloats(Storage s, long offset, int count) {
        CpuStorage c = (CpuStorage) s;
        float[] out = new float[count];
        if (c.dtype() == DType.F32) {
            FloatBuffer f = c.f32().duplicate();
            f.position((int) offset);
            f.get(out);
        } else {
            DoubleBuffer d = c.f64();
            for (int i = 0; i < count; i++) {
                out[i] = (float) d.get((int) offset + i);
            }
        }
        return out;
    }

    @Override
    public ElementwiseKernels elementwise() {
        return elementwise;
    }

    @Override
    public ReduceKernels reduce() {
        return reduce;
    }

    @Override
    public MatmulKernels matmul() {
        return matmul;
    }

    @Override
    public ConvKernels conv() {
        return conv;
    }

    @Override
    public PoolKernels pool() {
        return pool;
    }

    @Override
    public NormKernels norm() {
        return norm;
    }

    @Override
    public LossKernels loss() {
        return loss;
    }

    @Override
    public OptimKernels optim() {
        return optim;
    }

    @Override
    public RowKernels rows() {
        return rows;
    }

    /** The CPU storage behind a tensor (kernels only). */
    static CpuStorage storage(org.gradlab.engine.Tensor t) {
        return (CpuStorage) t.storage();
    }

    /**
     * Whether a kernel may write its float32 result of {@code shape} over {@code target}, an input
     * its caller owns ({@code Op.ownsGradOut}): target is float32, contiguous from its storage's
     * start, of that shape, and shares no storage with {@code reads} (the other tensors the kernel
     * reads while it writes; null entries skipped). The kernel itself must read each block of
     * target before it writes that block.
     */
    static boolean writableOver(org.gradlab.engine.Tensor target, int[] shape, org.gradlab.engine.Tensor... reads) {
        if (target.dtype() != DType.F32 || !target.isContiguous() || target.offset() != 0
                || !java.util.Arrays.equals(target.shape(), shape)) {
            return false;
        }
        for (org.gradlab.engine.Tensor r : reads) {
            if (r != null && r.storage() == target.storage()) {
                return false;
            }
        }
        return true;
    }

    /** {@code t} itself when contiguous, else a contiguous copy (kernels only: no autograd record). */
    static org.gradlab.engine.Tensor dense(org.gradlab.engine.Tensor t) {
        return t.isContiguous() ? t : INSTANCE.elementwise.contiguous(t);
    }
}
