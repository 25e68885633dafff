package org.gradlab.engine.backend.cpu;

/**
 * float32 im2col / col2im between heap arrays (x, one sample and a run of channels) and off-heap
 * col matrices (which GEMM reads or writes, so no staging copy of them): the fast versions
 * of the plain loops in {@link ConvReference#im2col} and {@link ConvReference#col2im} (tested
 * against them in Im2colF32Test). col has rows (c, ki, kj) and columns (oh, ow):
 * col[(c*kh+ki)*kw+kj][oh*Wo+ow] = x[c][oh*sh-ph+ki][ow*sw-pw+kj] (0 outside the input).
 * col2im is its adjoint: it ADDS each col entry back to the input position it came from.
 * Three versions each: the general one through a zero-bordered copy of x ({@code im2colPadded}),
 * the shifted-plane one for stride-1 "same" convs ({@code im2colShift}) and the phase one for
 * strided convs whose windows do not overlap ({@link Im2colPhases}).
 */
final class Im2col {
    private Im2col() {}

    /** Geometry of one conv: input plane, kernel, stride, padding, output plane. */
    record Geo(int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int ho, int wo) {}

    /** Elements of the zero-padded copy of {@code channels} input planes. */
    static int paddedSize(int channels, Geo g) {
        return channels * (g.h() + 2 * g.ph()) * (g.w() + 2 * g.pw());
    }

    /**
     * The per-thread pad scratch (HeapStage slot 1) for {@code channels} planes, zeroed: the float32
     * im2col below writes only its interior, so its border must start at zero.
     */
    static float[] zeroedPad(int channels, Geo g) {
        int n = paddedSize(channels, g);
        float[] pad = HeapStage.zeroed(1, n);
        return pad;
    }

    /** Floats a matrix of {@code rows} rows of {@code l} columns, {@code ld} apart, spans. */
    private static long span(int rows, int l, int ld) {
        return rows == 0 ? 0 : (long) (rows - 1) * ld + l;
    }

    /**
     * col = im2col of {@code channels} planes of x (a heap array, from {@code xOff}), written
     * straight into off-heap memory: col row r at {@code colOff + r * ld} of {@code col} (several
     * samples side by side in one col matrix: ld = samples * L). The caller stages x into the heap
     * array with one bulk copy; the col matrix, K x L floats, needs no staging copy of its own.
     */
    static void im2col(float[] x, int xOff, int channels, Geo g, float[] pad, CpuStorage col, long colOff, int ld) {
        long base = OffHeap.floats(col, colOff, span(channels * g.kh() * g.kw(), g.ho() * g.wo(), ld));
        if (isSameShift(g)) {
            im2colShift(x, xOff, channels, g, base, ld);
        } else if (Im2colPhases.applies(g)) {
            Im2colPhases.im2col(x, xOff, channels, g, base, ld);
        } else {
            im2colPadded(x, xOff, channels, g, pad, base, ld);
        }
    }

