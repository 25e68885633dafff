package org.gradlab.engine.backend.cpu;

import org.gradlab.engine.DType;

/** What the im2col tests ({@link Im2colF32Test}, {@link Im2colPhasesTest}) build their cases from. */
final class Im2colFixtures {
    private Im2colFixtures() {}

    /** An off-heap copy of a. */
    static CpuStorage offHeap(float[] a) {
        CpuStorage s = new CpuStorage(DType.F32, a.length, false);
        s.f32().put(0, a, 0, a.length);
        return s;
    }

    /** Every float of s, copied to the heap. */
    static float[] read(CpuStorage s) {
        float[] a = new float[s.f32().capacity()];
        s.f32().get(0, a, 0, a.length);
        return a;
    }

    /** A geometry with the output size the conv formula gives. */
    static Im2col.Geo geo(int h, int w, int kh, int kw, int sh, int sw, int ph, int pw) {
        return new Im2col.Geo(h, w, kh, kw, sh, sw, ph, pw, (h + 2 * ph - kh) / sh + 1, (w + 2 * pw - kw) / sw + 1);
    }
}
