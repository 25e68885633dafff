// How long one cache line takes to go from one core to another: two threads pinned to CPUs A and B
// (default 0 and 1) hand a counter back and forth for ~0.3 s; prints the median one-way handoff in ns.
// On a virtual machine this shows where the host placed the two vCPUs right now: on one AMD EPYC host
// ~35 ns (same core complex, shared L3) or ~170 ns (different complexes), switching every few tens of
// seconds; work split across the two threads slows down in the second placement (bench/README.md,
// "Two threads: where the host puts the vCPUs"). compare-pytorch.sh builds and runs it around every
// run at THREADS >= 2.   gcc -O2 -pthread core-handoff.c -o core-handoff && ./core-handoff [A B]
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static _Alignas(64) atomic_long turn = 0;
static atomic_int stop = 0;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *echo(void *arg) {
    if (pin(*(int *) arg) != 0) {
        atomic_store(&stop, 2);
        return NULL;
    }
    for (long v = 1; !atomic_load(&stop); v += 2) {
        while (atomic_load_explicit(&turn, memory_order_acquire) != v) {
            if (atomic_load(&stop)) return NULL;
        }
        atomic_store_explicit(&turn, v + 1, memory_order_release);
    }
    return NULL;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int a = argc > 2 ? atoi(argv[1]) : 0, b = argc > 2 ? atoi(argv[2]) : 1;
    pthread_t t;
    if (pin(a) != 0 || pthread_create(&t, NULL, echo, &b) != 0) {
        printf("n/a\n");
        return 0;
    }
    enum { WINDOWS = 10 };
    double ns[WINDOWS];
    long v = 0;
    for (int w = 0; w < WINDOWS; w++) {
        double s = now();
        long n = 0;
        while (now() - s < 0.03 && atomic_load(&stop) != 2) {
            for (int i = 0; i < 256; i++, v += 2) {
                atomic_store_explicit(&turn, v + 1, memory_order_release);
                while (atomic_load_explicit(&turn, memory_order_acquire) != v + 2) {
                    if (atomic_load(&stop) == 2) break;
                }
            }
            n += 256;
        }
        ns[w] = (now() - s) / n / 2 * 1e9;
    }
    int failed = atomic_load(&stop) == 2;
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    if (failed) {
        printf("n/a\n");
        return 0;
    }
    qsort(ns, WINDOWS, sizeof ns[0], cmp);
    printf("%.0f\n", (ns[WINDOWS / 2 - 1] + ns[WINDOWS / 2]) / 2);
    return 0;
}
