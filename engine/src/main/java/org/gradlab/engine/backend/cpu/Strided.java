package org.gradlab.engine.backend.cpu;

/**
 * Row-by-row iteration over a shape for up to two strided operands: the callback receives the
 * storage index of the row's first element in each operand, the row's index in a contiguous
 * output, and the row length; strides along the last axis are fixed per call.
 */
final class Strided {
    private Strided() {}

    interface Rows {
        void row(long a, long b, long out, int len);
    }

    static void forEachRow(int[] shape, int[] sa, long offA, int[] sb, long offB, Rows fn) {
        int r = shape.length;
        if (r == 0) {
            fn.row(offA, offB, 0, 1);
            return;
        }
        for (int d : shape) {
            if (d == 0) {
                return;
            }
        }
        int len = shape[r - 1];
        int[] idx = new int[r];
        long a = offA;
        long b = offB;
        long out = 0;
        while (true) {
            fn.row(a, b, out, len);
            out += len;
            int d = r - 2;
            while (d >= 0) {
                idx[d]++;
                a += sa[d];
                b += sb == null ? 0 : sb[d];
                if (idx[d] < shape[d]) {
                    break;
                }
                a -= (long) sa[d] * shape[d];
                b -= sb == null ? 0 : (long) sb[d] * shape[d];
                idx[d] = 0;
                d--;
            }
            if (d < 0) {
                return;
            }
        }
    }
}
