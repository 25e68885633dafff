package org.gradlab.natives.cuda;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class KernelPlansTest {
    @Test
    void broadcastStrides() {
        assertArrayEquals(new long[] {12, 4, 1}, KernelPlans.contiguousStrides(new long[] {2, 3, 4}));
        assertArrayEquals(new long[] {0, 0, 1}, KernelPlans.broadcastStrides(new long[] {4}, new long[] {2, 3, 4}));
        assertArrayEquals(new long[] {0, 1, 0}, KernelPlans.broadcastStrides(new long[] {3, 1}, new long[] {2, 3, 4}));
        assertThrows(IllegalArgumentException.class, () -> KernelPlans.broadcastStrides(new long[] {3}, new long[] {2, 4}));
    }

    @Test
    void stridesStructLayout() {
        long[] f = KernelPlans.stridesStruct(new long[] {2, 3}, new long[] {3, 1}, new long[] {0, 1});
        assertEquals(19, f.length);
        assertEquals(2, f[0]);
        assertEquals(2, f[1]);
        assertEquals(3, f[2]);
        assertEquals(3, f[7]);
        assertEquals(1, f[8]);
        assertEquals(0, f[13]);
        assertEquals(1, f[14]);
        assertThrows(IllegalArgumentException.class, () -> KernelPlans.stridesStruct(new long[7], new long[7], null));
    }

    @Test
    void reduceStructLayout() {
        // x [2,3,4] contiguous, reduce axes {0,2}: keep dim 1 (3, stride 4); reduce dims 0 (2, stride 12) and 2 (4, stride 1)
        long[] f = KernelPlans.reduceStruct(new long[] {2, 3, 4}, new long[] {12, 4, 1}, new int[] {0, -1});
        assertEquals(27, f.length);
        assertEquals(1, f[0]);
        assertEquals(3, f[1]);
        assertEquals(4, f[7]);
        assertEquals(2, f[13]);
        assertEquals(2, f[14]);
        assertEquals(4, f[15]);
        assertEquals(12, f[20]);
        assertEquals(1, f[21]);
        assertEquals(8, f[26]);
        assertEquals(3, KernelPlans.reduceOutputCount(new long[] {2, 3, 4}, new int[] {0, 2}));
    }

    /** Evaluates the reduce plan on the CPU exactly as reduce.cu does, against a direct sum. */
    @Test
    void reducePlanIndexingMatchesDirectSum() {
        long[] shape = {3, 4, 5};
        double[] x = new double[60];
        for (int i = 0; i < 60; i++) {
            x[i] = i * 0.5 - 7;
        }
        long[] f = KernelPlans.reduceStruct(shape, KernelPlans.contiguousStrides(shape), new int[] {1});
        long nOut = KernelPlans.reduceOutputCount(shape, new int[] {1});
        for (long o = 0; o < nOut; o++) {
            long rem = o, base = 0;
            for (int d = (int) f[0] - 1; d >= 0; d--) {
                long c = rem % f[1 + d];
                rem /= f[1 + d];
                base += c * f[7 + d];
            }
            double acc = 0;
            for (long j = 0; j < f[26]; j++) {
                long rj = j, off = base;
                for (int d = (int) f[13] - 1; d >= 0; d--) {
                    long c = rj % f[14 + d];
                    rj /= f[14 + d];
                    off += c * f[20 + d];
                }
                acc += x[(int) off];
            }
            int a = (int) (o / 5), c = (int) (o % 5);
            double direct = 0;
            for (int b = 0; b < 4; b++) {
                direct += x[a * 20 + b * 5 + c];
            }
            assertEquals(direct, acc, 1e-12);
        }
    }

    @Test
    void convShapes() {
        ConvShape s = new ConvShape(DType.FLOAT32, new int[] {8, 3, 32, 32}, new int[] {16, 3, 3, 3}, new int[] {1, 1},
                new int[] {2, 2}, new int[] {1, 1}, 1);
        assertArrayEquals(new int[] {8, 16, 16, 16}, s.output());
        assertEquals(s, new ConvShape(DType.FLOAT32, new int[] {8, 3, 32, 32}, new int[] {16, 3, 3, 3}, new int[] {1, 1},
                new int[] {2, 2}, new int[] {1, 1}, 1));
        assertNotEquals(s, new ConvShape(DType.FLOAT64, new int[] {8, 3, 32, 32}, new int[] {16, 3, 3, 3}, new int[] {1, 1},
                new int[] {2, 2}, new int[] {1, 1}, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConvShape(DType.FLOAT32, new int[] {8, 3, 32, 32},
                new int[] {16, 4, 3, 3}, new int[] {0, 0}, new int[] {1, 1}, new int[] {1, 1}, 1));
    }
}
