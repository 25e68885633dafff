/*
 * Linear's weight gradient on OpenBLAS's sgemm in both orientations, one thread, thread CPU per call,
 * median (min-max) of 21, the two calls alternating: dW = g^T x as the (out, in) product (GradLab's
 * call before issue 14's fifth round), and x^T g, the (in, out) product that Linear then copies
 * transposed (float32 on the CPU when out > in, see ops/Linear.java). ViT-Tiny's layers at 28 px
 * (1600 rows) and 64 px (2080 rows). Figures: bench/README.md, "ViT-Tiny, fifth round".
 *
 *   gcc -O2 -o /tmp/sgemm-weight-grad bench/scripts/sgemm-weight-grad.c -ldl
 *   /tmp/sgemm-weight-grad "$(ls ~/.javacpp/cache/openblas-*-linux-x86_64.jar/org/bytedeco/openblas/linux-x86_64/libopenblas_nolapack.so.0)"
 */
#include "sgemm-bench.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: sgemm-weight-grad LIBOPENBLAS.so\n");
        return 2;
    }
    cblas_sgemm_t cblas;
    load_openblas("sgemm-weight-grad", argv[1], &cblas);
    int row_counts[2] = {1600, 2080};
    int layers[4][2] = {{192, 192}, {192, 768}, {768, 192}, {192, 576}}; /* {in, out}: q/k/v/out_proj, mlp.0, mlp.3, a fused in_proj */
    for (int rc = 0; rc < 2; rc++) {
        for (int l = 0; l < 4; l++) {
            int rows = row_counts[rc], in = layers[l][0], out = layers[l][1];
            float *x = operand((size_t) rows * in, 0), *g = operand((size_t) rows * out, 0), *gw = operand((size_t) out * in, 0);
            double gtx[REPS], xtg[REPS];
            for (int r = 0; r < REPS + WARMUP; r++) {
                double t0 = thread_ms();
                cblas(ROW_MAJOR, TRANS, NO_TRANS, out, in, rows, 1, g, out, x, in, 0, gw, in); /* g^T x: (out, in) */
                double t1 = thread_ms();
                cblas(ROW_MAJOR, TRANS, NO_TRANS, in, out, rows, 1, x, in, g, out, 0, gw, out); /* x^T g: (in, out) */
                double t2 = thread_ms();
                if (r >= WARMUP) {
                    gtx[r - WARMUP] = t1 - t0;
                    xtg[r - WARMUP] = t2 - t1;
                }
            }
            qsort(gtx, REPS, sizeof(double), by_value);
            qsort(xtg, REPS, sizeof(double), by_value);
            printf("rows %d, %4d -> %4d: g^T x %.3f (%.3f-%.3f) ms, x^T g %.3f (%.3f-%.3f) ms\n", rows, in, out,
                   gtx[REPS / 2], gtx[0], gtx[REPS - 1], xtg[REPS / 2], xtg[0], xtg[REPS - 1]);
            free(x);
            free(g);
            free(gw);
        }
    }
    return 0;
}
