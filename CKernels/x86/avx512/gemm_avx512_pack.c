/*
 * gemm_avx512_pack.c — AVX-512 packing leaves of the SGEMM driver (8×48 micro-kernel):
 * full panels of unit-stride sources only; the driver packs edges and strided sources itself.
 */
#include "../../runtime/kernel_table.h"

#include <immintrin.h>
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

#define CK_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))

/* 8 rows × 8 columns, in registers: r[i] holds row i; on return r[j] holds column j. */
static inline __attribute__((always_inline)) CK_TARGET_AVX512 void transpose8x8(__m256 r[8]) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20); r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20); r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31); r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31); r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

/* 8 rows of a row-major block (a(i,p) = a[i*lda + p]) → dst is (k, 8): 8×8 transposes. */
CK_TARGET_AVX512 void ck_sgemm_pack_a_avx512_8(int64_t k, const float *a, int64_t lda, float *dst) {
    int64_t p = 0;
    for (; p + 8 <= k; p += 8, dst += 64) {
        __m256 r[8];
        for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(a + i * lda + p);
        transpose8x8(r);
        for (int j = 0; j < 8; ++j) _mm256_store_ps(dst + 8 * j, r[j]);
    }
    for (; p < k; ++p, dst += 8)
        for (int i = 0; i < 8; ++i) dst[i] = a[i * lda + p];
}

/* 48 columns of a row-major block (b(p,j) = b[p*ldb + j]) → dst is (k, 48): row copies. */
CK_TARGET_AVX512 void ck_sgemm_pack_b_avx512_48(int64_t k, const float *b, int64_t ldb, float *dst) {
    for (int64_t p = 0; p < k; ++p, b += ldb, dst += 48) {
        __m512 x0 = _mm512_loadu_ps(b), x1 = _mm512_loadu_ps(b + 16), x2 = _mm512_loadu_ps(b + 32);
        _mm512_store_ps(dst, x0);
        _mm512_store_ps(dst + 16, x1);
        _mm512_store_ps(dst + 32, x2);
    }
}

/* 48 columns of a transposed B (b(p,j) = b[j*ldb + p], each column contiguous) → dst is
 * (k, 48): six 8-column groups, each an 8×8 transpose per 8 values of p. */
CK_TARGET_AVX512 void ck_sgemm_pack_b_t_avx512_48(int64_t k, const float *b, int64_t ldb, float *dst) {
    int64_t p = 0;
    for (; p + 8 <= k; p += 8, dst += 8 * 48)
        for (int j0 = 0; j0 < 48; j0 += 8) {
            __m256 r[8];
            for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(b + (j0 + i) * ldb + p);
            transpose8x8(r);
            for (int q = 0; q < 8; ++q) _mm256_store_ps(dst + q * 48 + j0, r[q]);
        }
    for (; p < k; ++p, dst += 48)
        for (int j = 0; j < 48; ++j) dst[j] = b[j * ldb + p];
}
