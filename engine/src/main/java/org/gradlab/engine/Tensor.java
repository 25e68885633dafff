package org.gradlab.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.Backend;
import org.gradlab.engine.backend.Backends;
import org.gradlab.engine.ops.*;

/**
 * An n-dimensional array of float32 or float64 numbers on one device, with a place in the
 * autograd graph.
 *
 * <p>A tensor is a view: shape, strides and an offset over a {@link Storage}. Reshape of
 * contiguous data, permute/transpose and slicing along the first axis make views without
 * copying; {@link #contiguous()} copies only when the layout requires it.
 *
 * <p>Autograd: a tensor produced by an op from inputs that require gradients remembers that op
 * ({@link #gradFn()}); {@link #backward()} walks the graph and accumulates into the
 * {@link #grad()} of leaves that {@link #requiresGrad()}.
 *
 * <p>Length: over 400 lines on purpose. This is the engine's one public face (creation, layout,
 * host access, math, autograd), as {@code torch.Tensor} is, so a reader finds every method of a
 * tensor here; each math method is one line delegating to its op class.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final long offset;

    private boolean requiresGrad;
    private Tensor grad;
    /** {@link #zeroGrad} was called and {@link #grad} not yet filled: see there. */
    private boolean gradZeroPending;
    private Op gradFn;
    private boolean retainGrad;
    private List<UnaryOperator<Tensor>> hooks;
    private String name;

    public Tensor(Storage storage, int[] shape, int[] strides, long offset) {
        this.storage = storage;
        this.shape = shape.clone();
        this.strides = strides.clone();
        this.offset = offset;
    }

    // ------------------------------------------------------------------ creation

    /**
     * A contiguous tensor whose contents are UNDEFINED. NOTE: for backend kernels that write every
     * element of their output before returning it (it saves a memset per activation); anything
     * else wants {@link #zeros}.
     */
    public static Tensor uninitialized(DType dtype, Device device, int... shape) {
        Storage s = Backends.of(device).allocateUninitialized(dtype, Shape.numel(shape));
        return new Tensor(s, shape, Shape.contiguousStrides(shape), 0);
    }

    /** A contiguous zero-filled tensor (PyTorch's {@code zeros}; its {@code empty} is {@link #uninitialized}). */
    public static Tensor zeros(DType dtype, Device device, int... shape) {
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Shape.str(shape));
            }
        }
        Storage s = Backends.of(device).allocate(dtype, Shape.numel(shape));
        return new Tensor(s, shape, Shape.contiguousStrides(shape), 0);
    }

    public static Tensor zeros(int... shape) {
        return zeros(DType.F32, Device.CPU, shape);
    }

    public static Tensor full(DType dtype, Device device, double value, int... shape) {
        Tensor t = zeros(dtype, device, shape);
        if (value != 0) {
            t.backend().elementwise().fill(t, value);
        }
        return t;
    }

    public static Tensor ones(DType dtype, Device device, int... shape) {
        return full(dtype, device, 1.0, shape);
    }

    /** A float32 CPU tensor holding {@code data} in row-major order. */
    public static Tensor of(float[] data, int... shape) {
        checkSize(data.length, shape);
        return new Tensor(Backends.of(Device.CPU).upload(data), shape, Shape.contiguousStrides(shape), 0);
    }

    /** A float64 CPU tensor holding {@code data} in row-major order. */
    public static Tensor of(double[] data, int... shape) {
        return of(DType.F64, Device.CPU, data, shape);
    }

    public static Tensor of(DType dtype, Device device, double[] data, int... shape) {
        checkSize(data.length, shape);
        return new Tensor(Backends.of(device).upload(dtype, data), shape, Shape.contiguousStrides(shape), 0);
    }

    public static Tensor scalar(double value, DType dtype, Device device) {
        return of(dtype, device, new double[] {value});
    }

    private static void checkSize(int length, int[] shape) {
        if (length != Shape.numel(shape)) {
            throw new IllegalArgumentException("data has " + length + " elements but shape " + Shape.str(shape)
                    + " needs " + Shape.numel(shape));
        }
    }

    /** Uniform numbers in [lo, hi) from a seeded generator (drawn on the host). */
    public static Tensor uniform(Generator gen, double lo, double hi, DType dtype, Device device, int... shape) {
        double[] d = new double[Math.toIntExact(Shape.numel(shape))];
        for (int i = 0; i < d.length; i++) {
            d[i] = gen.uniform(lo, hi);
        }
        return of(dtype, device, d, shape);
    }

    public static Tensor normal(Generator gen, double mean, double std, DType dtype, Device device, int... shape) {
        double[] d = new double[Math.toIntExact(Shape.numel(shape))];
        for (int i = 0; i < d.length; i++) {
            d[i] = mean + std * gen.nextGaussian();
        }
        return of(dtype, device, d, shape);
    }

    /** 1 with probability {@code p}, else 0. */
    public static Tensor bernoulli(Generator gen, double p, DType dtype, Device device, int... shape) {
        double[] d = new double[Math.toIntExact(Shape.numel(shape))];
        for (int i = 0; i < d.length; i++) {
            d[i] = gen.nextDouble() < p ? 1 : 0;
        }
        return of(dtype, device, d, shape);
    }

    // ------------------------------------------------------------------ layout

    public Storage storage() {
        return storage;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int shape(int axis) {
        return shape[Shape.axis("shape", axis, shape.length)];
    }

    public int[] strides() {
        return strides.clone();
    }

    public long offset() {
        return offset;
    }

    public int dim() {
        return shape.length;
    }

    public long numel() {
        return Shape.numel(shape);
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Device device() {
        return storage.device();
    }

    public Backend backend() {
        return Backends.of(device());
    }

    public long bytes() {
        return numel() * dtype().bytes();
    }

    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** This tensor if already contiguous, else a contiguous copy (differentiable). */
    public Tensor contiguous() {
        return isContiguous() ? this : Contiguous.apply(this);
    }

    /** Differentiable reshape; a view when contiguous, else a copy. One dimension may be -1. */
    public Tensor reshape(int... newShape) {
        return Reshape.apply(this, newShape);
    }

    /** {@code flatten(1)}: (N, C, H, W) → (N, C·H·W). */
    public Tensor flatten(int startDim) {
        int s = Shape.axis("flatten", startDim, shape.length);
        int[] ns = new int[s + 1];
        System.arraycopy(shape, 0, ns, 0, s);
        ns[s] = -1;
        if (numel() == 0) {
            ns[s] = 0;
        }
        return reshape(ns);
    }

    public Tensor permute(int... axes) {
        return Permute.apply(this, axes);
    }

    public Tensor transpose(int a, int b) {
        int[] axes = new int[shape.length];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        a = Shape.axis("transpose", a, shape.length);
        b = Shape.axis("transpose", b, shape.length);
        axes[a] = b;
        axes[b] = a;
        return permute(axes);
    }

    /** Rows [from, to) along the first axis: a view without copy (not differentiable: use on data). */
    public Tensor slice0(int from, int to) {
        if (shape.length == 0 || from < 0 || to > shape[0] || from > to) {
            throw new IllegalArgumentException("slice0: [" + from + ", " + to + ") out of range for shape " + Shape.str(shape));
        }
        int[] ns = shape.clone();
        ns[0] = to - from;
        return new Tensor(storage, ns, strides, offset + (long) from * strides[0]);
    }

    /** A view with new shape/strides over the same storage (used by view ops). */
    public Tensor view(int[] newShape, int[] newStrides, long newOffset) {
        return new Tensor(storage, newShape, newStrides, newOffset);
    }

    /** Copies to another device (a new leaf; differentiable copies across devices are not supported). */
    public Tensor to(Device target) {
        if (target.equals(device())) {
            return this;
        }
        Tensor c = contiguous();
        Backend src = c.backend();
        Tensor out;
        if (dtype() == DType.F32) {
            float[] host = src.downloadFloats(c.storage, c.offset, Math.toIntExact(numel()));
            out = new Tensor(Backends.of(target).upload(host), shape, Shape.contiguousStrides(shape), 0);
        } else {
            double[] host = src.downloadDoubles(c.storage, c.offset, Math.toIntExact(numel()));
            out = new Tensor(Backends.of(target).upload(dtype(), host), shape, Shape.contiguousStrides(shape), 0);
        }
        out.requiresGrad = requiresGrad && gradFn == null;
        return out;
    }

    /** Converts the dtype (differentiable). */
    public Tensor to(DType target) {
        return target == dtype() ? this : Cast.apply(this, target);
    }

    // ------------------------------------------------------------------ host access

    public double[] toDoubleArray() {
        Tensor c = contiguous();
        return backend().downloadDoubles(c.storage, c.offset, Math.toIntExact(numel()));
    }

    public float[] toFloatArray() {
        Tensor c = contiguous();
        return backend().downloadFloats(c.storage, c.offset, Math.toIntExact(numel()));
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item(): tensor has " + numel() + " elements (shape " + Shape.str(shape) + "), expected 1");
        }
        return backend().downloadDoubles(storage, offset, 1)[0];
    }

    // ------------------------------------------------------------------ math (each delegates to one op class)

    public Tensor add(Tensor o) {
        return Add.apply(this, o);
    }

    public Tensor sub(Tensor o) {
        return Sub.apply(this, o);
    }

    public Tensor mul(Tensor o) {
        return Mul.apply(this, o);
    }

    public Tensor div(Tensor o) {
        return Div.apply(this, o);
    }

    public Tensor add(double c) {
        return Affine.apply(this, 1, c);
    }

    public Tensor mul(double c) {
        return Affine.apply(this, c, 0);
    }

    public Tensor neg() {
        return Neg.apply(this);
    }

    public Tensor exp() {
        return Exp.apply(this);
    }

    public Tensor log() {
        return Log.apply(this);
    }

    public Tensor pow(double p) {
        return Pow.apply(this, p);
    }

    public Tensor sqrt() {
        return Sqrt.apply(this);
    }

    public Tensor abs() {
        return Abs.apply(this);
    }

    public Tensor clamp(double lo, double hi) {
        return Clamp.apply(this, lo, hi);
    }

    public Tensor relu() {
        return Relu.apply(this);
    }

    public Tensor sigmoid() {
        return Sigmoid.apply(this);
    }

    public Tensor tanh() {
        return Tanh.apply(this);
    }

    public Tensor sum() {
        return Sum.apply(this, allAxes(), false);
    }

    public Tensor sum(int[] axes, boolean keepdim) {
        return Sum.apply(this, axes, keepdim);
    }

    public Tensor mean() {
        return mean(allAxes(), false);
    }

    public Tensor mean(int[] axes, boolean keepdim) {
        long count = 1;
        for (int a : axes) {
            count *= shape[Shape.axis("mean", a, shape.length)];
        }
        return Sum.apply(this, axes, keepdim).mul(1.0 / count);
    }

    public Tensor max(int[] axes, boolean keepdim) {
        return Max.apply(this, axes, keepdim);
    }

    public Tensor matmul(Tensor o) {
        return Matmul.apply(this, o);
    }

    public static Tensor concat(List<Tensor> parts, int axis) {
        return Concat.apply(parts, axis);
    }

    private int[] allAxes() {
        int[] a = new int[shape.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
        return a;
    }

    // ------------------------------------------------------------------ autograd

    public boolean requiresGrad() {
        return requiresGrad || gradFn != null;
    }

    /** Marks a leaf as needing a gradient. */
    public Tensor requiresGrad(boolean flag) {
        if (gradFn != null && !flag) {
            throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor: use detach()");
        }
        this.requiresGrad = flag;
        return this;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    public Op gradFn() {
        return gradFn;
    }

    /** Called by {@link Autograd} when an op produced this tensor. */
    public void setGradFn(Op op) {
        this.gradFn = op;
    }

    public Tensor grad() {
        if (gradZeroPending) {
            gradZeroPending = false;
            grad.backend().elementwise().fill(grad, 0);
        }
        return grad;
    }

    public void setGrad(Tensor g) {
        this.grad = g;
        gradZeroPending = false;
    }

    /**
     * Zeroes the gradient (PyTorch's {@code zero_grad(set_to_none=False)}): the memory is reused
     * by the next backward, so a training loop allocates no new gradient storage. Use
     * {@code setGrad(null)} to drop it instead. NOTE: the zeros are written when first needed:
     * the next backward that reaches this leaf writes its gradient over the storage
     * ({@link #takeZeroedGrad}) instead of filling it with zeros and adding into it (one pass over
     * the gradient instead of three); {@link #grad()} fills it if read before that.
     */
    public void zeroGrad() {
        gradZeroPending = grad != null;
    }

    /**
     * For the backward pass: the gradient tensor whose zeroing {@link #zeroGrad} left pending
     * (the caller writes the whole gradient over it), or null when there is none to overwrite.
     */
    public Tensor takeZeroedGrad() {
        if (!gradZeroPending) {
            return null;
        }
        gradZeroPending = false;
        return grad;
    }

    /** Keep the gradient of this non-leaf tensor after backward. */
    public Tensor retainGrad() {
        this.retainGrad = true;
        return this;
    }

    public boolean retainsGrad() {
        return retainGrad;
    }

    /** The same numbers, cut from the graph. */
    public Tensor detach() {
        return new Tensor(storage, shape, strides, offset);
    }

    /**
     * Registers a hook called with this tensor's gradient during backward; it may return a
     * replacement gradient or {@code null} to keep it (observe only).
     */
    public Tensor registerHook(UnaryOperator<Tensor> hook) {
        if (hooks == null) {
            hooks = new ArrayList<>();
        }
        hooks.add(hook);
        return this;
    }

    public List<UnaryOperator<Tensor>> hooks() {
        return hooks == null ? List.of() : hooks;
    }

    /** Backward from a one-element tensor with upstream gradient 1. */
    public void backward() {
        Autograd.backward(this, null, false);
    }

    /** Backward with an explicit upstream gradient of this tensor's shape. */
    public void backward(Tensor upstream) {
        Autograd.backward(this, upstream, false);
    }

    public void backward(Tensor upstream, boolean retainGraph) {
        Autograd.backward(this, upstream, retainGraph);
    }

    public String name() {
        return name;
    }

    public Tensor name(String n) {
        this.name = n;
        return this;
    }

    // ------------------------------------------------------------------ misc

    /** Releases this tensor's storage now (views of it become unusable). */
    public void release() {
        storage.close();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(").append(Shape.str(shape)).append(", ").append(dtype())
                .append(", ").append(device());
        if (gradFn != null) {
            sb.append(", gradFn=").append(gradFn.name());
        } else if (requiresGrad) {
            sb.append(", requiresGrad");
        }
        if (!storage.isReleased() && numel() <= 8) {
            sb.append(", ").append(Arrays.toString(toDoubleArray()));
        }
        return sb.append(')').toString();
    }
}
