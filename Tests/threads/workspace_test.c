/*
 * workspace_test.c — per-thread GEMM and convolution workspaces are freed when their thread
 * exits and when the team shrinks (issue 15). Counts the bytes and threads the cache holds
 * (ck_thread_cache_stats) around:
 *   1. application threads that call kernels and exit (pthread key destructor);
 *   2. a team of 8 that shrinks to 2 (ck_set_num_threads trims members 2…7).
 * Under LeakSanitizer (scripts/thread-sweep.sh --lsan) the same frees are also checked at exit.
 * Exit status 0 = passed.
 */
#include <ckernels/ckernels.h>
#include "runtime/thread_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static int failures = 0;

static float *filled(int64_t n, float v) {
    float *p = malloc((size_t)n * sizeof(float));
    if (!p) exit(2);
    for (int64_t i = 0; i < n; ++i) p[i] = v * (float)((i % 7) - 3);
    return p;
}

/* One GEMM (packing buffers) and one im2col convolution (library scratch) on this thread. */
static void *work(void *arg) {
    (void)arg;
    const int64_t m = 96, n = 200, k = 300;
    float *a = filled(m * k, 0.1f), *b = filled(k * n, 0.2f), *c = filled(m * n, 0);
    if (ck_sgemm(CK_ROW_MAJOR, CK_NO_TRANS, CK_NO_TRANS, m, n, k, 1, a, k, b, n, 0, c, n) != CK_OK) ++failures;
    ck_conv2d_params p = {2, 9, 9, 5, 7, 3, 3, 2, 2, 1, 1};
    int64_t po, qo;
    ck_conv2d_output_size(&p, &po, &qo);
    float *x = filled(2 * 9 * 9 * 5, 0.3f), *w = filled(9 * 5 * 7, 0.4f), *y = filled(2 * po * qo * 7, 0);
    if (ck_conv2d_fwd(&p, x, w, NULL, y, NULL, 0) != CK_OK) ++failures;
    free(a); free(b); free(c); free(x); free(w); free(y);
    return NULL;
}

static void stats(const char *when, int64_t *bytes, int64_t *threads) {
    ck_thread_cache_stats(bytes, threads);
    printf("%-40s %10lld bytes cached by %lld threads\n", when, (long long)*bytes, (long long)*threads);
}

int main(void) {
    int64_t b0, t0, b1, t1, b2, t2, b3, t3;
    ck_set_num_threads(1);
    stats("start", &b0, &t0);
    pthread_t th[4];
    for (int i = 0; i < 4; ++i) pthread_create(&th[i], NULL, work, NULL);
    for (int i = 0; i < 4; ++i) pthread_join(th[i], NULL);
    stats("4 application threads ran and exited", &b1, &t1);
    if (b1 != b0 || t1 != t0) { printf("FAIL: exited threads left their workspaces\n"); ++failures; }

    /* a team of 8 on a GEMM large enough to use all 8 (rows split, shared packed B) */
    ck_set_num_threads(8);
    const int64_t m = 1024, n = 256, k = 256;
    float *a = filled(m * k, 0.1f), *b = filled(k * n, 0.2f), *c = filled(m * n, 0);
    if (ck_sgemm(CK_ROW_MAJOR, CK_NO_TRANS, CK_NO_TRANS, m, n, k, 1, a, k, b, n, 0, c, n) != CK_OK) ++failures;
    stats("team of 8 after a GEMM", &b2, &t2);
    if (t2 < 8) { printf("FAIL: expected ≥ 8 threads with workspaces, got %lld\n", (long long)t2); ++failures; }
    ck_set_num_threads(2);
    stats("team shrunk to 2", &b3, &t3);
    if (t3 > 2 || b3 >= b2) { printf("FAIL: members 2..7 kept their workspaces\n"); ++failures; }
    ck_set_num_threads(0);
    free(a); free(b); free(c);
    printf("%s\n", failures ? "workspace_test: FAILURES above" : "workspace_test: all passed");
    return failures ? 1 : 0;
}
