/* gemm_workspace.h — per-thread cached packing buffers of the SGEMM driver (internal). */
#ifndef CK_GEMM_WORKSPACE_H
#define CK_GEMM_WORKSPACE_H

#include <stdint.h>

/** Point *a and *b at 64-byte-aligned buffers of at least a_floats and b_floats floats owned
 *  by the calling thread (grown on demand, kept for the thread's next call). Returns 0 when
 *  the allocation fails. The buffers are valid until the thread's next call. */
int ck_gemm_workspace(int64_t a_floats, int64_t b_floats, float **a, float **b);

#endif
