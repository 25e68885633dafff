package org.gradlab.natives.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gradlab.natives.NativeBuffer;

/**
 * GPU self-test of the native layer the engine calls (run on a GPU host, see scripts/run-gpu.sh):
 * prints versions, compiles every complete kernel file with NVRTC, then checks memory copies, the caching
 * allocator, our reduction, log-softmax and optimizer kernels, cuBLAS GEMM, cuDNN convolution in
 * float64 and float32 and cuDNN batch norm against the float64 loops of {@link SelfTestReference}.
 * The engine's other kernels (tensor.cu, pool.cu, norm.cu, closs.cu) are checked op by op against
 * the CPU backend by {@code BackendParity --device cuda}.
 *
 * <p>Prints one PASS/FAIL line per check and a RESULT line; exit status 0 when all passed, 1 when a
 * check failed, 2 when CUDA is not usable here (then nothing else on this host can use it either).
 */
public final class GpuSelfTest {
    /** Exit status when CUDA is not usable on this host. */
    public static final int CUDA_UNUSABLE = 2;

    private final CudaContext ctx;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private int checks;
    private int failures;
    private final Random rnd = new Random(1234);

    private GpuSelfTest(CudaContext ctx) {
        this.ctx = ctx;
    }

    public static void main(String[] args) {
        CudaSupport.printVersionsOnce(System.out);
        CudaSupport.Status s = CudaSupport.status();
        if (!s.usable()) {
            System.out.println("FAIL cuda-usable: " + s.reason());
            System.exit(CUDA_UNUSABLE);
        }
        CudaContext ctx = CudaContext.get(0);
        GpuSelfTest t = new GpuSelfTest(ctx);
        t.run("nvrtc-compile-all", t::compileAll);
        t.run("copy-memset", t::copyAndMemset);
        t.run("allocator-cache", t::allocatorCache);
        t.run("reduce-sum", t::reduce);
        t.run("log-softmax-fwd-bwd", t::logSoftmax);
        t.run("sgd-nesterov-wd", t::sgd);
        t.run("adamw", t::adamw);
        t.run("cublas-sgemm-rowmajor", t::sgemm);
        t.run("cublas-dgemm-rowmajor", t::dgemm);
        t.run("cudnn-conv-fwd-bwd-f64", () -> t.conv(DType.FLOAT64));
        t.run("cudnn-conv-fwd-bwd-f32", () -> t.conv(DType.FLOAT32));
        t.run("cudnn-batchnorm-f32", t::batchNorm);
        System.out.println("allocator: " + ctx.allocator().stats());
        ctx.close();
        System.out.printf("RESULT gpu-self-test: %d checks, %d failed -> %s%n", t.checks, t.failures, t.failures == 0 ? "PASS" : "FAIL");
        System.exit(t.failures == 0 ? 0 : 1);
    }

    private interface Check {
        String run() throws Exception;
    }

    private void run(String name, Check c) {
        long t0 = System.nanoTime();
        checks++;
        try {
            String detail = c.run();
            ctx.synchronize();
            System.out.printf("PASS %-26s %6.1f ms  %s%n", name, (System.nanoTime() - t0) / 1e6, detail == null ? "" : detail);
        } catch (Throwable e) {
            failures++;
            System.out.printf("FAIL %-26s %s%n", name, e);
            if (!(e instanceof AssertionError)) {
                e.printStackTrace(System.out);
            }
        } finally {
            for (int i = owned.size() - 1; i >= 0; i--) {
                try {
                    owned.get(i).close();
                } catch (Exception ignored) {
                    // best effort: the next check starts clean either way
                }
            }
            owned.clear();
        }
    }

    // ---------------------------------------------------------------- helpers

    private <T extends AutoCloseable> T own(T r) {
        owned.add(r);
        return r;
    }

    private long up(float[] v) {
        DeviceBuffer d = own(ctx.allocate(4L * v.length));
        NativeBuffer h = own(NativeBuffer.allocate(4L * v.length));
        h.asFloats().put(v);
        ctx.stream().copyHostToDevice(h, 0, d.address(), 4L * v.length);
        return d.address();
    }

