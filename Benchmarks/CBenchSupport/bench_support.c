/* bench_support.c — FMA peak and copy bandwidth probes for ck-bench (not part of the product). */
#include "bench_support.h"

#include <immintrin.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
int omp_get_thread_num(void);
int omp_get_num_threads(void);

static double seconds_now_wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct fma_job { int64_t iters; double flops_done; float sink; } fma_job;

__attribute__((target("avx512f,fma")))
static float fma_chains_zmm(int64_t iters) {
    __m512 acc[24];
    const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < 24; ++i) acc[i] = _mm512_set1_ps((float)i);
    for (int64_t t = 0; t < iters; ++t)
        for (int i = 0; i < 24; ++i) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
    __m512 s = acc[0];
    for (int i = 1; i < 24; ++i) s = _mm512_add_ps(s, acc[i]);
    return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma")))
static float fma_chains_ymm(int64_t iters) {
    __m256 acc[12];
    const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps((float)i);
    for (int64_t t = 0; t < iters; ++t)
        for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], x, y);
    __m256 s = acc[0];
    for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, acc[i]);
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0] + out[7];
}

static int has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

static void fma_body(void *data) {
    fma_job *job = (fma_job *)data;
    float r = has_avx512() ? fma_chains_zmm(job->iters) : fma_chains_ymm(job->iters);
    if (omp_get_thread_num() == 0) job->sink = r;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double process_cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double cbs_fma_peak_gflops(int threads, double seconds) { return cbs_fma_peak_gflops_on(threads, seconds, 0); }

double cbs_fma_peak_gflops_on(int threads, double seconds, int cpu_time) {
    double (*seconds_now)(void) = cpu_time ? process_cpu_seconds : seconds_now_wall;
    if (threads < 1) threads = 1;
    int wide = has_avx512();
    double flops_per_iter = wide ? 24.0 * 16 * 2 : 12.0 * 8 * 2;
    /* calibrate on one thread */
    fma_job job = {1 << 20, 0, 0};
    double t0 = seconds_now();
    fma_body(&job);
    double dt = seconds_now() - t0;
    if (dt <= 0) dt = 1e-3;
    job.iters = (int64_t)((double)job.iters * (seconds / dt));
    if (job.iters < 1000) job.iters = 1000;
    double runs[5];
    for (int r = 0; r < 5; ++r) {
        t0 = seconds_now();
        GOMP_parallel(fma_body, &job, (unsigned)threads, 0);
        double elapsed = seconds_now() - t0;
        if (cpu_time) elapsed /= threads; /* the CPU clock sums the threads */
        runs[r] = flops_per_iter * (double)job.iters * threads / elapsed * 1e-9;
    }
    qsort(runs, 5, sizeof runs[0], cmp_double);
    return runs[2];
}

typedef struct copy_job { float *dst; const float *src; int64_t n; } copy_job;

__attribute__((target("avx512f")))
static void copy_range_nt(float *dst, const float *src, int64_t n) {
    int64_t i = 0;
    while (i < n && ((uintptr_t)(dst + i) & 63)) { dst[i] = src[i]; ++i; }
    for (; i + 16 <= n; i += 16) _mm512_stream_ps(dst + i, _mm512_loadu_ps(src + i));
    for (; i < n; ++i) dst[i] = src[i];
    _mm_sfence();
}

static void copy_body(void *data) {
    const copy_job *job = (const copy_job *)data;
    int tid = omp_get_thread_num(), nt = omp_get_num_threads();
    int64_t per = job->n / nt, b = tid * per, e = tid == nt - 1 ? job->n : b + per;
    if (has_avx512()) copy_range_nt(job->dst + b, job->src + b, e - b);
    else memcpy(job->dst + b, job->src + b, (size_t)(e - b) * sizeof(float));
}

void cbs_stream_copy(float *dst, const float *src, int64_t n, int threads) {
    copy_job job = {dst, src, n};
    if (threads <= 1) { copy_body(&job); return; }
    GOMP_parallel(copy_body, &job, (unsigned)threads, 0);
}
