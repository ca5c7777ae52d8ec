/* gemm_pack.h — packing routines of the SGEMM driver (internal). */
#ifndef CK_GEMM_PACK_H
#define CK_GEMM_PACK_H

#include <stdint.h>
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

/** Pack an mc×kc block of op(A) (element (i,p) at a[i*rs + p*cs]) into mr-row panels:
 *  dst is (ceil(mc/mr), kc, mr), rows past mc zero. */
void ck_gemm_pack_a(int64_t mc, int64_t kc, const float *a, int64_t rs, int64_t cs, int mr,
                    float *dst);

/** Pack a kc×nc block of op(B) (element (p,j) at b[p*rs + j*cs]) into nr-column panels:
 *  dst is (ceil(nc/nr), kc, nr), columns past nc zero. */
void ck_gemm_pack_b(int64_t kc, int64_t nc, const float *b, int64_t rs, int64_t cs, int nr,
                    float *dst);

#pragma GCC visibility pop
#endif