    private long up(double[] v) {
        DeviceBuffer d = own(ctx.allocate(8L * v.length));
        NativeBuffer h = own(NativeBuffer.allocate(8L * v.length));
        h.asDoubles().put(v);
        ctx.stream().copyHostToDevice(h, 0, d.address(), 8L * v.length);
        return d.address();
    }

    /** Uploads {@code v} as {@code t} (float32: rounded). */
    private long upAs(DType t, double[] v) {
        return t == DType.FLOAT64 ? up(v) : up(toF(v));
    }

    private long dev(long bytes) {
        return own(ctx.allocate(bytes)).address();
    }

    private float[] downF(long d, int n) {
        NativeBuffer h = own(NativeBuffer.allocate(4L * n));
        ctx.stream().copyDeviceToHost(d, h, 0, 4L * n);
        float[] r = new float[n];
        h.asFloats().get(r);
        return r;
    }

    private double[] downD(long d, int n) {
        NativeBuffer h = own(NativeBuffer.allocate(8L * n));
        ctx.stream().copyDeviceToHost(d, h, 0, 8L * n);
        double[] r = new double[n];
        h.asDoubles().get(r);
        return r;
    }

    private double[] downAs(DType t, long d, int n) {
        return t == DType.FLOAT64 ? downD(d, n) : toD(downF(d, n));
    }

    private float[] randF(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    private double[] randD(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian();
        }
        return v;
    }

