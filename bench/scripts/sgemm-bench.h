/*
 * What bench/scripts/sgemm-calls.c and sgemm-weight-grad.c share: OpenBLAS loaded by path with one
 * thread, thread CPU time in ms, a comparator for medians, and filled 4096-byte-aligned operands.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef void (*cblas_sgemm_t)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112, REPS = 21, WARMUP = 3 };

static const char *bench_tool = "sgemm"; /* the program's name in its error messages: load_openblas sets it */

static double thread_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

/* n floats (plus 64 spare) from a 4096-byte-aligned allocation, filled, starting misalign floats in (free() only with misalign 0). */
static float *operand(size_t n, int misalign) {
    float *p;
    if (posix_memalign((void **) &p, 4096, (n + 64) * sizeof(float)) != 0) {
        fprintf(stderr, "%s: out of memory\n", bench_tool);
        exit(1);
    }
    for (size_t i = 0; i < n + 64; i++) {
        p[i] = (float) ((i * 7919) % 1000) / 1000.f - 0.5f;
    }
    return p + misalign;
}

/* The library at path, its cblas_sgemm in *cblas, set to one thread; exits 1 naming what is missing. */
static void *load_openblas(const char *tool, const char *path, cblas_sgemm_t *cblas) {
    bench_tool = tool;
    void *lib = dlopen(path, RTLD_NOW);
    if (!lib) {
        fprintf(stderr, "%s: %s\n", tool, dlerror());
        exit(1);
    }
    *cblas = (cblas_sgemm_t) dlsym(lib, "cblas_sgemm");
    void (*set_threads)(int) = (void (*)(int)) dlsym(lib, "openblas_set_num_threads");
    if (!*cblas || !set_threads) {
        fprintf(stderr, "%s: %s lacks cblas_sgemm or openblas_set_num_threads\n", tool, path);
        exit(1);
    }
    set_threads(1);
    return lib;
}
