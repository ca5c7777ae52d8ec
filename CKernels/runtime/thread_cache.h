/*
 * thread_cache.h — grow-only memory blocks cached per thread (internal): the GEMM packing
 * buffers and the convolution scratch. A block is allocated when its thread first needs more
 * than before and kept for the thread's next calls (training steps then never allocate); it is
 * freed when the thread exits (a pthread key destructor), so a team that shrinks or an OpenMP
 * runtime that ends its pool threads leaves nothing behind (LeakSanitizer-clean).
 */
#ifndef CK_THREAD_CACHE_H
#define CK_THREAD_CACHE_H

#include <stddef.h>
#include <stdint.h>
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

/** The separate blocks each thread keeps. */
typedef enum ck_cache_slot {
    CK_CACHE_GEMM_PACK = 0,   /* packed A and B panels of this thread's share of a GEMM */
    CK_CACHE_GEMM_SHARED = 1, /* the packed B block the caller's team shares */
    CK_CACHE_SCRATCH = 2,     /* library-managed convolution workspace */
    CK_CACHE_SLOTS = 3
} ck_cache_slot;

/** A 64-byte-aligned block of at least `bytes` bytes owned by the calling thread for `slot`
 *  (the previous block is freed when it is too small; contents are not kept). NULL when the
 *  allocation fails. Valid until the thread's next call for the same slot, or its exit. */
void *ck_thread_cache_get(ck_cache_slot slot, size_t bytes);

/** Frees the calling thread's blocks now (they are allocated again on demand). */
void ck_thread_cache_free_own(void);

/** Bytes cached and threads holding a cache, over all threads (for the workspace tests). */
void ck_thread_cache_stats(int64_t *bytes, int64_t *threads);

#pragma GCC visibility pop
#endif
