/*
 * gemm_avx512_8x48.c — the AVX-512 SGEMM micro-kernel: an 8×48 tile of row-major C held in
 * 24 zmm accumulators (8 rows × 3 vectors of 16 columns).
 *
 * Why this shape (Cascade Lake: 2 FMA ports, latency 4 → ≥ 8 independent chains; 2 load
 * ports; 32 zmm): per k step it loads 3 B vectors and broadcasts 8 A values straight from
 * memory into the FMA ({1to16}), 11 loads for 24 FMAs, so the loads fit in the 12 cycles the
 * FMAs take; 24 + 3 registers leave room. The vectors run along N (contiguous in row-major
 * C, so C is read and written with full vector stores), and mr = 8 divides every VGG channel
 * count (64…512). Edge tiles use the same code with fewer rows/vectors and a column mask.
 */
#include "../../runtime/kernel_table.h"

#include <immintrin.h>

#define CK_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))

enum { MR = 8, NR = 48, NV = NR / 16 };

/* rows ≤ MR and nv ≤ NV are compile-time constants at every call site, so the accumulator
 * array is fully unrolled into registers. */
static inline __attribute__((always_inline)) CK_TARGET_AVX512 void
tile(int64_t k, float alpha, const float *restrict ap, const float *restrict bp, float beta,
     float *restrict c, int64_t ldc, const int rows, const int nv, __mmask16 last_mask) {
    __m512 acc[MR][NV];
    for (int r = 0; r < rows; ++r)
        for (int v = 0; v < nv; ++v) acc[r][v] = _mm512_setzero_ps();
    for (int r = 0; r < rows; ++r)
        for (int v = 0; v < nv; ++v) _mm_prefetch((const char *)(c + r * ldc + 16 * v), _MM_HINT_T0);
    for (int64_t p = 0; p < k; ++p) {
        __m512 bv[NV];
        for (int v = 0; v < nv; ++v) bv[v] = _mm512_load_ps(bp + p * NR + 16 * v);
        _mm_prefetch((const char *)(bp + p * NR + 8 * NR), _MM_HINT_T0);
        for (int r = 0; r < rows; ++r) {
            __m512 av = _mm512_set1_ps(ap[p * MR + r]);
            for (int v = 0; v < nv; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
        }
    }
    const __m512 alpha_v = _mm512_set1_ps(alpha), beta_v = _mm512_set1_ps(beta);
    for (int r = 0; r < rows; ++r)
        for (int v = 0; v < nv; ++v) {
            __mmask16 mask = v == nv - 1 ? last_mask : (__mmask16)0xFFFF;
            float *cv = c + r * ldc + 16 * v;
            __m512 x = _mm512_mul_ps(alpha_v, acc[r][v]);
            if (beta != 0.0f) x = _mm512_fmadd_ps(beta_v, _mm512_maskz_loadu_ps(mask, cv), x);
            _mm512_mask_storeu_ps(cv, mask, x);
        }
}

#define TILE_FN(R, V)                                                                          \
    static CK_TARGET_AVX512 void tile_##R##x##V(int64_t k, float alpha, const float *ap,      \
                                                const float *bp, float beta, float *c,         \
                                                int64_t ldc, __mmask16 mask) {                 \
        tile(k, alpha, ap, bp, beta, c, ldc, R, V, mask);                                      \
    }
#define TILE_ROW(R) TILE_FN(R, 1) TILE_FN(R, 2) TILE_FN(R, 3)
TILE_ROW(1) TILE_ROW(2) TILE_ROW(3) TILE_ROW(4) TILE_ROW(5) TILE_ROW(6) TILE_ROW(7) TILE_ROW(8)

typedef void (*tile_fn)(int64_t, float, const float *, const float *, float, float *, int64_t, __mmask16);
#define TILE_ENTRY(R) {tile_##R##x1, tile_##R##x2, tile_##R##x3}
static const tile_fn tiles[MR][NV] = {TILE_ENTRY(1), TILE_ENTRY(2), TILE_ENTRY(3), TILE_ENTRY(4),
                                      TILE_ENTRY(5), TILE_ENTRY(6), TILE_ENTRY(7), TILE_ENTRY(8)};

/* The full 8×48 tile, written out so that the 24 accumulators are named registers (no stack
 * array to zero) and the k loop is unrolled by 4; the A broadcasts fold into the FMAs. */
#define ROW_FMA(r, koff)                                                                       \
    do {                                                                                       \
        const __m512 a_##r = _mm512_set1_ps(ap[(koff) * MR + r]);                              \
        c##r##0 = _mm512_fmadd_ps(a_##r, b0, c##r##0);                                         \
        c##r##1 = _mm512_fmadd_ps(a_##r, b1, c##r##1);                                         \
        c##r##2 = _mm512_fmadd_ps(a_##r, b2, c##r##2);                                         \
    } while (0)
#define K_STEP(koff)                                                                           \
    do {                                                                                       \
        const __m512 b0 = _mm512_load_ps(bp + (koff) * NR);                                    \
        const __m512 b1 = _mm512_load_ps(bp + (koff) * NR + 16);                               \
        const __m512 b2 = _mm512_load_ps(bp + (koff) * NR + 32);                               \
        ROW_FMA(0, koff); ROW_FMA(1, koff); ROW_FMA(2, koff); ROW_FMA(3, koff);                \
        ROW_FMA(4, koff); ROW_FMA(5, koff); ROW_FMA(6, koff); ROW_FMA(7, koff);                \
    } while (0)
