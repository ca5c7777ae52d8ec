/*
 * conv_family_avx512.c — the conv-family leaves (x86/conv_family_simd.h) for AVX-512:
 * 16 lanes, comparisons into mask registers, vpmovdb for the pooling switches.
 */
#include <immintrin.h>
#include "../../runtime/kernel_table.h"
#include "../simd_leaves.h" /* the leaves' prototypes (hidden; checked against the definitions) */

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#endif

#define LEAF(name) name##_avx512
#define VEC __m512
#define VL 16
#define MASK __mmask16
#define V_LOAD _mm512_loadu_ps
#define V_STORE _mm512_storeu_ps
#define V_SET1 _mm512_set1_ps
#define V_ZERO _mm512_setzero_ps
#define V_ADD _mm512_add_ps
#define V_SUB _mm512_sub_ps
#define V_MUL _mm512_mul_ps
#define V_DIV _mm512_div_ps
#define V_SQRT _mm512_sqrt_ps
#define V_FMA _mm512_fmadd_ps
#define V_GT(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_GT_OQ)
#define V_EQ(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_EQ_OQ)
#define V_BLEND(m, f, t) _mm512_mask_blend_ps((m), (f), (t))
#define V_MASKZ(m, a) _mm512_maskz_mov_ps((m), (a))
#define V_STORE_U8(p, v) _mm_storeu_si128((__m128i *)(p), _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(v)))
#define V_LOAD_U8(p) _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(p))))

#include "../conv_family_simd.h"

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif
