/*
 * gemm_workspace.c — packing buffers cached per thread (runtime/thread_cache.c): a GEMM call
 * allocates only when a thread meets a bigger block than before, so repeated calls (training
 * steps) never allocate; a thread's buffers are freed when it exits.
 */
#include "gemm_workspace.h"
#include "../runtime/thread_cache.h"

static int64_t round_to_line(int64_t floats) { return (floats + 15) / 16 * 16; } /* 64 bytes */

int ck_gemm_workspace(int64_t a_floats, int64_t b_floats, float **a, float **b) {
    int64_t a_room = round_to_line(a_floats), need = a_room + round_to_line(b_floats);
    float *block = ck_thread_cache_get(CK_CACHE_GEMM_PACK, (size_t)need * sizeof(float));
    if (!block) return 0;
    *a = block;
    *b = block + a_room;
    return 1;
}

/* The calling thread's block shared with the team of its current call (a separate slot:
 * as thread 0 of that team it also uses its packing buffers above). */
float *ck_gemm_shared_workspace(int64_t floats) {
    return ck_thread_cache_get(CK_CACHE_GEMM_SHARED, (size_t)round_to_line(floats) * sizeof(float));
}
