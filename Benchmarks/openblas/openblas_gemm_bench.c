/*
 * openblas_gemm_bench.c — the OpenBLAS side of Benchmarks/gemm-vs-openblas.sh: times
 * cblas_sgemm (row-major, no transposes, alpha 1, beta 0, the same call ck-bench makes) on the
 * shapes read from stdin as "name m n k" lines, with ck-bench's method (one untimed warm-up,
 * then the median wall time of `repeats` runs), and prints one JSON document.
 * Threads: set OPENBLAS_NUM_THREADS (and OPENBLAS_CORETYPE) in the environment.
 * Usage: openblas_gemm_bench <threads-label> <repeats> < shapes.txt
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int compare_doubles(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static float *filled(size_t count, float value) {
    float *p = NULL;
    if (posix_memalign((void **)&p, 64, count * sizeof(float) + 64) != 0) return NULL;
    for (size_t i = 0; i < count; ++i) p[i] = value;
    return p;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <threads-label> <repeats> < shapes\n", argv[0]);
        return 2;
    }
    int threads = atoi(argv[1]), repeats = atoi(argv[2]);
    if (repeats < 1 || repeats > 1000) repeats = 7;
    double *times = malloc(sizeof(double) * (size_t)repeats);
    char name[128];
    long m, n, k;
    int first = 1;
    printf("{\"benchmark\":\"gemm\",\"library\":\"openblas\",\"config\":\"%s\",\"results\":[",
           openblas_get_config());
    while (scanf("%127s %ld %ld %ld", name, &m, &n, &k) == 4) {
        float *a = filled((size_t)(m * k), 0.5f), *b = filled((size_t)(k * n), 0.25f);
        float *c = filled((size_t)(m * n), 0.0f);
        if (!a || !b || !c) { fprintf(stderr, "out of memory at %s\n", name); return 1; }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
        for (int r = 0; r < repeats; ++r) {
            double t0 = now();
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
            times[r] = now() - t0;
        }
        qsort(times, (size_t)repeats, sizeof(double), compare_doubles);
        double seconds = times[repeats / 2], gflops = 2.0 * m * n * k / seconds * 1e-9;
        printf("%s{\"shape\":\"%s\",\"m\":%ld,\"n\":%ld,\"k\":%ld,\"threads\":%d,\"seconds\":%.9g,\"gflops\":%.6g}",
               first ? "" : ",", name, m, n, k, threads, seconds, gflops);
        first = 0;
        fflush(stdout);
        free(a); free(b); free(c);
    }
    printf("]}\n");
    free(times);
    return 0;
}