#define STORE_ROW(r)                                                                           \
    do {                                                                                       \
        float *cr = c + (r) * ldc;                                                             \
        __m512 x0 = _mm512_mul_ps(alpha_v, c##r##0), x1 = _mm512_mul_ps(alpha_v, c##r##1);     \
        __m512 x2 = _mm512_mul_ps(alpha_v, c##r##2);                                           \
        if (beta != 0.0f) {                                                                    \
            x0 = _mm512_fmadd_ps(beta_v, _mm512_loadu_ps(cr), x0);                             \
            x1 = _mm512_fmadd_ps(beta_v, _mm512_loadu_ps(cr + 16), x1);                        \
            x2 = _mm512_fmadd_ps(beta_v, _mm512_loadu_ps(cr + 32), x2);                        \
        }                                                                                      \
        _mm512_storeu_ps(cr, x0); _mm512_storeu_ps(cr + 16, x1); _mm512_storeu_ps(cr + 32, x2); \
    } while (0)

/* Prefetch (into L2) the 48 floats of one unpacked B row: 3 lines, 4 when not aligned. */
static inline __attribute__((always_inline)) CK_TARGET_AVX512 void prefetch_row(const float *row) {
    _mm_prefetch((const char *)row, _MM_HINT_T1);
    _mm_prefetch((const char *)(row + 16), _MM_HINT_T1);
    _mm_prefetch((const char *)(row + 32), _MM_HINT_T1);
    if ((uintptr_t)row & 63) _mm_prefetch((const char *)(row + 47), _MM_HINT_T1);
}

static CK_TARGET_AVX512 void full_tile(int64_t k, float alpha, const float *restrict ap,
                                       const float *restrict bp, float beta, float *restrict c,
                                       int64_t ldc, const ck_gemm_prefetch *pf) {
    /* pf rows are spread evenly over the unrolled iterations (one 4-step block ≈ 48 cycles). */
    const float *pf_row = pf->rows;
    int64_t pf_left = pf->count, pf_ld = pf->ld;
    const int64_t blocks = k / 4 > 0 ? k / 4 : 1;
    const int64_t pf_per_block = (pf_left + blocks - 1) / blocks;
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
    __m512 c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
    __m512 c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
    __m512 c60 = c00, c61 = c00, c62 = c00, c70 = c00, c71 = c00, c72 = c00;
    for (int r = 0; r < MR; ++r) /* C is needed at the end: start its lines on their way */
        for (int v = 0; v < NV; ++v) _mm_prefetch((const char *)(c + r * ldc + 16 * v), _MM_HINT_T0);
    int64_t p = 0;
    for (; p + 4 <= k; p += 4, ap += 4 * MR, bp += 4 * NR) {
        _mm_prefetch((const char *)(bp + 8 * NR), _MM_HINT_T0);
        _mm_prefetch((const char *)(bp + 8 * NR + 16), _MM_HINT_T0);
        _mm_prefetch((const char *)(bp + 8 * NR + 32), _MM_HINT_T0);
        K_STEP(0);
        _mm_prefetch((const char *)(bp + 9 * NR + 16), _MM_HINT_T0);
        _mm_prefetch((const char *)(bp + 9 * NR + 32), _MM_HINT_T0);
        _mm_prefetch((const char *)(bp + 10 * NR), _MM_HINT_T0);
        K_STEP(1);
        _mm_prefetch((const char *)(bp + 10 * NR + 32), _MM_HINT_T0);
        _mm_prefetch((const char *)(bp + 11 * NR), _MM_HINT_T0);
        _mm_prefetch((const char *)(bp + 11 * NR + 16), _MM_HINT_T0);
        K_STEP(2);
        for (int64_t r = 0; r < pf_per_block && pf_left > 0; ++r, --pf_left, pf_row += pf_ld)
            prefetch_row(pf_row);
        K_STEP(3);
    }
    for (; p < k; ++p, ap += MR, bp += NR) K_STEP(0);
    for (; pf_left > 0; --pf_left, pf_row += pf_ld) prefetch_row(pf_row);
    const __m512 alpha_v = _mm512_set1_ps(alpha), beta_v = _mm512_set1_ps(beta);
    STORE_ROW(0); STORE_ROW(1); STORE_ROW(2); STORE_ROW(3);
    STORE_ROW(4); STORE_ROW(5); STORE_ROW(6); STORE_ROW(7);
}

CK_TARGET_AVX512 void ck_sgemm_avx512_8x48(int64_t k, float alpha, const float *ap, const float *bp,
                                           float beta, float *c, int64_t ldc, int m_eff, int n_eff,
                                           const ck_gemm_prefetch *pf) {
    if (m_eff == MR && n_eff == NR) {
        full_tile(k, alpha, ap, bp, beta, c, ldc, pf);
        return;
    }
    int nv = (n_eff + 15) / 16;
    int last = n_eff - 16 * (nv - 1);
    for (int64_t r = 0; r < pf->count; ++r) prefetch_row(pf->rows + r * pf->ld); /* edges are rare */
    tiles[m_eff - 1][nv - 1](k, alpha, ap, bp, beta, c, ldc, (__mmask16)((1u << last) - 1u));
}
