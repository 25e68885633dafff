package org.gradlab.natives.cuda;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gradlab.natives.NativeBuffer;

/**
 * GPU smoke test (run on a GPU host, see scripts/run-gpu.sh): prints versions, compiles every
 * kernel file with NVRTC, runs one small op of each kind and compares it with a CPU computation.
 * Prints one PASS/FAIL line per check and exits with status 1 if any failed (2 if CUDA is unusable).
 */
public final class GpuSelfTest {
    private final CudaContext ctx;
    private final List<AutoCloseable> owned = new ArrayList<>();
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
            System.exit(2);
        }
        CudaContext ctx = CudaContext.get(0);
        GpuSelfTest t = new GpuSelfTest(ctx);
        t.run("nvrtc-compile-all", t::compileAll);
        t.run("copy-memset", t::copyAndMemset);
        t.run("allocator-cache", t::allocatorCache);
        t.run("ew-binary-broadcast-f32", () -> t.binaryBroadcast(DType.FLOAT32));
        t.run("ew-binary-broadcast-f64", () -> t.binaryBroadcast(DType.FLOAT64));
        t.run("ew-unary-strided-f32", t::unaryStrided);
        t.run("relu-backward", t::reluBackward);
        t.run("reduce-sum-max", t::reduce);
        t.run("log-softmax-fwd-bwd", t::logSoftmax);
        t.run("cross-entropy-weights-smoothing", t::crossEntropy);
        t.run("dropout-philox", t::dropout);
        t.run("sgd-nesterov-wd", t::sgd);
        t.run("adamw", t::adamw);
        t.run("cublas-sgemm-rowmajor", t::sgemm);
        t.run("cublas-dgemm-rowmajor", t::dgemm);
        t.run("cudnn-conv-fwd-bwd", t::conv);
        t.run("cudnn-batchnorm", t::batchNorm);
        t.run("cudnn-pool-max-avg", t::pool);
        System.out.println("allocator: " + ctx.allocator().stats());
        ctx.close();
        System.out.println(t.failures == 0 ? "GPU SELF-TEST PASSED" : "GPU SELF-TEST FAILED: " + t.failures + " check(s)");
        System.exit(t.failures == 0 ? 0 : 1);
    }

    private interface Check {
        String run() throws Exception;
    }

    private void run(String name, Check c) {
        long t0 = System.nanoTime();
        try {
            String detail = c.run();
            ctx.synchronize();
            System.out.printf("PASS %-34s %6.1f ms  %s%n", name, (System.nanoTime() - t0) / 1e6, detail == null ? "" : detail);
        } catch (Throwable e) {
            failures++;
            System.out.printf("FAIL %-34s %s%n", name, e);
            if (!(e instanceof AssertionError)) {
                e.printStackTrace(System.out);
            }
        } finally {
            for (int i = owned.size() - 1; i >= 0; i--) {
                try {
                    owned.get(i).close();
                } catch (Exception ignored) {
                    // best effort
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

    private long upLongs(long[] v) {
        DeviceBuffer d = own(ctx.allocate(8L * v.length));
        NativeBuffer h = own(NativeBuffer.allocate(8L * v.length));
        h.asBytes().asLongBuffer().put(v);
        ctx.stream().copyHostToDevice(h, 0, d.address(), 8L * v.length);
        return d.address();
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

    private byte[] downB(long d, int n) {
        NativeBuffer h = own(NativeBuffer.allocate(n));
        ctx.stream().copyDeviceToHost(d, h, 0, n);
        byte[] r = new byte[n];
        h.asBytes().get(r);
        return r;
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

    private static String close(float[] got, double[] want, double tol) {
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

    private static String close(double[] got, double[] want, double tol) {
        float[] g = new float[got.length];
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

    private static double[] toD(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    // ---------------------------------------------------------------- checks

    private String compileAll() {
        long t0 = System.nanoTime();
        int n = ctx.kernels().compileAll();
        return n + " modules for sm_" + ctx.ccMajor() + ctx.ccMinor() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms";
    }

    private String copyAndMemset() {
        float[] v = randF(1000);
        long d = up(v);
        float[] back = downF(d, 1000);
        close(back, toD(v), 0);
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

    private String binaryBroadcast(DType t) {
        // a [2,3,4] + b [3,1] -> [2,3,4]
        long[] shape = {2, 3, 4};
        long[] sa = KernelPlans.contiguousStrides(shape);
        long[] sb = KernelPlans.broadcastStrides(new long[] {3, 1}, shape);
        double[] a = randD(24), b = randD(3), want = new double[24];
        for (int i = 0; i < 24; i++) {
            want[i] = a[i] * b[(i / 4) % 3];
        }
        if (t == DType.FLOAT32) {
            float[] af = new float[24], bf = new float[3];
            for (int i = 0; i < 24; i++) {
                af[i] = (float) a[i];
            }
            for (int i = 0; i < 3; i++) {
                bf[i] = (float) b[i];
            }
            long out = dev(96);
            ctx.kernels().binary(t, Kernels.BinaryOp.MUL, up(af), sa, up(bf), sb, shape, out);
            return close(downF(out, 24), want, 1e-6);
        }
        long out = dev(192);
        ctx.kernels().binary(t, Kernels.BinaryOp.MUL, up(a), sa, up(b), sb, shape, out);
        return close(downD(out, 24), want, 1e-15);
    }

    private String unaryStrided() {
        // exp of the transpose of x [3,5] (read with strides {1,5}) -> out [5,3]
        float[] x = randF(15);
        long out = dev(60);
        ctx.kernels().unary(DType.FLOAT32, Kernels.UnaryOp.EXP, 0, 0, up(x), new long[] {5, 3}, new long[] {1, 5}, out);
        double[] want = new double[15];
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 3; j++) {
                want[i * 3 + j] = Math.exp(x[j * 5 + i]);
            }
        }
        return close(downF(out, 15), want, 1e-6);
    }

    private String reluBackward() {
        float[] x = randF(100), gy = randF(100);
        long gx = dev(400);
        ctx.kernels().reluBackward(DType.FLOAT32, up(gy), up(x), gx, 100);
        double[] want = new double[100];
        for (int i = 0; i < 100; i++) {
            want[i] = x[i] > 0 ? gy[i] : 0;
        }
        return close(downF(gx, 100), want, 0);
    }

    private String reduce() {
        long[] shape = {4, 5, 300};
        int n = 6000;
        double[] x = randD(n);
        long dx = up(x);
        long sum = dev(8 * 5), max = dev(8 * 4 * 5);
        ctx.kernels().reduce(DType.FLOAT64, Kernels.ReduceOp.SUM, dx, shape, KernelPlans.contiguousStrides(shape), new int[] {0, 2}, sum);
        ctx.kernels().reduce(DType.FLOAT64, Kernels.ReduceOp.MAX, dx, shape, KernelPlans.contiguousStrides(shape), new int[] {2}, max);
        double[] ws = new double[5], wm = new double[20];
        java.util.Arrays.fill(wm, Double.NEGATIVE_INFINITY);
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 5; b++) {
                for (int c = 0; c < 300; c++) {
                    double v = x[(a * 5 + b) * 300 + c];
                    ws[b] += v;
                    wm[a * 5 + b] = Math.max(wm[a * 5 + b], v);
                }
            }
        }
        return "sum " + close(downD(sum, 5), ws, 1e-12) + ", max " + close(downD(max, 20), wm, 0);
    }

    private String logSoftmax() {
        int rows = 7, cols = 1000;
        float[] x = randF(rows * cols), gy = randF(rows * cols);
        long y = dev(4L * rows * cols), gx = dev(4L * rows * cols);
        ctx.kernels().logSoftmaxForward(DType.FLOAT32, up(x), y, rows, cols);
        ctx.kernels().logSoftmaxBackward(DType.FLOAT32, up(gy), y, gx, rows, cols);
        double[] wy = new double[rows * cols], wg = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double m = Double.NEGATIVE_INFINITY, s = 0, sg = 0;
            for (int c = 0; c < cols; c++) {
                m = Math.max(m, x[r * cols + c]);
            }
            for (int c = 0; c < cols; c++) {
                s += Math.exp(x[r * cols + c] - m);
                sg += gy[r * cols + c];
            }
            for (int c = 0; c < cols; c++) {
                wy[r * cols + c] = x[r * cols + c] - m - Math.log(s);
                wg[r * cols + c] = gy[r * cols + c] - Math.exp(wy[r * cols + c]) * sg;
            }
        }
        return "fwd " + close(downF(y, rows * cols), wy, 1e-5) + ", bwd " + close(downF(gx, rows * cols), wg, 1e-5);
    }

    private String crossEntropy() {
        int rows = 6, c = 5;
        double eps = 0.1;
        long ignore = -100;
        double[] x = randD(rows * c), w = {0.5, 1, 2, 1.5, 0.25};
        long[] target = {0, 3, 4, -100, 2, 3};
        double[] logp = new double[rows * c];
        for (int r = 0; r < rows; r++) {
            double m = Double.NEGATIVE_INFINITY, s = 0;
            for (int j = 0; j < c; j++) {
                m = Math.max(m, x[r * c + j]);
            }
            for (int j = 0; j < c; j++) {
                s += Math.exp(x[r * c + j] - m);
            }
            for (int j = 0; j < c; j++) {
                logp[r * c + j] = x[r * c + j] - m - Math.log(s);
            }
        }
        // PyTorch: (1-eps)*nll + eps/C * sum_i sum_j -w_j logp_ij / sum_i w_t_i   (mean, weights)
        double nll = 0, smooth = 0, sumW = 0;
        for (int r = 0; r < rows; r++) {
            if (target[r] == ignore) {
                continue;
            }
            int t = (int) target[r];
            nll += -w[t] * logp[r * c + t];
            sumW += w[t];
            for (int j = 0; j < c; j++) {
                smooth += -w[j] * logp[r * c + j];
            }
        }
        double want = (1 - eps) * nll / sumW + eps / c * smooth / sumW;
        long dlogp = dev(8L * rows * c), dtarget = upLongs(target), dw = up(w), out = dev(16), dx = dev(8L * rows * c);
        Kernels k = ctx.kernels();
        k.logSoftmaxForward(DType.FLOAT64, up(x), dlogp, rows, c);
        k.nllLoss(DType.FLOAT64, dlogp, dtarget, dw, rows, c, ignore, eps, true, out);
        long gradOut = up(new double[] {1.0});
        long glogp = dev(8L * rows * c);
        k.nllLossBackward(DType.FLOAT64, dtarget, dw, rows, c, ignore, eps, true, gradOut, out, glogp);
        k.logSoftmaxBackward(DType.FLOAT64, glogp, dlogp, dx, rows, c);
        double[] got = downD(out, 2);
        String r1 = close(new double[] {got[0], got[1]}, new double[] {want, sumW}, 1e-12);
        // finite-difference check of d loss / d x
        double[] gx = downD(dx, rows * c);
        double h = 1e-6;
        double maxErr = 0;
        for (int i = 0; i < rows * c; i++) {
            double[] xp = x.clone();
            xp[i] += h;
            double[] xm = x.clone();
            xm[i] -= h;
            double fd = (ceLoss(xp, target, w, rows, c, eps, ignore) - ceLoss(xm, target, w, rows, c, eps, ignore)) / (2 * h);
            maxErr = Math.max(maxErr, Math.abs(fd - gx[i]));
        }
        if (maxErr > 1e-6) {
            throw new AssertionError("cross-entropy gradient differs from finite differences by " + maxErr);
        }
        return "loss " + got[0] + " vs " + want + " (" + r1 + "), grad fd err " + String.format("%.1e", maxErr);
    }

    private static double ceLoss(double[] x, long[] target, double[] w, int rows, int c, double eps, long ignore) {
        double nll = 0, smooth = 0, sumW = 0;
        for (int r = 0; r < rows; r++) {
            if (target[r] == ignore) {
                continue;
            }
            double m = Double.NEGATIVE_INFINITY, s = 0;
            for (int j = 0; j < c; j++) {
                m = Math.max(m, x[r * c + j]);
            }
            for (int j = 0; j < c; j++) {
                s += Math.exp(x[r * c + j] - m);
            }
            int t = (int) target[r];
            nll += -w[t] * (x[r * c + t] - m - Math.log(s));
            sumW += w[t];
            for (int j = 0; j < c; j++) {
                smooth += -w[j] * (x[r * c + j] - m - Math.log(s));
            }
        }
        return (1 - eps) * nll / sumW + eps / c * smooth / sumW;
    }

    private String dropout() {
        int n = 10001;
        double p = 0.3;
        long seed = 0x1234_5678_9abcL, offset = 5;
        float[] x = randF(n), gy = randF(n);
        long y = dev(4L * n), mask = dev(n), gx = dev(4L * n);
        ctx.kernels().dropoutForward(DType.FLOAT32, up(x), y, mask, n, p, seed, offset);
        ctx.kernels().dropoutBackward(DType.FLOAT32, up(gy), mask, gx, n, p);
        byte[] m = downB(mask, n);
        double[] wy = new double[n], wg = new double[n];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            boolean keep = Philox.keep(seed, offset, i, p);
            if (keep != (m[i] == 1)) {
                throw new AssertionError("mask differs from CPU Philox at " + i);
            }
            kept += keep ? 1 : 0;
            wy[i] = keep ? x[i] / (1 - p) : 0;
            wg[i] = keep ? gy[i] / (1 - p) : 0;
        }
        return "kept " + kept + "/" + n + ", y " + close(downF(y, n), wy, 1e-6) + ", gx " + close(downF(gx, n), wg, 1e-6);
    }

    private String sgd() {
        int n = 50;
        double lr = 0.1, mom = 0.9, wd = 1e-2;
        double[] p = randD(n), g1 = randD(n), g2 = randD(n);
        long dp = up(p), dbuf = dev(8L * n);
        ctx.kernels().sgdStep(DType.FLOAT64, dp, up(g1), dbuf, n, lr, mom, 0, wd, true, true);
        ctx.kernels().sgdStep(DType.FLOAT64, dp, up(g2), dbuf, n, lr, mom, 0, wd, true, false);
        double[] want = p.clone(), buf = new double[n];
        for (int step = 0; step < 2; step++) {
            double[] g = step == 0 ? g1 : g2;
            for (int i = 0; i < n; i++) {
                double gi = g[i] + wd * want[i];
                buf[i] = step == 0 ? gi : mom * buf[i] + gi;
                want[i] -= lr * (gi + mom * buf[i]);
            }
        }
        return close(downD(dp, n), want, 1e-14);
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
        double[] want = toD(p), m = new double[n], v = new double[n];
        for (int step = 1; step <= 2; step++) {
            float[] g = step == 1 ? g1 : g2;
            double bc1 = 1 - Math.pow(b1, step), bc2 = 1 - Math.pow(b2, step);
            for (int i = 0; i < n; i++) {
                want[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                want[i] -= lr / bc1 * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps);
            }
        }
        return close(downF(dp, n), want, 1e-5);
    }

    private String sgemm() {
        // C[m,n] = A^T[m,k] * B[k,n] with A stored [k,m]
        int m = 33, n = 17, k = 65;
        float[] a = randF(k * m), b = randF(k * n);
        long c = dev(4L * m * n);
        ctx.cublas().sgemm(true, false, m, n, k, 1f, up(a), m, up(b), n, 0f, c, n);
        double[] want = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int l = 0; l < k; l++) {
                    s += (double) a[l * m + i] * b[l * n + j];
                }
                want[i * n + j] = s;
            }
        }
        return ctx.cublas().mathMode() + " math, " + close(downF(c, m * n), want, 1e-5);
    }

    private String dgemm() {
        int m = 20, n = 30, k = 10;
        double[] a = randD(m * k), b = randD(n * k);
        long c = dev(8L * m * n);
        ctx.cublas().dgemm(false, true, m, n, k, 2.0, up(a), k, up(b), k, 0.0, c, n);
        double[] want = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int l = 0; l < k; l++) {
                    s += a[i * k + l] * b[j * k + l];
                }
                want[i * n + j] = 2 * s;
            }
        }
        return close(downD(c, m * n), want, 1e-13);
    }

    private String conv() {
        ConvShape s = new ConvShape(DType.FLOAT64, new int[] {2, 3, 9, 8}, new int[] {4, 3, 3, 3}, new int[] {1, 1},
                new int[] {2, 1}, new int[] {1, 1}, 1);
        int[] o = s.output();
        int nx = 2 * 3 * 9 * 8, nw = 4 * 27, ny = o[0] * o[1] * o[2] * o[3];
        double[] x = randD(nx), w = randD(nw), dy = randD(ny);
        long dxp = up(x), dwp = up(w), y = dev(8L * ny), dyp = up(dy), gx = dev(8L * nx), gw = dev(8L * nw);
        Cudnn dnn = ctx.cudnn();
        dnn.convForward(s, dxp, dwp, y);
        dnn.convBackwardData(s, dwp, dyp, gx);
        dnn.convBackwardFilter(s, dxp, dyp, gw, false);
        double[] wy = new double[ny], wgx = new double[nx], wgw = new double[nw];
        for (int nb = 0; nb < 2; nb++) {
            for (int kk = 0; kk < 4; kk++) {
                for (int p = 0; p < o[2]; p++) {
                    for (int q = 0; q < o[3]; q++) {
                        int yi = ((nb * 4 + kk) * o[2] + p) * o[3] + q;
                        for (int cc = 0; cc < 3; cc++) {
                            for (int r = 0; r < 3; r++) {
                                for (int t = 0; t < 3; t++) {
                                    int h = p * 2 - 1 + r, ww = q - 1 + t;
                                    if (h < 0 || h >= 9 || ww < 0 || ww >= 8) {
                                        continue;
                                    }
                                    int xi = ((nb * 3 + cc) * 9 + h) * 8 + ww, wi = ((kk * 3 + cc) * 3 + r) * 3 + t;
                                    wy[yi] += x[xi] * w[wi];
                                    wgx[xi] += dy[yi] * w[wi];
                                    wgw[wi] += dy[yi] * x[xi];
                                }
                            }
                        }
                    }
                }
            }
        }
        Cudnn.Algo[] algos = dnn.chosenAlgorithms(s);
        return "fwd " + close(downD(y, ny), wy, 1e-12) + ", bwd-data " + close(downD(gx, nx), wgx, 1e-12) + ", bwd-filter "
                + close(downD(gw, nw), wgw, 1e-12) + ", algos " + algos[0] + " " + algos[1] + " " + algos[2];
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
        double[] wy = new double[total], wrm = new double[c], wrvUnbiased = new double[c], wrvBiased = new double[c];
        double[] wgx = new double[total], wgs = new double[c], wgb = new double[c];
        int m = n * hw;
        for (int ch = 0; ch < c; ch++) {
            double mean = 0, var = 0;
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < hw; i++) {
                    mean += x[(b * c + ch) * hw + i];
                }
            }
            mean /= m;
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < hw; i++) {
                    double d = x[(b * c + ch) * hw + i] - mean;
                    var += d * d;
                }
            }
            double inv = 1 / Math.sqrt(var / m + eps);
            wrm[ch] = mom * mean;
            wrvUnbiased[ch] = (1 - mom) + mom * var / (m - 1);
            wrvBiased[ch] = (1 - mom) + mom * var / m;
            double sdy = 0, sdyx = 0;
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < hw; i++) {
                    int idx = (b * c + ch) * hw + i;
                    double xh = (x[idx] - mean) * inv;
                    wy[idx] = gamma[ch] * xh + beta[ch];
                    sdy += dy[idx];
                    sdyx += dy[idx] * xh;
                }
            }
            wgb[ch] = sdy;
            wgs[ch] = sdyx;
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < hw; i++) {
                    int idx = (b * c + ch) * hw + i;
                    double xh = (x[idx] - mean) * inv;
                    wgx[idx] = gamma[ch] * inv / m * (m * dy[idx] - sdy - xh * sdyx);
                }
            }
        }
        float[] rvGot = downF(rv, c);
        String varKind;
        try {
            close(rvGot, wrvUnbiased, 1e-5);
            varKind = "running var uses UNBIASED variance";
        } catch (AssertionError e) {
            close(rvGot, wrvBiased, 1e-5);
            varKind = "running var uses BIASED variance (differs from PyTorch!)";
        }
        return "y " + close(downF(y, total), wy, 1e-4) + ", running mean " + close(downF(rm, c), wrm, 1e-5) + ", " + varKind
                + ", dx " + close(downF(gx, total), wgx, 1e-4) + ", dscale " + close(downF(gsc, c), wgs, 1e-4)
                + ", dbias " + close(downF(gbi, c), wgb, 1e-4);
    }

    private String pool() {
        int[] shape = {1, 2, 5, 5};
        int total = 50;
        float[] x = randF(total);
        long dx = up(x);
        int[] win = {2, 2}, pad = {1, 1}, str = {2, 2};
        int[] o = Cudnn.poolOutputShape(shape, win, pad, str);
        int ny = o[1] * o[2] * o[3];
        long ymax = dev(4L * ny), yavg = dev(4L * ny), yexc = dev(4L * ny), gx = dev(4L * total);
        float[] dy = randF(ny);
        Cudnn dnn = ctx.cudnn();
        dnn.poolForward(DType.FLOAT32, Cudnn.PoolMode.MAX, shape, dx, win, pad, str, ymax);
        dnn.poolForward(DType.FLOAT32, Cudnn.PoolMode.AVG_INCLUDE_PADDING, shape, dx, win, pad, str, yavg);
        dnn.poolForward(DType.FLOAT32, Cudnn.PoolMode.AVG_EXCLUDE_PADDING, shape, dx, win, pad, str, yexc);
        dnn.poolBackward(DType.FLOAT32, Cudnn.PoolMode.MAX, shape, dx, ymax, up(dy), win, pad, str, gx);
        double[] wmax = new double[ny], wavg = new double[ny], wexc = new double[ny], wgx = new double[total];
        for (int ch = 0; ch < 2; ch++) {
            for (int p = 0; p < o[2]; p++) {
                for (int q = 0; q < o[3]; q++) {
                    int yi = (ch * o[2] + p) * o[3] + q;
                    double mx = Double.NEGATIVE_INFINITY, s = 0;
                    int cnt = 0, arg = -1;
                    for (int r = 0; r < 2; r++) {
                        for (int t = 0; t < 2; t++) {
                            int h = p * 2 - 1 + r, w = q * 2 - 1 + t;
                            if (h < 0 || h >= 5 || w < 0 || w >= 5) {
                                continue;
                            }
                            int xi = (ch * 5 + h) * 5 + w;
                            if (x[xi] > mx) {
                                mx = x[xi];
                                arg = xi;
                            }
                            s += x[xi];
                            cnt++;
                        }
                    }
                    wmax[yi] = mx;
                    wavg[yi] = s / 4;
                    wexc[yi] = s / cnt;
                    wgx[arg] += dy[yi];
                }
            }
        }
        return "max " + close(downF(ymax, ny), wmax, 0) + ", avg-incl " + close(downF(yavg, ny), wavg, 1e-6) + ", avg-excl "
                + close(downF(yexc, ny), wexc, 1e-6) + ", max-bwd " + close(downF(gx, total), wgx, 1e-6);
    }
}
