/* gemm_workspace.h — per-thread cached packing buffers of the SGEMM driver (internal). */
#ifndef CK_GEMM_WORKSPACE_H
#define CK_GEMM_WORKSPACE_H

#include <stdint.h>
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

/** Point *a and *b at 64-byte-aligned buffers of at least a_floats and b_floats floats owned
 *  by the calling thread (grown on demand, kept for the thread's next call, freed at its exit). Returns 0 when
 *  the allocation fails. The buffers are valid until the thread's next call. */
int ck_gemm_workspace(int64_t a_floats, int64_t b_floats, float **a, float **b);

/** A 64-byte-aligned buffer of at least `floats` floats owned by the calling thread, for a
 *  block the threads of one call share (grown on demand, kept). NULL when allocation fails. */
float *ck_gemm_shared_workspace(int64_t floats);

#pragma GCC visibility pop
#endif
