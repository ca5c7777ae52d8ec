/*
 * simd_avx2.h — the AVX2+FMA words of the SIMD vocabulary (see simd_avx512.h).
 * Include inside an AVX2 target region. V: 8 floats; VM: a lane mask held in a float vector.
 */
#ifndef CK_SIMD_AVX2_H
#define CK_SIMD_AVX2_H
#include <immintrin.h>
#include <stdint.h>

typedef __m256 V;
typedef __m256 VM;
#define CK_VL 8
#define CK_VFN static inline __attribute__((always_inline))

CK_VFN __m256i v_tail_mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
CK_VFN V v_set1(float x) { return _mm256_set1_ps(x); }
CK_VFN V v_loadu(const float *p) { return _mm256_loadu_ps(p); }
CK_VFN V v_load_n(const float *p, int n) { return _mm256_maskload_ps(p, v_tail_mask(n)); }
CK_VFN void v_storeu(float *p, V x) { _mm256_storeu_ps(p, x); }
CK_VFN void v_stream(float *p, V x) { _mm256_stream_ps(p, x); }
CK_VFN void v_store_n(float *p, V x, int n) { _mm256_maskstore_ps(p, v_tail_mask(n), x); }
CK_VFN void v_sfence(void) { _mm_sfence(); }

CK_VFN V v_add(V a, V b) { return _mm256_add_ps(a, b); }
CK_VFN V v_sub(V a, V b) { return _mm256_sub_ps(a, b); }
CK_VFN V v_mul(V a, V b) { return _mm256_mul_ps(a, b); }
CK_VFN V v_div(V a, V b) { return _mm256_div_ps(a, b); }
CK_VFN V v_fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
CK_VFN V v_fnma(V a, V b, V c) { return _mm256_fnmadd_ps(a, b, c); }
CK_VFN V v_sqrt(V a) { return _mm256_sqrt_ps(a); }
CK_VFN V v_max_x(V x, V c) { return _mm256_max_ps(c, x); }
CK_VFN V v_min_x(V x, V c) { return _mm256_min_ps(c, x); }
CK_VFN V v_abs(V x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }
CK_VFN V v_signbits(V x) { return _mm256_and_ps(x, _mm256_set1_ps(-0.0f)); }
CK_VFN V v_xor(V a, V b) { return _mm256_xor_ps(a, b); }
/* Whether the first n lanes of a and b differ in any bit (an integer test: no DAZ, NaN-safe). */
CK_VFN int v_bits_differ(V a, V b, int n) {
    __m256i x = _mm256_xor_si256(_mm256_castps_si256(a), _mm256_castps_si256(b));
    if (n < 8) x = _mm256_and_si256(x, v_tail_mask(n));
    return !_mm256_testz_si256(x, x);
}
CK_VFN V v_or(V a, V b) { return _mm256_or_ps(a, b); }

CK_VFN VM v_lt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
CK_VFN VM v_le(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
CK_VFN VM v_gt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
CK_VFN VM v_ge(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
CK_VFN VM v_eq(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
CK_VFN VM v_isnan(V a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
CK_VFN VM m_and(VM a, VM b) { return _mm256_and_ps(a, b); }
CK_VFN VM m_or(VM a, VM b) { return _mm256_or_ps(a, b); }
CK_VFN int m_any(VM a) { return _mm256_movemask_ps(a) != 0; }
CK_VFN V v_sel(VM m, V yes, V no) { return _mm256_blendv_ps(no, yes, m); }
/* Lanes 0..n−1 set. */
CK_VFN VM v_lane_lt(int n) { return _mm256_castsi256_ps(v_tail_mask(n)); }

CK_VFN V v_round(V x) { return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
CK_VFN V v_pow2i(V k) {
    __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(e, 23));
}
/* x·2^k for integral k in [−252, 254]: two in-range powers so no intermediate overflows. */
CK_VFN V v_ldexp(V x, V k) {
    V k1 = _mm256_floor_ps(_mm256_mul_ps(k, _mm256_set1_ps(0.5f)));
    return _mm256_mul_ps(_mm256_mul_ps(x, v_pow2i(k1)), v_pow2i(_mm256_sub_ps(k, k1)));
}
/* x = m·2^e with m in [1, 2) for finite x > 0; denormals are scaled by 2^32 first. */
CK_VFN V v_frexp1(V x, V *e) {
    VM tiny = _mm256_cmp_ps(x, _mm256_set1_ps(1.17549435e-38f), _CMP_LT_OQ);
    x = _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(4294967296.0f)), tiny);
    __m256i bits = _mm256_castps_si256(x);
    __m256i ex = _mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127));
    *e = _mm256_sub_ps(_mm256_cvtepi32_ps(ex), _mm256_and_ps(tiny, _mm256_set1_ps(32.0f)));
    __m256i m = _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x3f800000));
    return _mm256_castsi256_ps(m);
}
/* Lane sum of a float vector in float (a fixed tree order). */
CK_VFN float v_hsum(V x) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}
CK_VFN double v_hsum_d(V x) {
    __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(x));
    __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1));
    __m256d s = _mm256_add_pd(lo, hi);
    __m128d t = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
    return _mm_cvtsd_f64(t) + _mm_cvtsd_f64(_mm_unpackhi_pd(t, t));
}
#endif
