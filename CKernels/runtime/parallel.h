/*
 * parallel.h — the threading layer used by ISA-neutral drivers (internal).
 *
 * A parallel region is started by a call into the OpenMP runtime (libgomp ABI), not by a
 * pragma, so the library builds without -fopenmp (SwiftPM forbids unsafe flags). SIMD leaves
 * never call these: threads live in ops/, vector code in ref/ and x86/.
 */
#ifndef CK_PARALLEL_H
#define CK_PARALLEL_H

#include <stdint.h>
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

/** Body of a parallel region: called once on each of `nthreads` threads. */
typedef void (*ck_parallel_fn)(void *ctx, int tid, int nthreads);

/** Run fn on min(nthreads, ck_get_num_threads()) threads (nthreads <= 0: the default count).
 *  With one thread, or when already inside a region, fn runs on the caller (tid 0 of 1).
 *  Each thread runs with denormals flushed if ck_get_flush_denormals(); its MXCSR is
 *  restored afterwards. */
void ck_parallel_run(int nthreads, ck_parallel_fn fn, void *ctx);

/** Barrier among the threads of the current region (no-op outside one). */
void ck_parallel_barrier(void);

/** Body of a parallel loop over [begin, end). */
typedef void (*ck_range_fn)(void *ctx, int64_t begin, int64_t end);

/** Split [0, n) into contiguous chunks, one per thread, each at least `min_chunk` long
 *  (fewer threads when n is small), and run fn on them. The split depends only on n,
 *  min_chunk and the thread count, so results are deterministic. */
void ck_parallel_for(int64_t n, int64_t min_chunk, ck_range_fn fn, void *ctx);

/** ck_parallel_for with chunk boundaries at multiples of `align` (the last chunk takes the
 *  rest): element-wise SIMD leaves then run the same full vectors and the same scalar tail
 *  whatever the thread count, so results are bitwise the same at every count. */
void ck_parallel_for_aligned(int64_t n, int64_t min_chunk, int64_t align, ck_range_fn fn, void *ctx);

/** Like ck_parallel_for, but threads take chunks of `chunk` consecutive items from a shared
 *  counter until none are left, so a thread slowed by another process on its core does less
 *  of the work instead of holding everyone up. Which thread runs an item varies from run to
 *  run: use it only where every item writes its own outputs (then results stay deterministic). */
void ck_parallel_for_dynamic(int64_t n, int64_t chunk, ck_range_fn fn, void *ctx);

/** The number of threads ck_parallel_for(n, min_chunk, …) uses when `threads` are available. */
int ck_parallel_for_threads(int64_t n, int64_t min_chunk, int threads);

/** Cost of item i of a parallel loop, in any unit (for the work-split report). */
typedef double (*ck_item_work_fn)(const void *ctx, int64_t i);

/** The work each of `threads` threads gets from ck_parallel_for(n, min_chunk) (the same split),
 *  summing cost(ctx, i) (1 per item when cost is NULL) into work[0..threads). */
void ck_parallel_for_work(int64_t n, int64_t min_chunk, int threads, ck_item_work_fn cost, const void *ctx,
                          double *work);

/** The same for ck_parallel_for_dynamic(n, chunk): each chunk goes to the thread with the least
 *  work so far, the outcome when time is proportional to work. */
void ck_parallel_for_dynamic_work(int64_t n, int64_t chunk, int threads, ck_item_work_fn cost, const void *ctx,
                                  double *work);

/** The [begin, end) share of thread `tid` of `nthreads` in a static split of n items,
 *  rounded to multiples of `align` (the last thread takes the remainder). */
void ck_split_range(int64_t n, int64_t align, int tid, int nthreads, int64_t *begin, int64_t *end);

#pragma GCC visibility pop
#endif
