package org.gradlab.natives.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The self-test's float64 references, checked where a result is known (they judge the GPU, so they are judged too). */
class SelfTestReferenceTest {
    @Test
    void gemmTransposesAsDocumented() {
        // A = [[1,2],[3,4]] (2x2), B = [[5],[6]] (2x1): A B = [[17],[39]]
        assertArrayEquals(new double[] {17, 39}, SelfTestReference.gemm(false, false, 2, 1, 2, 1, new double[] {1, 2, 3, 4},
                new double[] {5, 6}));
        // A stored transposed [k,m] = [[1,3],[2,4]]; B stored transposed [n,k] = [[5,6]]; alpha 2
        assertArrayEquals(new double[] {34, 78}, SelfTestReference.gemm(true, true, 2, 1, 2, 2, new double[] {1, 3, 2, 4},
                new double[] {5, 6}));
    }

    @Test
    void convWithACentredUnitKernelIsTheIdentityAndItsGradientsMatchFiniteDifferences() {
        Random r = new Random(3);
        int[] xs = {1, 2, 4, 5};
        double[] x = r.doubles(40).toArray();
        double[] w = new double[2 * 2 * 9];
        w[4] = 1; // output channel 0 <- input channel 0, centre tap
        w[(1 * 2 + 1) * 9 + 4] = 1; // output channel 1 <- input channel 1
        double[][] id = SelfTestReference.conv3x3(x, xs, w, 2, new int[] {1, 1}, new double[40]);
        assertArrayEquals(x, id[0], 0);
        double[] wr = r.doubles(2 * 2 * 9).toArray(), dy = r.doubles(2 * 2 * 3).toArray(); // stride 2x2: output [1,2,2,3]
        double[][] g = SelfTestReference.conv3x3(x, xs, wr, 2, new int[] {2, 2}, dy);
        double h = 1e-6;
        for (int i = 0; i < x.length; i += 7) {
            double[] xp = x.clone(), xm = x.clone();
            xp[i] += h;
            xm[i] -= h;
            double fd = (dot(SelfTestReference.conv3x3(xp, xs, wr, 2, new int[] {2, 2}, dy)[0], dy)
                    - dot(SelfTestReference.conv3x3(xm, xs, wr, 2, new int[] {2, 2}, dy)[0], dy)) / (2 * h);
            assertEquals(fd, g[1][i], 1e-8);
        }
        for (int i = 0; i < wr.length; i += 5) {
            double[] wp = wr.clone(), wm = wr.clone();
            wp[i] += h;
            wm[i] -= h;
            double fd = (dot(SelfTestReference.conv3x3(x, xs, wp, 2, new int[] {2, 2}, dy)[0], dy)
                    - dot(SelfTestReference.conv3x3(x, xs, wm, 2, new int[] {2, 2}, dy)[0], dy)) / (2 * h);
            assertEquals(fd, g[2][i], 1e-8);
        }
    }

    @Test
    void batchNormOutputIsNormalisedPerChannel() {
        Random r = new Random(5);
        int n = 3, c = 2, hw = 4;
        float[] x = new float[n * c * hw], dy = new float[n * c * hw];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (3 + 2 * r.nextGaussian());
            dy[i] = (float) r.nextGaussian();
        }
        SelfTestReference.BatchNorm bn = SelfTestReference.batchNorm(x, new float[] {1, 1}, new float[] {0, 0}, dy, n, c, hw, 1e-5, 0.1);
        for (int ch = 0; ch < c; ch++) {
            double s = 0, sq = 0, sdx = 0;
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < hw; i++) {
                    int idx = (b * c + ch) * hw + i;
                    s += bn.y()[idx];
                    sq += bn.y()[idx] * bn.y()[idx];
                    sdx += bn.dx()[idx];
                }
            }
            assertEquals(0, s / (n * hw), 1e-9);
            assertEquals(1, sq / (n * hw), 1e-4);
            assertEquals(0, sdx, 1e-9, "the input gradient of a normalisation sums to zero per channel");
        }
    }

    @Test
    void adamWFirstStepMovesEachParameterByAboutTheLearningRate() {
        double[] p = SelfTestReference.adamW(new float[] {1, -1}, 0.01, 0.9, 0.999, 1e-8, 0, new float[] {3, -0.5f});
        assertEquals(0.99, p[0], 1e-6);
        assertEquals(-0.99, p[1], 1e-6);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
