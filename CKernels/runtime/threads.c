/*
 * threads.c — thread count, denormal flushing and parallel regions on the OpenMP runtime.
 *
 * We call the runtime's documented libgomp entry points directly (GOMP_parallel,
 * GOMP_barrier, omp_*). Debian's LLVM libomp (libomp5.so) and GCC's libgomp both export them.
 */
#include "ck_runtime.h"
#include "parallel.h"
#include "thread_cache.h"

#include <stdatomic.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

/* OpenMP runtime entry points (libgomp ABI). */
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
void GOMP_barrier(void);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
int omp_in_parallel(void);

static _Atomic int requested_threads = 0; /* 0: ck_default_num_threads() */
static _Atomic int flush_denormals = 1;

int ck_get_num_threads(void) {
    int n = atomic_load(&requested_threads);
    if (n > 0) return n;
    return ck_default_num_threads(NULL, 0);
}

bool ck_get_flush_denormals(void) { return atomic_load(&flush_denormals) != 0; }
void ck_set_flush_denormals(bool on) { atomic_store(&flush_denormals, on ? 1 : 0); }

typedef struct region {
    ck_parallel_fn fn;
    void *ctx;
    int flush;
} region;

#define CK_MXCSR_FTZ_DAZ 0x8040u

static void run_on_this_thread(const region *r, int tid, int nthreads) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned saved = _mm_getcsr();
    if (r->flush) _mm_setcsr(saved | CK_MXCSR_FTZ_DAZ);
    r->fn(r->ctx, tid, nthreads);
    _mm_setcsr(saved);
#else
    r->fn(r->ctx, tid, nthreads);
#endif
}

static void trampoline(void *data) {
    run_on_this_thread((const region *)data, omp_get_thread_num(), omp_get_num_threads());
}

/* Team members that a smaller team no longer uses free their cached workspaces (the runtime
 * keeps its pool threads alive, so otherwise their buffers would stay until exit). */
static void trim_body(void *ctx, int tid, int nthreads) {
    (void)nthreads;
    if (tid >= *(const int *)ctx) ck_thread_cache_free_own();
}

void ck_set_num_threads(int n) {
    int before = ck_get_num_threads();
    atomic_store(&requested_threads, n > 0 ? n : 0);
    int after = ck_get_num_threads();
    if (after < before && !omp_in_parallel()) {
        region r = {trim_body, &after, 0};
        GOMP_parallel(trampoline, &r, (unsigned)before, 0);
    }
}

void ck_parallel_run(int nthreads, ck_parallel_fn fn, void *ctx) {
    int max = ck_get_num_threads();
    if (nthreads <= 0 || nthreads > max) nthreads = max;
    region r = {fn, ctx, ck_get_flush_denormals()};
    if (nthreads <= 1 || omp_in_parallel()) {
        run_on_this_thread(&r, 0, 1);
        return;
    }
    GOMP_parallel(trampoline, &r, (unsigned)nthreads, 0);
}

void ck_parallel_barrier(void) {
    if (omp_in_parallel()) GOMP_barrier();
}

void ck_split_range(int64_t n, int64_t align, int tid, int nthreads, int64_t *begin, int64_t *end) {
    if (align < 1) align = 1;
    int64_t blocks = (n + align - 1) / align;
    int64_t per = blocks / nthreads, extra = blocks % nthreads;
    int64_t b0 = tid * per + (tid < extra ? tid : extra);
    int64_t b1 = b0 + per + (tid < extra ? 1 : 0);
    int64_t lo = b0 * align, hi = b1 * align;
    if (lo > n) lo = n;
    if (hi > n) hi = n;
    *begin = lo;
    *end = hi;
}

typedef struct range_job {
    ck_range_fn fn;
    void *ctx;
    int64_t n, align;
} range_job;

static void range_body(void *ctx, int tid, int nthreads) {
    const range_job *job = (const range_job *)ctx;
    int64_t b, e;
    ck_split_range(job->n, job->align, tid, nthreads, &b, &e);
    if (b < e) job->fn(job->ctx, b, e);
}

int ck_parallel_for_threads(int64_t n, int64_t min_chunk, int threads) {
    if (min_chunk < 1) min_chunk = 1;
    int64_t want = n / min_chunk;
    if (want < threads) threads = want > 0 ? (int)want : 1;
    return threads;
}

void ck_parallel_for(int64_t n, int64_t min_chunk, ck_range_fn fn, void *ctx) {
    ck_parallel_for_aligned(n, min_chunk, 1, fn, ctx);
}

void ck_parallel_for_aligned(int64_t n, int64_t min_chunk, int64_t align, ck_range_fn fn, void *ctx) {
    if (n <= 0) return;
    range_job job = {fn, ctx, n, align < 1 ? 1 : align};
    ck_parallel_run(ck_parallel_for_threads(n, min_chunk, ck_get_num_threads()), range_body, &job);
}

void ck_parallel_for_work(int64_t n, int64_t min_chunk, int threads, ck_item_work_fn cost, const void *ctx,
                          double *work) {
    for (int t = 0; t < threads; ++t) work[t] = 0;
    if (n <= 0) return;
    int used = ck_parallel_for_threads(n, min_chunk, threads);
    for (int t = 0; t < used; ++t) {
        int64_t b, e;
        ck_split_range(n, 1, t, used, &b, &e);
        for (int64_t i = b; i < e; ++i) work[t] += cost ? cost(ctx, i) : 1.0;
    }
}

void ck_parallel_for_dynamic_work(int64_t n, int64_t chunk, int threads, ck_item_work_fn cost, const void *ctx,
                                  double *work) {
    for (int t = 0; t < threads; ++t) work[t] = 0;
    if (n <= 0) return;
    if (chunk < 1) chunk = 1;
    /* the shared counter hands the next chunk to the thread that finishes first: with time
     * proportional to work, the thread with the least work so far (lowest id on ties) */
    for (int64_t b = 0; b < n; b += chunk) {
        int idle = 0;
        for (int t = 1; t < threads; ++t)
            if (work[t] < work[idle]) idle = t;
        for (int64_t i = b; i < n && i < b + chunk; ++i) work[idle] += cost ? cost(ctx, i) : 1.0;
    }
}

typedef struct dynamic_job {
    ck_range_fn fn;
    void *ctx;
    int64_t n, chunk;
    _Atomic int64_t next;
} dynamic_job;

static void dynamic_body(void *ctx, int tid, int nthreads) {
    dynamic_job *job = ctx;
    (void)tid;
    (void)nthreads;
    for (;;) {
        int64_t b = atomic_fetch_add(&job->next, job->chunk);
        if (b >= job->n) return;
        int64_t e = b + job->chunk < job->n ? b + job->chunk : job->n;
        job->fn(job->ctx, b, e);
    }
}

void ck_parallel_for_dynamic(int64_t n, int64_t chunk, ck_range_fn fn, void *ctx) {
    if (n <= 0) return;
    if (chunk < 1) chunk = 1;
    int threads = ck_get_num_threads();
    if ((n + chunk - 1) / chunk < threads) threads = (int)((n + chunk - 1) / chunk);
    dynamic_job job = {fn, ctx, n, chunk, 0};
    ck_parallel_run(threads, dynamic_body, &job);
}
