package org.gradlab.engine.backend.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * float32 direct loops for depthwise convs (Cin/groups = 1, Cout = Cin * mult): out channel
 * oc = ic*mult + m reads only input channel ic, so a GEMM per group would be mult x K x L with
 * K = kh*kw — pure overhead. The same sums as {@link ConvReference} (tested against it):
 * out[n, oc, oh, ow] = sum over (ki, kj) of xpad[n, ic, oh*sh + ki, ow*sw + kj] * w[oc, 0, ki, kj],
 * xpad being x with a zero border of ph rows and pw columns.
 *
 * <p>One (sample, input channel) plane at a time is staged into a heap array with that zero
 * border ({@link HeapStage} slot 0), so the loops have no bounds tests; they run tap by tap
 * (ki, kj), each a pass over the output rows, which for stride 1 is a contiguous multiply-add:
 * forward o[oh, :] += w[ki, kj] * xpad[oh + ki, kj :]; dL/dx scatters the same products into a
 * padded plane and keeps its interior; dL/dw[ki, kj] is the dot product of the gradient plane with
 * the same shifted window. Samples (forward, dL/dx) or input channels (dL/dw, so that no sum
 * crosses threads) split across threads ({@link Parallel}).
 */
final class Depthwise32 {
    private Depthwise32() {}

    /** out (written whole) = depthwise conv of x + bias (bias may be null); samples split across threads. */
    static void forward(CpuStorage x, long xo, CpuStorage w, long wo, float[] bias, CpuStorage out, int n, int cin, int mult,
                        Im2col.Geo g) {
        float[] wa = weights(w, wo, cin * mult, g);
        Parallel.forChunks(n, grain(cin, mult, g), (c, n0, n1) -> {
            float[] o = HeapStage.scratch(1, g.ho() * g.wo());
            for (int s = n0; s < n1; s++) {
                for (int ic = 0; ic < cin; ic++) {
                    float[] xp = padded(x.f32(), (int) xo + (s * cin + ic) * g.h() * g.w(), g);
                    for (int m = 0; m < mult; m++) {
                        int oc = ic * mult + m;
                        Arrays.fill(o, 0, g.ho() * g.wo(), bias == null ? 0f : bias[oc]);
                        for (int ki = 0; ki < g.kh(); ki++) {
                            for (int kj = 0; kj < g.kw(); kj++) {
                                tapForward(xp, wa[(oc * g.kh() + ki) * g.kw() + kj], ki, kj, o, g);
                            }
                        }
                        out.f32().put((s * cin * mult + oc) * g.ho() * g.wo(), o, 0, g.ho() * g.wo());
                    }
                }
            }
        });
    }

    /** gx (written whole) = dL/dx; samples split across threads. */
    static void backwardInput(CpuStorage gy, long go, CpuStorage w, long wo, CpuStorage gx, int n, int cin, int mult,
                              Im2col.Geo g) {
        float[] wa = weights(w, wo, cin * mult, g);
        int l = g.ho() * g.wo();
        int wp = g.w() + 2 * g.pw();
        int padded = (g.h() + 2 * g.ph()) * wp;
        Parallel.forChunks(n, grain(cin, mult, g), (c, n0, n1) -> {
            float[] gp = HeapStage.scratch(0, padded);
            float[] plane = HeapStage.scratch(2, g.h() * g.w());
            for (int s = n0; s < n1; s++) {
                for (int ic = 0; ic < cin; ic++) {
                    Arrays.fill(gp, 0, padded, 0f);
                    for (int m = 0; m < mult; m++) {
                        int oc = ic * mult + m;
                        float[] gyp = HeapStage.load(1, gy.f32(), (int) go + (s * cin * mult + oc) * l, l);
                        for (int ki = 0; ki < g.kh(); ki++) {
                            for (int kj = 0; kj < g.kw(); kj++) {
                                tapBackwardInput(gyp, wa[(oc * g.kh() + ki) * g.kw() + kj], ki, kj, gp, g);
                            }
                        }
                    }
                    for (int r = 0; r < g.h(); r++) { // the interior of the padded plane is dL/dx
                        System.arraycopy(gp, (r + g.ph()) * wp + g.pw(), plane, r * g.w(), g.w());
                    }
                    gx.f32().put((s * cin + ic) * g.h() * g.w(), plane, 0, g.h() * g.w());
                }
            }
        });
    }