    /** Largest relative error (relative to max(1, |want|)); throws when one exceeds {@code tol}. */
    private static String close(double[] got, double[] want, double tol) {
        double maxErr = 0;
        for (int i = 0; i < want.length; i++) {
            double e = Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i]));
            if (!(e <= tol)) {
                throw new AssertionError("element " + i + ": got " + got[i] + ", want " + want[i] + " (tol " + tol + ")");
            }
            maxErr = Math.max(maxErr, e);
        }
        return String.format("max rel err %.2e", maxErr);
    }

    private static String close(float[] got, double[] want, double tol) {
        return close(toD(got), want, tol);
    }

    private static double[] toD(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static float[] toF(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    // ---------------------------------------------------------------- checks

    private String compileAll() {
        long t0 = System.nanoTime();
        int n = ctx.kernels().compileAll();
        return n + " modules for sm_" + ctx.ccMajor() + ctx.ccMinor() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms ("
                + String.join(", ", Kernels.CALLER_DEFINED) + ": compiled by the engine with its generated code, checked by "
                + "BackendParity); " + NvrtcCompiler.cacheSummary();
    }

    private String copyAndMemset() {
        float[] v = randF(1000);
        long d = up(v);
        close(downF(d, 1000), toD(v), 0);
        ctx.stream().memsetAsync(d, 0, 400);
        float[] z = downF(d, 1000);
        for (int i = 0; i < 100; i++) {
            if (z[i] != 0) {
                throw new AssertionError("memset left " + z[i] + " at " + i);
            }
        }
        return close(new float[] {z[100], z[999]}, new double[] {v[100], v[999]}, 0);
    }

    private String allocatorCache() {
        CachingAllocator a = ctx.allocator();
        DeviceBuffer b = a.allocate(3000);
        long addr = b.address();
        b.close();
        DeviceBuffer c = a.allocate(2900);
        boolean reused = c.address() == addr;
        c.close();
        if (!reused) {
            throw new AssertionError("same size class was not reused");
        }
        try {
            a.allocate(1L << 50).close();
            throw new AssertionError("1 PiB allocation did not fail");
        } catch (CudaOutOfMemoryError e) {
            return "reuse ok; OOM message: " + e.getMessage().substring(0, Math.min(120, e.getMessage().length()));
        }
    }

    private String reduce() {
        // the engine's Sum: float64 over axes {0, 2} of [4, 5, 300]; float32 over the last axis
        long[] shape = {4, 5, 300};
        int n = 6000;
        double[] x = randD(n);
        float[] xf = toF(x);
        long sum = dev(8 * 5), sumF = dev(4 * 20);
        long[] strides = KernelPlans.contiguousStrides(shape);
        ctx.kernels().sum(DType.FLOAT64, up(x), shape, strides, new int[] {0, 2}, sum);
        ctx.kernels().sum(DType.FLOAT32, up(xf), shape, strides, new int[] {2}, sumF);
        double[] ws = new double[5], wf = new double[20];
        for (int i = 0; i < n; i++) {
            ws[(i / 300) % 5] += x[i];
            wf[i / 300] += xf[i];
        }
        return "f64 " + close(downD(sum, 5), ws, 1e-12) + ", f32 " + close(downF(sumF, 20), wf, 1e-5);
    }

    private String logSoftmax() {
        int rows = 7, cols = 1000;
        float[] x = randF(rows * cols), gy = randF(rows * cols);
        long y = dev(4L * rows * cols), gx = dev(4L * rows * cols);
        ctx.kernels().logSoftmaxForward(DType.FLOAT32, up(x), y, rows, cols);
        ctx.kernels().logSoftmaxBackward(DType.FLOAT32, up(gy), y, gx, rows, cols);
        double[][] want = SelfTestReference.logSoftmax(x, gy, rows, cols);
        return "fwd " + close(downF(y, rows * cols), want[0], 1e-5) + ", bwd " + close(downF(gx, rows * cols), want[1], 1e-5);
    }

    private String sgd() {
        int n = 50;
        double lr = 0.1, mom = 0.9, wd = 1e-2;
        double[] p = randD(n), g1 = randD(n), g2 = randD(n);
        long dp = up(p), dbuf = dev(8L * n);
        ctx.kernels().sgdStep(DType.FLOAT64, dp, up(g1), dbuf, n, lr, mom, 0, wd, true, true);
        ctx.kernels().sgdStep(DType.FLOAT64, dp, up(g2), dbuf, n, lr, mom, 0, wd, true, false);
        return close(downD(dp, n), SelfTestReference.sgdNesterov(p, lr, mom, wd, g1, g2), 1e-14);
    }

    private String adamw() {
        int n = 50;
        double lr = 1e-2, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.01;
        float[] p = randF(n), g1 = randF(n), g2 = randF(n);
        long dp = up(p), dm = dev(4L * n), dv = dev(4L * n);
        ctx.stream().memsetAsync(dm, 0, 4L * n);
        ctx.stream().memsetAsync(dv, 0, 4L * n);
        ctx.kernels().adamStep(DType.FLOAT32, dp, up(g1), dm, dv, n, lr, b1, b2, eps, wd, 1, true);
        ctx.kernels().adamStep(DType.FLOAT32, dp, up(g2), dm, dv, n, lr, b1, b2, eps, wd, 2, true);
        return close(downF(dp, n), SelfTestReference.adamW(p, lr, b1, b2, eps, wd, g1, g2), 1e-5);
    }

    private String sgemm() {
        // C[m,n] = A^T[m,k] * B[k,n] with A stored [k,m]
        int m = 33, n = 17, k = 65;
        float[] a = randF(k * m), b = randF(k * n);
        long c = dev(4L * m * n);
        ctx.cublas().sgemm(true, false, m, n, k, 1f, up(a), m, up(b), n, 0f, c, n);
        double[] want = SelfTestReference.gemm(true, false, m, n, k, 1, toD(a), toD(b));
        return ctx.cublas().mathMode() + " math, " + close(downF(c, m * n), want, 1e-5);
    }

    private String dgemm() {
        // C[m,n] = 2 * A[m,k] * B^T[k,n] with B stored [n,k]
        int m = 20, n = 30, k = 10;
        double[] a = randD(m * k), b = randD(n * k);
        long c = dev(8L * m * n);
        ctx.cublas().dgemm(false, true, m, n, k, 2.0, up(a), k, up(b), k, 0.0, c, n);
        return close(downD(c, m * n), SelfTestReference.gemm(false, true, m, n, k, 2, a, b), 1e-13);
    }

    /**
     * cuDNN convolution forward, backward-data and backward-filter: float64 at a small odd shape
     * (stride 2x1), float32 (what training runs in) at a shape with more channels, where cuDNN's
     * search offers more algorithms. Names the algorithms chosen and their math type.
     */
    private String conv(DType t) {
        boolean f64 = t == DType.FLOAT64;
        int[] xs = f64 ? new int[] {2, 3, 9, 8} : new int[] {2, 16, 12, 12};
        int[] ws = f64 ? new int[] {4, 3, 3, 3} : new int[] {8, 16, 3, 3};
        int[] stride = f64 ? new int[] {2, 1} : new int[] {1, 1};
        ConvShape s = new ConvShape(t, xs, ws, new int[] {1, 1}, stride, new int[] {1, 1}, 1);
        int[] o = s.output();
        int nx = xs[0] * xs[1] * xs[2] * xs[3], nw = ws[0] * ws[1] * 9, ny = o[0] * o[1] * o[2] * o[3];
        double[] x = randD(nx), w = randD(nw), dy = randD(ny);
        if (!f64) { // the reference then sees exactly the float32 inputs
            x = toD(toF(x));
            w = toD(toF(w));
            dy = toD(toF(dy));
        }
        long dx = upAs(t, x), dw = upAs(t, w), ddy = upAs(t, dy);
        long y = dev((long) t.bytes() * ny), gx = dev((long) t.bytes() * nx), gw = dev((long) t.bytes() * nw);
        Cudnn dnn = ctx.cudnn();
        dnn.convForward(s, dx, dw, y);
        dnn.convBackwardData(s, dw, ddy, gx);
        dnn.convBackwardFilter(s, dx, ddy, gw, false);
        double[][] want = SelfTestReference.conv3x3(x, xs, w, ws[0], stride, dy);
        double tol = f64 ? 1e-12 : 1e-4;
        StringBuilder algos = new StringBuilder();
        for (Cudnn.Algo a : dnn.chosenAlgorithms(s)) {
            algos.append(' ').append(a.algo()).append('/').append(ConvAlgoChoice.mathName(a.mathType()));
        }
        return "fwd " + close(downAs(t, y, ny), want[0], tol) + ", bwd-data " + close(downAs(t, gx, nx), want[1], tol)
                + ", bwd-filter " + close(downAs(t, gw, nw), want[2], tol) + ", algorithms (fwd, data, filter):" + algos;
    }

    private String batchNorm() {
        int n = 4, c = 3, hw = 5;
        int[] shape = {n, c, 1, hw};
        int total = n * c * hw;
        double eps = 1e-5, mom = 0.1;
        float[] x = randF(total), gamma = {1f, 0.5f, 2f}, beta = {0f, 1f, -1f}, dy = randF(total);
        long dx = up(x), y = dev(4L * total), sc = up(gamma), bi = up(beta);
        long rm = up(new float[] {0, 0, 0}), rv = up(new float[] {1, 1, 1});
        long sm = dev(12), siv = dev(12), gx = dev(4L * total), gsc = dev(12), gbi = dev(12);
        Cudnn dnn = ctx.cudnn();
        dnn.batchNormForwardTraining(DType.FLOAT32, shape, dx, y, sc, bi, mom, rm, rv, eps, sm, siv);
        dnn.batchNormBackward(DType.FLOAT32, shape, dx, up(dy), gx, sc, gsc, gbi, eps, sm, siv);
        SelfTestReference.BatchNorm want = SelfTestReference.batchNorm(x, gamma, beta, dy, n, c, hw, eps, mom);
        float[] rvGot = downF(rv, c);
        String varKind;
        try {
            close(rvGot, want.runningVarUnbiased(), 1e-5);
            varKind = "running var uses UNBIASED variance";
        } catch (AssertionError e) {
            close(rvGot, want.runningVarBiased(), 1e-5);
            varKind = "running var uses BIASED variance (differs from PyTorch!)";
        }
        return "y " + close(downF(y, total), want.y(), 1e-4) + ", running mean " + close(downF(rm, c), want.runningMean(), 1e-5)
                + ", " + varKind + ", dx " + close(downF(gx, total), want.dx(), 1e-4) + ", dscale "
                + close(downF(gsc, c), want.dScale(), 1e-4) + ", dbias " + close(downF(gbi, c), want.dBias(), 1e-4);
    }
}
