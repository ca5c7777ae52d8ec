/*
 * gemm_pack.c — packing op(A) and op(B) blocks into the micro-kernel's panel layouts.
 * ISA-neutral: the common cases are contiguous copies the compiler vectorises; edges are
 * zero-padded so every panel is a full mr×kc or kc×nr rectangle.
 */
#include "gemm_pack.h"

#include <string.h>

void ck_gemm_pack_a(int64_t mc, int64_t kc, const float *a, int64_t rs, int64_t cs, int mr,
                    float *restrict dst) {
    /* a points at op(A)(0,0) of an mc×kc block, element (i,p) at a[i*rs + p*cs].
     * dst is (ceil(mc/mr), kc, mr): panel q holds rows q*mr.. of the block, column by column. */
    for (int64_t i0 = 0; i0 < mc; i0 += mr, dst += (int64_t)mr * kc) {
        int rows = (int)(mc - i0 < mr ? mc - i0 : mr);
        const float *src = a + i0 * rs;
        if (rs == 1) {
            for (int64_t p = 0; p < kc; ++p) {
                memcpy(dst + p * mr, src + p * cs, (size_t)rows * sizeof(float));
                for (int i = rows; i < mr; ++i) dst[p * mr + i] = 0.0f;
            }
        } else {
            for (int i = 0; i < rows; ++i) {
                const float *row = src + i * rs;
                if (cs == 1)
                    for (int64_t p = 0; p < kc; ++p) dst[p * mr + i] = row[p];
                else
                    for (int64_t p = 0; p < kc; ++p) dst[p * mr + i] = row[p * cs];
            }
            for (int i = rows; i < mr; ++i)
                for (int64_t p = 0; p < kc; ++p) dst[p * mr + i] = 0.0f;
        }
    }
}

void ck_gemm_pack_b(int64_t kc, int64_t nc, const float *b, int64_t rs, int64_t cs, int nr,
                    float *restrict dst) {
    /* b points at op(B)(0,0) of a kc×nc block, element (p,j) at b[p*rs + j*cs].
     * dst is (ceil(nc/nr), kc, nr): panel q holds columns q*nr.. of the block, row by row. */
    for (int64_t j0 = 0; j0 < nc; j0 += nr, dst += (int64_t)nr * kc) {
        int cols = (int)(nc - j0 < nr ? nc - j0 : nr);
        const float *src = b + j0 * cs;
        if (cs == 1) {
            for (int64_t p = 0; p < kc; ++p) {
                memcpy(dst + p * nr, src + p * rs, (size_t)cols * sizeof(float));
                for (int j = cols; j < nr; ++j) dst[p * nr + j] = 0.0f;
            }
        } else {
            /* Row by row of the panel: contiguous stores; the cols source streams each reuse
             * their cache line for 16 consecutive p (column by column would store with a
             * stride of nr floats, one cache line per element). */
            for (int64_t p = 0; p < kc; ++p) {
                const float *row = src + p * rs;
                for (int j = 0; j < cols; ++j) dst[p * nr + j] = row[j * cs];
                for (int j = cols; j < nr; ++j) dst[p * nr + j] = 0.0f;
            }
        }
    }
}