    /** gw (zero-filled) += dL/dw; input channels split across threads (each owns its filters' gradient). */
    static void backwardWeight(CpuStorage gy, long go, CpuStorage x, long xo, CpuStorage gw, int n, int cin, int mult,
                               Im2col.Geo g) {
        int kk = g.kh() * g.kw();
        int l = g.ho() * g.wo();
        Parallel.forChunks(cin, grain(n, mult, g), (c, ic0, ic1) -> {
            double[] acc = new double[mult * kk];
            for (int ic = ic0; ic < ic1; ic++) {
                Arrays.fill(acc, 0);
                for (int s = 0; s < n; s++) {
                    float[] xp = padded(x.f32(), (int) xo + (s * cin + ic) * g.h() * g.w(), g);
                    for (int m = 0; m < mult; m++) {
                        float[] gyp = HeapStage.load(1, gy.f32(), (int) go + (s * cin * mult + ic * mult + m) * l, l);
                        for (int ki = 0; ki < g.kh(); ki++) {
                            for (int kj = 0; kj < g.kw(); kj++) {
                                acc[m * kk + ki * g.kw() + kj] += tapDot(xp, gyp, ki, kj, g);
                            }
                        }
                    }
                }
                FloatBuffer out = gw.f32();
                for (int i = 0; i < mult * kk; i++) {
                    out.put(ic * mult * kk + i, out.get(ic * mult * kk + i) + (float) acc[i]);
                }
            }
        });
    }

    /** Items (samples or channels) per chunk when one item is {@code count} x mult planes of windows. */
    private static int grain(int count, int mult, Im2col.Geo g) {
        return Parallel.grain((long) count * mult * g.ho() * g.wo() * g.kh() * g.kw());
    }

    /** All filters (cout x kh x kw) as a heap array. */
    private static float[] weights(CpuStorage w, long wo, int cout, Im2col.Geo g) {
        float[] wa = new float[cout * g.kh() * g.kw()];
        w.f32().get((int) wo, wa, 0, wa.length);
        return wa;
    }

    /** The plane of x at {@code off} in the calling thread's slot-0 array, with a zero border of ph rows and pw columns. */
    private static float[] padded(FloatBuffer x, int off, Im2col.Geo g) {
        int wp = g.w() + 2 * g.pw();
        int size = (g.h() + 2 * g.ph()) * wp;
        float[] xp = HeapStage.scratch(0, size);
        float[] plane = HeapStage.load(2, x, off, g.h() * g.w());
        Arrays.fill(xp, 0, size, 0f);
        for (int r = 0; r < g.h(); r++) {
            System.arraycopy(plane, r * g.w(), xp, (r + g.ph()) * wp + g.pw(), g.w());
        }
        return xp;
    }

    /** o[oh, ow] += wv * xp[oh*sh + ki, ow*sw + kj] for every output position. */
    private static void tapForward(float[] xp, float wv, int ki, int kj, float[] o, Im2col.Geo g) {
        int wp = g.w() + 2 * g.pw();
        for (int oh = 0; oh < g.ho(); oh++) {
            int src = (oh * g.sh() + ki) * wp + kj;
            int dst = oh * g.wo();
            if (g.sw() == 1) {
                for (int ow = 0; ow < g.wo(); ow++) {
                    o[dst + ow] += wv * xp[src + ow];
                }
            } else {
                for (int ow = 0; ow < g.wo(); ow++) {
                    o[dst + ow] += wv * xp[src + ow * g.sw()];
                }
            }
        }
    }

    /** gp[oh*sh + ki, ow*sw + kj] += wv * gy[oh, ow] for every output position. */
    private static void tapBackwardInput(float[] gy, float wv, int ki, int kj, float[] gp, Im2col.Geo g) {
        int wp = g.w() + 2 * g.pw();
        for (int oh = 0; oh < g.ho(); oh++) {
            int dst = (oh * g.sh() + ki) * wp + kj;
            int src = oh * g.wo();
            for (int ow = 0; ow < g.wo(); ow++) {
                gp[dst + ow * g.sw()] += wv * gy[src + ow];
            }
        }
    }

    /** sum over output positions of gy[oh, ow] * xp[oh*sh + ki, ow*sw + kj], four partial sums. */
    private static double tapDot(float[] xp, float[] gy, int ki, int kj, Im2col.Geo g) {
        int wp = g.w() + 2 * g.pw();
        double sum = 0;
        for (int oh = 0; oh < g.ho(); oh++) {
            int src = (oh * g.sh() + ki) * wp + kj;
            int row = oh * g.wo();
            float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            int ow = 0;
            for (int sw = g.sw(); ow + 3 < g.wo(); ow += 4) {
                a0 += gy[row + ow] * xp[src + ow * sw];
                a1 += gy[row + ow + 1] * xp[src + (ow + 1) * sw];
                a2 += gy[row + ow + 2] * xp[src + (ow + 2) * sw];
                a3 += gy[row + ow + 3] * xp[src + (ow + 3) * sw];
            }
            for (; ow < g.wo(); ow++) {
                a0 += gy[row + ow] * xp[src + ow * g.sw()];
            }
            sum += ((double) a0 + a1) + ((double) a2 + a3);
        }
        return sum;
    }
}
