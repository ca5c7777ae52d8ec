/*
 * simd_avx512.h — the AVX-512 words of the small SIMD vocabulary the activation families are
 * written in (act_vmath.h, act_vfamily.h, act_leaves.h). Include inside an AVX-512 target region.
 * V: 16 floats; VM: a lane mask; VI: 16 int32.
 */
#ifndef CK_SIMD_AVX512_H
#define CK_SIMD_AVX512_H
#include <immintrin.h>
#include <stdint.h>

typedef __m512 V;
typedef __mmask16 VM;
#define CK_VL 16
#define CK_VFN static inline __attribute__((always_inline))

CK_VFN V v_set1(float x) { return _mm512_set1_ps(x); }
CK_VFN V v_loadu(const float *p) { return _mm512_loadu_ps(p); }
CK_VFN V v_load_n(const float *p, int n) { return _mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1u), p); }
CK_VFN void v_storeu(float *p, V x) { _mm512_storeu_ps(p, x); }
CK_VFN void v_stream(float *p, V x) { _mm512_stream_ps(p, x); }
CK_VFN void v_store_n(float *p, V x, int n) { _mm512_mask_storeu_ps(p, (__mmask16)((1u << n) - 1u), x); }
CK_VFN void v_sfence(void) { _mm_sfence(); }

CK_VFN V v_add(V a, V b) { return _mm512_add_ps(a, b); }
CK_VFN V v_sub(V a, V b) { return _mm512_sub_ps(a, b); }
CK_VFN V v_mul(V a, V b) { return _mm512_mul_ps(a, b); }
CK_VFN V v_div(V a, V b) { return _mm512_div_ps(a, b); }
CK_VFN V v_fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }   /* a·b + c */
CK_VFN V v_fnma(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); } /* c − a·b */
CK_VFN V v_sqrt(V a) { return _mm512_sqrt_ps(a); }
/* max/min returning x when x is NaN (x86 returns the second operand when unordered). */
CK_VFN V v_max_x(V x, V c) { return _mm512_max_ps(c, x); }
CK_VFN V v_min_x(V x, V c) { return _mm512_min_ps(c, x); }
CK_VFN V v_abs(V x) { return _mm512_abs_ps(x); }
CK_VFN V v_signbits(V x) { return _mm512_and_ps(x, _mm512_castsi512_ps(_mm512_set1_epi32((int)0x80000000u))); }
CK_VFN V v_xor(V a, V b) { return _mm512_xor_ps(a, b); }
CK_VFN V v_or(V a, V b) { return _mm512_or_ps(a, b); }
/* Whether the first n lanes of a and b differ in any bit (an integer test: no DAZ, NaN-safe). */
CK_VFN int v_bits_differ(V a, V b, int n) {
    __m512i x = _mm512_xor_si512(_mm512_castps_si512(a), _mm512_castps_si512(b));
    return (_mm512_test_epi32_mask(x, x) & (__mmask16)(n >= 16 ? 0xffffu : (1u << n) - 1u)) != 0;
}

CK_VFN VM v_lt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
CK_VFN VM v_le(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
CK_VFN VM v_gt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
CK_VFN VM v_ge(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
CK_VFN VM v_eq(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
CK_VFN VM v_isnan(V a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
CK_VFN VM m_and(VM a, VM b) { return (VM)(a & b); }
CK_VFN VM m_or(VM a, VM b) { return (VM)(a | b); }
CK_VFN int m_any(VM a) { return a != 0; }
CK_VFN V v_sel(VM m, V yes, V no) { return _mm512_mask_blend_ps(m, no, yes); }
/* Lanes 0..n−1 set. */
CK_VFN VM v_lane_lt(int n) { return (VM)((1u << n) - 1u); }

CK_VFN V v_round(V x) { return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
/* x·2^k for integral k (any range; overflow → ±inf, underflow → 0). */
CK_VFN V v_ldexp(V x, V k) { return _mm512_scalef_ps(x, k); }
/* 2^k for integral k in [−126, 127]. */
CK_VFN V v_pow2i(V k) {
    __m512i e = _mm512_add_epi32(_mm512_cvtps_epi32(k), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(e, 23));
}
/* x = m·2^e with m in [1, 2) for finite x > 0 (denormals included); e returned as float. */
CK_VFN V v_frexp1(V x, V *e) {
    *e = _mm512_getexp_ps(x);
    return _mm512_getmant_ps(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
}
/* Lane sum of a float vector in float (a fixed tree order). */
CK_VFN float v_hsum(V x) { return _mm512_reduce_add_ps(x); }
/* Lane sum of a float vector in double. */
CK_VFN double v_hsum_d(V x) {
    __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(x));
    __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1)));
    return _mm512_reduce_add_pd(_mm512_add_pd(lo, hi));
}
#endif
