/*
 * gemm_workspace.c — packing buffers cached per thread: a GEMM call allocates only when a
 * thread meets a bigger block than before, so repeated calls (training steps) never allocate.
 * The buffers live as long as the thread (the OpenMP pool threads live as long as the process).
 */
#include "gemm_workspace.h"

#include <stdlib.h>

static _Thread_local float *cached = NULL;   /* (a_capacity + b_capacity) floats */
static _Thread_local int64_t cached_floats = 0;

static int64_t round_to_line(int64_t floats) { return (floats + 15) / 16 * 16; } /* 64 bytes */

int ck_gemm_workspace(int64_t a_floats, int64_t b_floats, float **a, float **b) {
    int64_t a_room = round_to_line(a_floats), need = a_room + round_to_line(b_floats);
    if (need > cached_floats) {
        void *p = NULL;
        if (posix_memalign(&p, 64, (size_t)need * sizeof(float)) != 0) return 0;
        free(cached);
        cached = (float *)p;
        cached_floats = need;
    }
    *a = cached;
    *b = cached + a_room;
    return 1;
}

/* The calling thread's block shared with the team of its current call (a separate slot:
 * as thread 0 of that team it also uses its packing buffers above). */
static _Thread_local float *shared_cached = NULL;
static _Thread_local int64_t shared_cached_floats = 0;

float *ck_gemm_shared_workspace(int64_t floats) {
    int64_t need = round_to_line(floats);
    if (need > shared_cached_floats) {
        void *p = NULL;
        if (posix_memalign(&p, 64, (size_t)need * sizeof(float)) != 0) return NULL;
        free(shared_cached);
        shared_cached = (float *)p;
        shared_cached_floats = need;
    }
    return shared_cached;
}