    /**
     * The general float32 im2col into the off-heap matrix at address {@code col} (row r at r * ld):
     * x is first copied into the interior of {@code pad}, a zero-bordered copy (its border must be
     * zero and is never written), so every col row segment is one branch-free copy.
     */
    static void im2colPadded(float[] x, int xOff, int channels, Geo g, float[] pad, long col, int ld) {
        int hp = g.h() + 2 * g.ph();
        int wp = g.w() + 2 * g.pw();
        int ho = g.ho();
        int wo = g.wo();
        int sh = g.sh();
        int sw = g.sw();
        for (int c = 0; c < channels; c++) {
            for (int ih = 0; ih < g.h(); ih++) {
                System.arraycopy(x, xOff + (c * g.h() + ih) * g.w(), pad, (c * hp + ih + g.ph()) * wp + g.pw(), g.w());
            }
        }
        int row = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++, row++) {
                    int dst = row * ld;
                    int src = (c * hp + ki) * wp + kj;
                    for (int oh = 0; oh < ho; oh++, dst += wo, src += sh * wp) {
                        if (sw == 1) {
                            OffHeap.copy(pad, src, col, dst, wo);
                        } else {
                            for (int ow = 0, s = src; ow < wo; ow++, s += sw) {
                                OffHeap.put(col, dst + ow, pad[s]);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * x ({@code channels} planes of a heap array from {@code xOff}, written whole) = col scattered
     * back and summed, col read straight from off-heap memory (row r at {@code colOff + r * ld} of
     * {@code col}). Every col element is read once.
     */
    static void col2im(CpuStorage col, long colOff, int ld, int channels, Geo g, float[] pad, float[] x, int xOff) {
        long base = OffHeap.floats(col, colOff, span(channels * g.kh() * g.kw(), g.ho() * g.wo(), ld));
        if (isSameShift(g)) {
            col2imShift(base, ld, channels, g, x, xOff);
        } else if (Im2colPhases.applies(g)) {
            Im2colPhases.col2im(base, ld, channels, g, HeapStage.scratch(ROW_SLOT, g.ho() * g.wo()), x, xOff);
        } else {
            col2imPadded(base, ld, channels, g, pad, x, xOff);
        }
    }

    /**
     * The general float32 col2im from the off-heap matrix at address {@code col}, accumulating in the
     * zero-bordered scratch {@code pad} (cleared here) whose interior is then copied to x. Each col
     * row is copied into a heap row first (HeapStage slot {@link #ROW_SLOT}).
     */
    static void col2imPadded(long col, int ld, int channels, Geo g, float[] pad, float[] x, int xOff) {
        int hp = g.h() + 2 * g.ph();
        int wp = g.w() + 2 * g.pw();
        int ho = g.ho();
        int wo = g.wo();
        int sh = g.sh();
        int sw = g.sw();
        java.util.Arrays.fill(pad, 0, channels * hp * wp, 0f);
        float[] r = HeapStage.scratch(ROW_SLOT, ho * wo);
        int row = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++, row++) {
                    OffHeap.copy(col, row * ld, r, 0, ho * wo);
                    int src = 0;
                    int dst = (c * hp + ki) * wp + kj;
                    for (int oh = 0; oh < ho; oh++, src += wo, dst += sh * wp) {
                        if (sw == 1) {
                            for (int ow = 0; ow < wo; ow++) {
                                pad[dst + ow] += r[src + ow];
                            }
                        } else {
                            for (int ow = 0, d = dst; ow < wo; ow++, d += sw) {
                                pad[d] += r[src + ow];
                            }
                        }
                    }
                }
            }
        }
        for (int c = 0; c < channels; c++) {
            for (int ih = 0; ih < g.h(); ih++) {
                System.arraycopy(pad, (c * hp + ih + g.ph()) * wp + g.pw(), x, xOff + (c * g.h() + ih) * g.w(), g.w());
            }
        }
    }

    /**
     * Stride 1 with the output plane the size of the input (kernel 2*pad + 1, the challenge's 3x3
     * padding-1 convs): then col row (c, ki, kj) is plane c of x SHIFTED by dy*W + dx (dy = ki - ph,
     * dx = kj - pw) as one flat array, col[t] = x[t + dy*W + dx], except where the source falls
     * outside the plane: whole output rows (oh + dy out of range) and the |dx| edge columns (which
     * a flat shift would wrap into the neighbouring row). One long copy per row instead of Ho
     * copies of Wo floats, and no padded copy of x.
     */
    static boolean isSameShift(Geo g) {
        return g.sh() == 1 && g.sw() == 1 && g.ho() == g.h() && g.wo() == g.w() && g.h() > 0 && g.w() > 0;
    }

    /**
     * One col row of the shifted-plane layout ({@link #isSameShift}): its row index, the flat shift
     * dy*W + dx of its source, the range [a, b) of t whose source x[plane + t + shift] lies inside
     * plane c, and the output rows [ohLo, ohHi) whose source row exists.
     */
    private interface ShiftedRow {
        void visit(int row, int plane, int shift, int a, int b, int ohLo, int ohHi, int dx);
    }

    /** Visits every col row (c, ki, kj) of {@code channels} planes from xOff, in row order. */
    private static void forEachShiftedRow(int xOff, int channels, Geo g, ShiftedRow body) {
        int h = g.h();
        int w = g.w();
        int l = h * w;
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = xOff + c * l;
            for (int ki = 0; ki < g.kh(); ki++) {
                int dy = ki - g.ph();
                int tLo = Math.min(l, Math.max(0, -dy) * w); // output rows whose source row exists
                int tHi = Math.max(tLo, Math.min(h, h - dy) * w);
                for (int kj = 0; kj < g.kw(); kj++, row++) {
                    int dx = kj - g.pw();
                    int shift = dy * w + dx;
                    int a = Math.min(tHi, Math.max(tLo, -shift)); // [a, b): source inside the plane
                    int b = Math.max(a, Math.min(tHi, l - shift));
                    body.visit(row, plane, shift, a, b, tLo / w, tHi / w, dx);
                }
            }
        }
    }

