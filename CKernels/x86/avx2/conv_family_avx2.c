/*
 * conv_family_avx2.c — the conv-family leaves (x86/conv_family_simd.h) for AVX2 + FMA:
 * 8 lanes, comparisons as all-ones lanes, pack instructions for the pooling switches.
 */
#include <immintrin.h>
#include "../../runtime/kernel_table.h"
#include "../simd_leaves.h" /* the leaves' prototypes (hidden; checked against the definitions) */

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

#define LEAF(name) name##_avx2
#define VEC __m256
#define VL 8
#define MASK __m256
#define V_LOAD _mm256_loadu_ps
#define V_STORE _mm256_storeu_ps
#define V_SET1 _mm256_set1_ps
#define V_ZERO _mm256_setzero_ps
#define V_ADD _mm256_add_ps
#define V_SUB _mm256_sub_ps
#define V_MUL _mm256_mul_ps
#define V_DIV _mm256_div_ps
#define V_SQRT _mm256_sqrt_ps
#define V_FMA _mm256_fmadd_ps
#define V_GT(a, b) _mm256_cmp_ps((a), (b), _CMP_GT_OQ)
#define V_EQ(a, b) _mm256_cmp_ps((a), (b), _CMP_EQ_OQ)
#define V_BLEND(m, f, t) _mm256_blendv_ps((f), (t), (m))
#define V_MASKZ(m, a) _mm256_and_ps((m), (a))

static inline void store_u8_avx2(uint8_t *p, __m256 v) {
    __m256i i = _mm256_cvtps_epi32(v);
    __m128i w = _mm_packus_epi32(_mm256_castsi256_si128(i), _mm256_extracti128_si256(i, 1));
    _mm_storel_epi64((__m128i *)p, _mm_packus_epi16(w, w));
}
#define V_STORE_U8(p, v) store_u8_avx2((p), (v))
#define V_LOAD_U8(p) _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(p))))

#include "../conv_family_simd.h"

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif
