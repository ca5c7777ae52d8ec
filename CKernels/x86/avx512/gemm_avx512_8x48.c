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

/* Prefetch (into L2) the 48 floats of one unpacked B row: 3 lines, 4 when not aligned. */
static inline __attribute__((always_inline)) CK_TARGET_AVX512 void prefetch_row(const float *row) {
    _mm_prefetch((const char *)row, _MM_HINT_T1);
    _mm_prefetch((const char *)(row + 16), _MM_HINT_T1);
    _mm_prefetch((const char *)(row + 32), _MM_HINT_T1);
    if ((uintptr_t)row & 63) _mm_prefetch((const char *)(row + 47), _MM_HINT_T1);
}

/* rows ≤ MR and nv ≤ NV are compile-time constants at every call site, so the accumulator
 * array is fully unrolled into registers. Every 4th k step also issues the hinted B-row
 * prefetches (spread evenly over the loop) and, in the last MR such steps, prefetches one
 * row of the C tile, so C arrives just before the write-back without a burst of misses. */
static inline __attribute__((always_inline)) CK_TARGET_AVX512 void
tile(int64_t k, float alpha, const float *restrict ap, const float *restrict bp, float beta,
     float *restrict c, int64_t ldc, const int rows, const int nv, __mmask16 last_mask,
     const ck_gemm_prefetch *pf, const int prefetching) {
    __m512 acc[MR][NV];
    for (int r = 0; r < rows; ++r)
        for (int v = 0; v < nv; ++v) acc[r][v] = _mm512_setzero_ps();
    if (!prefetching) { /* the plain loop: one basic block, C's first line per row up front */
        for (int r = 0; r < rows; ++r) _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        for (int64_t p = 0; p < k; ++p) {
            __m512 bv[NV];
            for (int v = 0; v < nv; ++v) bv[v] = _mm512_load_ps(bp + p * NR + 16 * v);
            _mm_prefetch((const char *)(bp + p * NR + 8 * NR), _MM_HINT_T0);
            for (int r = 0; r < rows; ++r) {
                __m512 av = _mm512_set1_ps(ap[p * MR + r]);
                for (int v = 0; v < nv; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
            }
        }
    } else {
    const float *pf_row = pf->rows;
    int64_t pf_left = pf->count;
    const int64_t pf_ld = pf->ld, blocks = k / 4 > 0 ? k / 4 : 1;
    const int64_t pf_per_block = (pf_left + blocks - 1) / blocks;
    const int64_t c_from = k / 4 - rows; /* block index that prefetches C row 0 */
    for (int64_t r = 0; r < rows && r < -c_from; ++r) /* short k: prefetch those rows now */
        for (int v = 0; v < nv; ++v) _mm_prefetch((const char *)(c + r * ldc + 16 * v), _MM_HINT_T0);
    int64_t p = 0;
    for (int64_t blk = 0; blk <= k / 4; ++blk) {
        const int64_t p_end = blk < k / 4 ? p + 4 : k;
#pragma clang loop unroll(disable)
        for (; p < p_end; ++p) { /* one basic block, as in the plain loop: no spills */
            __m512 bv[NV];
            for (int v = 0; v < nv; ++v) bv[v] = _mm512_load_ps(bp + p * NR + 16 * v);
            _mm_prefetch((const char *)(bp + p * NR + 8 * NR), _MM_HINT_T0);
            for (int r = 0; r < rows; ++r) {
                __m512 av = _mm512_set1_ps(ap[p * MR + r]);
                for (int v = 0; v < nv; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
            }
        }
        for (int64_t r = 0; r < pf_per_block && pf_left > 0; ++r, --pf_left, pf_row += pf_ld)
            prefetch_row(pf_row);
        const int64_t c_row = blk - c_from;
        if (c_row >= 0 && c_row < rows)
            for (int v = 0; v < nv; ++v) _mm_prefetch((const char *)(c + c_row * ldc + 16 * v), _MM_HINT_T0);
    }
    for (; pf_left > 0; --pf_left, pf_row += pf_ld) prefetch_row(pf_row);
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
                                                int64_t ldc, __mmask16 mask,                   \
                                                const ck_gemm_prefetch *pf) {                  \
        tile(k, alpha, ap, bp, beta, c, ldc, R, V, mask, pf, 0);                                  \
    }
#define TILE_ROW(R) TILE_FN(R, 1) TILE_FN(R, 2) TILE_FN(R, 3)
TILE_ROW(1) TILE_ROW(2) TILE_ROW(3) TILE_ROW(4) TILE_ROW(5) TILE_ROW(6) TILE_ROW(7) TILE_ROW(8)

typedef void (*tile_fn)(int64_t, float, const float *, const float *, float, float *, int64_t, __mmask16,
                        const ck_gemm_prefetch *);
#define TILE_ENTRY(R) {tile_##R##x1, tile_##R##x2, tile_##R##x3}
static const tile_fn tiles[MR][NV] = {TILE_ENTRY(1), TILE_ENTRY(2), TILE_ENTRY(3), TILE_ENTRY(4),
                                      TILE_ENTRY(5), TILE_ENTRY(6), TILE_ENTRY(7), TILE_ENTRY(8)};

CK_TARGET_AVX512 void ck_sgemm_avx512_8x48(int64_t k, float alpha, const float *ap, const float *bp,
                                           float beta, float *c, int64_t ldc, int m_eff, int n_eff,
                                           const ck_gemm_prefetch *pf) {
    if (m_eff == MR && n_eff == NR) {
        if (pf->count > 0) tile(k, alpha, ap, bp, beta, c, ldc, MR, NV, 0xFFFF, pf, 1);
        else tile(k, alpha, ap, bp, beta, c, ldc, MR, NV, 0xFFFF, pf, 0);
        return;
    }
    for (int64_t r = 0; r < pf->count; ++r) prefetch_row(pf->rows + r * pf->ld); /* edges are rare */
    int nv = (n_eff + 15) / 16;
    int last = n_eff - 16 * (nv - 1);
    tiles[m_eff - 1][nv - 1](k, alpha, ap, bp, beta, c, ldc, (__mmask16)((1u << last) - 1u), pf);
}