    /** The shifted-plane im2col ({@link #isSameShift}) into the off-heap matrix at address {@code col}, row r at r * ld. */
    static void im2colShift(float[] x, int xOff, int channels, Geo g, long col, int ld) {
        int w = g.w();
        int l = g.h() * w;
        forEachShiftedRow(xOff, channels, g, (row, plane, shift, a, b, ohLo, ohHi, dx) -> {
            int dst = row * ld;
            OffHeap.zero(col, dst, a);
            if (b > a) {
                OffHeap.copy(x, plane + a + shift, col, dst + a, b - a);
            }
            OffHeap.zero(col, dst + b, l - b);
            zeroWrappedColumns(col, dst, ohLo, ohHi, w, dx);
        });
    }

    /**
     * Zeroes, in output rows [ohLo, ohHi) of the off-heap col row at {@code dst}, the columns whose
     * source column ow + dx is outside [0, w). NOTE: one strided loop down each such column (|dx|
     * of them, one for a 3x3 kernel) rather than two short loops per output row: the per-row loops
     * cost more than the copy of the row itself.
     */
    private static void zeroWrappedColumns(long col, int dst, int ohLo, int ohHi, int w, int dx) {
        int left = Math.min(w, Math.max(0, -dx)); // ow < -dx
        int right = Math.max(left, Math.min(w, w - dx)); // ow >= w - dx
        int end = dst + ohHi * w;
        for (int ow = 0; ow < left; ow++) {
            for (int i = dst + ohLo * w + ow; i < end; i += w) {
                OffHeap.put(col, i, 0f);
            }
        }
        for (int ow = right; ow < w; ow++) {
            for (int i = dst + ohLo * w + ow; i < end; i += w) {
                OffHeap.put(col, i, 0f);
            }
        }
    }

    /**
     * The heap-array counterpart of {@link #zeroWrappedColumns} for one col row copied to
     * {@code y[base + t]}: zeroes the wrapped positions t (output rows [ohLo, ohHi), columns whose
     * source is outside the plane) that lie in the copied range [a, b).
     */
    private static void zeroWrapped(float[] y, int base, int a, int b, int ohLo, int ohHi, int w, int dx) {
        int left = Math.min(w, Math.max(0, -dx));
        int right = Math.max(left, Math.min(w, w - dx));
        int hi = Math.min(b, ohHi * w);
        for (int ow = 0; ow < left; ow++) {
            zeroColumn(y, base, Math.max(a, ohLo * w + ow), ow, hi, w);
        }
        for (int ow = right; ow < w; ow++) {
            zeroColumn(y, base, Math.max(a, ohLo * w + ow), ow, hi, w);
        }
    }

    /** y[base + t] = 0 for every t in [lo, hi) in column ow (t mod w == ow). */
    private static void zeroColumn(float[] y, int base, int lo, int ow, int hi, int w) {
        for (int t = lo + Math.floorMod(ow - lo, w); t < hi; t += w) {
            y[base + t] = 0f;
        }
    }

    /**
     * The adjoint of {@link #im2colShift}: x planes (from xOff, written whole) = sum over the rows of
     * the off-heap matrix at address {@code col} (row r at r * ld) of the row shifted back. Each
     * row's range [a, b) is copied into a heap scratch array, its wrapped edge columns zeroed there,
     * and added to x with one long add.
     *
     * <p>NOTE: each row is copied into the scratch array at the SAME index as its target in x, so
     * the add loop reads and writes {@code [i]} of both: C2 (JDK 17) does not vectorise a loop
     * whose two arrays carry different loop-invariant offsets ({@code x[a + t] += col[b + t]}),
     * and the copy (an intrinsic memcpy) costs less than the scalar adds it replaces (bench/README.md,
     * LoopShapesBench).
     */
    static void col2imShift(long col, int ld, int channels, Geo g, float[] x, int xOff) {
        int w = g.w();
        int end = xOff + channels * g.h() * w;
        java.util.Arrays.fill(x, xOff, end, 0f);
        float[] aligned = HeapStage.scratch(ALIGNED_SLOT, end);
        forEachShiftedRow(xOff, channels, g, (row, plane, shift, a, b, ohLo, ohHi, dx) -> {
            if (b > a) {
                int at = plane + shift + a;
                OffHeap.copy(col, row * ld + a, aligned, at, b - a);
                zeroWrapped(aligned, plane + shift, a, b, ohLo, ohHi, w, dx);
                addInto(x, aligned, at, at + b - a);
            }
        });
    }

    /** HeapStage slot of col2imPadded's row copy (the conv callers use slots 0, 1, 3 and 4). */
    private static final int ROW_SLOT = 2;

    /** HeapStage slot of col2imShift's aligned copy (the conv callers use slots 0, 1, 3 and 4). */
    private static final int ALIGNED_SLOT = 5;

    /** x[i] += y[i] for i in [from, to): one index for both arrays, so the JIT vectorises it. */
    private static void addInto(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            x[i] += y[i];
        }
    }
}
