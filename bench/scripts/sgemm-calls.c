/*
 * The sgemm calls of ViT-Tiny's linear layers (28 px, patch 4, batch 32: 1600 rows) made the way
 * GradLab makes them (cblas_sgemm, row-major: CpuMatmul / Blas.sgemm) and the way PyTorch 1.13 makes
 * them (the Fortran sgemm_, column-major) on the SAME OpenBLAS library, one thread, thread CPU time per
 * call, median of 21, the two sides alternating. PyTorch's calls, as torch.profiler with
 * record_shapes shows them for torchvision's encoder block:
 *   - 3-D input (in_proj on MHA's transposed (T, N, E) view, mlp.0, mlp.3): aten::matmul, i.e. mm on
 *     the flattened rows with beta 0 and the bias added by a separate aten::add; the weight gradient
 *     mm(g^T, x) on a contiguous copy of g^T (aten::clone), the input gradient mm(g, W);
 *   - 2-D input (out_proj): aten::addmm (the bias copied into the output, beta 1); the weight gradient
 *     x^T g, handed back transposed as a view.
 * GradLab: the bias copied in and beta 1; dW = g^T x with g read transposed in place; dx = g W.
 * The copies and the bias add are not timed here (they are aten::clone/copy_/add in PyTorch's profile).
 * Figures: bench/README.md, "ViT-Tiny at one thread, third round" (issue 14).
 *
 *   gcc -O2 -o /tmp/sgemm-calls bench/scripts/sgemm-calls.c -ldl
 *   /tmp/sgemm-calls "$(ls ~/.javacpp/cache/openblas-*-linux-x86_64.jar/org/bytedeco/openblas/linux-x86_64/libopenblas_nolapack.so.0)" [MISALIGN]
 *
 * MISALIGN (floats, default 0) shifts every operand off its 4096-byte-aligned allocation.
 */
#include "sgemm-bench.h"

typedef void (*sgemm_t)(const char *, const char *, const int *, const int *, const int *, const float *, const float *,
                        const int *, const float *, const int *, const float *, float *, const int *);

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: sgemm-calls LIBOPENBLAS.so [MISALIGN]\n");
        return 2;
    }
    cblas_sgemm_t cblas;
    void *lib = load_openblas("sgemm-calls", argv[1], &cblas);
    sgemm_t fortran = (sgemm_t) dlsym(lib, "sgemm_");
    if (!fortran) {
        fprintf(stderr, "sgemm-calls: %s lacks sgemm_\n", argv[1]);
        return 1;
    }
    int misalign = argc > 2 ? atoi(argv[2]) : 0;
    int rows = 1600;
    int layers[4][2] = {{192, 576}, {192, 192}, {192, 768}, {768, 192}}; /* {in, out}: in_proj, out_proj, mlp.0, mlp.3 */
    int three_d[4] = {1, 0, 1, 1}; /* PyTorch: aten::matmul on a 3-D input, else aten::addmm */
    const char *names[4] = {"in_proj 192->576 3-D", "out_proj 192->192 2-D", "mlp.0 192->768 3-D", "mlp.3 768->192 3-D"};
    const char *calls[3] = {"forward", "grad input", "grad weight"};
    float one = 1, zero = 0;
    printf("layer                  call         GradLab ms  PyTorch ms  (thread CPU, median of %d, misalign %d floats)\n", REPS, misalign);
    for (int l = 0; l < 4; l++) {
        int in = layers[l][0], out = layers[l][1];
        float *x = operand((size_t) rows * in, misalign), *w = operand((size_t) out * in, misalign);
        float *g = operand((size_t) rows * out, misalign), *y = operand((size_t) rows * out, misalign);
        float *gx = operand((size_t) rows * in, misalign), *gw = operand((size_t) out * in, misalign);
        float *gt = operand((size_t) out * rows, misalign); /* PyTorch's contiguous g^T for mm(g^T, x) */
        float beta_fwd = three_d[l] ? 0 : 1;
        double ms[3][2][REPS];
        for (int r = 0; r < REPS + WARMUP; r++) {
            for (int side = 0; side < 2; side++) {
                double t0 = thread_ms();
                if (side == 0) { /* y = x W^T + y (the bias copied in first, beta 1) */
                    cblas(ROW_MAJOR, NO_TRANS, TRANS, rows, out, in, 1, x, in, w, in, 1, y, out);
                } else { /* mm: beta 0, the bias added apart; addmm: beta 1 */
                    fortran("T", "N", &out, &rows, &in, &one, w, &in, x, &in, &beta_fwd, y, &out);
                }
                double t1 = thread_ms();
                if (side == 0) { /* gx = g W */
                    cblas(ROW_MAJOR, NO_TRANS, NO_TRANS, rows, in, out, 1, g, out, w, in, 0, gx, in);
                } else {
                    fortran("N", "N", &in, &rows, &out, &one, w, &in, g, &out, &zero, gx, &in);
                }
                double t2 = thread_ms();
                if (side == 0) { /* gw = g^T x, (out, in) row-major */
                    cblas(ROW_MAJOR, TRANS, NO_TRANS, out, in, rows, 1, g, out, x, in, 0, gw, in);
                } else if (three_d[l]) { /* mm(g^T, x), g^T contiguous (out, rows): (out, in) row-major */
                    fortran("N", "N", &in, &out, &rows, &one, x, &in, gt, &rows, &zero, gw, &in);
                } else { /* addmm's x^T g, (in, out) row-major: the grad of weight.t(), transposed back as a view */
                    fortran("N", "T", &out, &in, &rows, &one, g, &out, x, &in, &zero, gw, &out);
                }
                double t3 = thread_ms();
                if (r >= WARMUP) {
                    ms[0][side][r - WARMUP] = t1 - t0;
                    ms[1][side][r - WARMUP] = t2 - t1;
                    ms[2][side][r - WARMUP] = t3 - t2;
                }
            }
        }
        for (int c = 0; c < 3; c++) {
            qsort(ms[c][0], REPS, sizeof(double), by_value);
            qsort(ms[c][1], REPS, sizeof(double), by_value);
            printf("%-22s %-12s %10.3f  %10.3f\n", names[l], calls[c], ms[c][0][REPS / 2], ms[c][1][REPS / 2]);
        }
    }
    return 0;
}
