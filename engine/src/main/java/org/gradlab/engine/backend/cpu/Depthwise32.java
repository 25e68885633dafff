package org.gradlab.engine.backend.cpu;

import java.nio.FloatBuffer;

/**
 * float32 direct loops for depthwise convs (Cin/groups = 1, Cout = Cin * mult): out channel
 * oc = ic*mult + m reads only input channel ic, so a GEMM per group would be mult x K x L with
 * K = kh*kw — pure overhead. The same sums as {@link ConvReference} (tested against it), written
 * per output position: out[n, oc, oh, ow] = sum over (ki, kj) inside the input of
 * x[n, ic, oh*sh - ph + ki, ow*sw - pw + kj] * w[oc, 0, ki, kj]; the two backward passes walk
 * the same windows and scatter (dL/dx) or accumulate (dL/dw) the products instead.
 */
final class Depthwise32 {
    private Depthwise32() {}

    /** Samples split across threads ({@link Parallel}). */
    static void forward(CpuStorage x, long xo, CpuStorage w, long wo, CpuStorage out, int n, int cin, int mult, Im2col.Geo g) {
        Parallel.forChunks(n, grain(cin, mult, g), (c, n0, n1) ->
                forward(x.f32(), (int) xo, w.f32(), (int) wo, out.f32(), n0, n1, cin, mult, g));
    }

    /** Samples split across threads. */
    static void backwardInput(CpuStorage gy, long go, CpuStorage w, long wo, CpuStorage gx, int n, int cin, int mult,
                              Im2col.Geo g) {
        Parallel.forChunks(n, grain(cin, mult, g), (c, n0, n1) ->
                backwardInput(gy.f32(), (int) go, w.f32(), (int) wo, gx.f32(), n0, n1, cin, mult, g));
    }

    /** Input channels split across threads (each owns its filters' gradient: no reduction across threads). */
    static void backwardWeight(CpuStorage gy, long go, CpuStorage x, long xo, CpuStorage gw, int n, int cin, int mult,
                               Im2col.Geo g) {
        Parallel.forChunks(cin, grain(n, mult, g), (c, ic0, ic1) ->
                backwardWeight(gy.f32(), (int) go, x.f32(), (int) xo, gw.f32(), n, ic0, ic1, cin, mult, g));
    }

    /** Items (samples or channels) per chunk when one item is {@code count} x mult planes of windows. */
    private static int grain(int count, int mult, Im2col.Geo g) {
        return Parallel.grain((long) count * mult * g.ho() * g.wo() * g.kh() * g.kw());
    }

    private static void forward(FloatBuffer x, int xo, FloatBuffer w, int wo, FloatBuffer out, int n0, int n1, int cin,
                                int mult, Im2col.Geo g) {
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int kk = g.kh() * g.kw();
        for (int n = n0; n < n1; n++) {
            for (int ic = 0; ic < cin; ic++) {
                int xp = xo + (n * cin + ic) * hw;
                for (int m = 0; m < mult; m++) {
                    int oc = ic * mult + m;
                    int wp = wo + oc * kk;
                    int op = (n * cin * mult + oc) * l;
                    for (int oh = 0; oh < g.ho(); oh++) {
                        int ih0 = oh * g.sh() - g.ph();
                        int kiLo = Math.max(0, -ih0);
                        int kiHi = Math.min(g.kh(), g.h() - ih0);
                        for (int ow = 0; ow < g.wo(); ow++) {
                            int iw0 = ow * g.sw() - g.pw();
                            int kjLo = Math.max(0, -iw0);
                            int kjHi = Math.min(g.kw(), g.w() - iw0);
                            float s = 0;
                            for (int ki = kiLo; ki < kiHi; ki++) {
                                int xr = xp + (ih0 + ki) * g.w() + iw0;
                                int wr = wp + ki * g.kw();
                                for (int kj = kjLo; kj < kjHi; kj++) {
                                    s += x.get(xr + kj) * w.get(wr + kj);
                                }
                            }
                            out.put(op + oh * g.wo() + ow, s);
                        }
                    }
                }
            }
        }
    }

    /** gx must be zero-filled; contributions are added. */
    private static void backwardInput(FloatBuffer gy, int go, FloatBuffer w, int wo, FloatBuffer gx, int n0, int n1, int cin,
                                      int mult, Im2col.Geo g) {
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int kk = g.kh() * g.kw();
        for (int n = n0; n < n1; n++) {
            for (int ic = 0; ic < cin; ic++) {
                int xp = (n * cin + ic) * hw;
                for (int m = 0; m < mult; m++) {
                    int oc = ic * mult + m;
                    int wp = wo + oc * kk;
                    int op = go + (n * cin * mult + oc) * l;
                    for (int oh = 0; oh < g.ho(); oh++) {
                        int ih0 = oh * g.sh() - g.ph();
                        int kiLo = Math.max(0, -ih0);
                        int kiHi = Math.min(g.kh(), g.h() - ih0);
                        for (int ow = 0; ow < g.wo(); ow++) {
                            int iw0 = ow * g.sw() - g.pw();
                            int kjLo = Math.max(0, -iw0);
                            int kjHi = Math.min(g.kw(), g.w() - iw0);
                            float v = gy.get(op + oh * g.wo() + ow);
                            for (int ki = kiLo; ki < kiHi; ki++) {
                                int xr = xp + (ih0 + ki) * g.w() + iw0;
                                int wr = wp + ki * g.kw();
                                for (int kj = kjLo; kj < kjHi; kj++) {
                                    gx.put(xr + kj, gx.get(xr + kj) + v * w.get(wr + kj));
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** gw must be zero-filled; contributions of input channels [ic0, ic1) are added. */
    private static void backwardWeight(FloatBuffer gy, int go, FloatBuffer x, int xo, FloatBuffer gw, int batch, int ic0,
                                       int ic1, int cin, int mult, Im2col.Geo g) {
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int kk = g.kh() * g.kw();
        for (int n = 0; n < batch; n++) {
            for (int ic = ic0; ic < ic1; ic++) {
                int xp = xo + (n * cin + ic) * hw;
                for (int m = 0; m < mult; m++) {
                    int oc = ic * mult + m;
                    int wp = oc * kk;
                    int op = go + (n * cin * mult + oc) * l;
                    for (int oh = 0; oh < g.ho(); oh++) {
                        int ih0 = oh * g.sh() - g.ph();
                        int kiLo = Math.max(0, -ih0);
                        int kiHi = Math.min(g.kh(), g.h() - ih0);
                        for (int ow = 0; ow < g.wo(); ow++) {
                            int iw0 = ow * g.sw() - g.pw();
                            int kjLo = Math.max(0, -iw0);
                            int kjHi = Math.min(g.kw(), g.w() - iw0);
                            float v = gy.get(op + oh * g.wo() + ow);
                            for (int ki = kiLo; ki < kiHi; ki++) {
                                int xr = xp + (ih0 + ki) * g.w() + iw0;
                                int wr = wp + ki * g.kw();
                                for (int kj = kjLo; kj < kjHi; kj++) {
                                    gw.put(wr + kj, gw.get(wr + kj) + v * x.get(xr + kj));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
