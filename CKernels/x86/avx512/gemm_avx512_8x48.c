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
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

#define CK_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))

/* gcc 12 unrolls the constant-bound row/vector loops only after it has decided to keep the
 * accumulator array in memory, and then stores all 24 accumulators every k step (a gcc/CMake
 * build ran at a fraction of the clang build's speed). Asking for the unrolling up front keeps
 * them in registers; clang does so anyway and gets no pragma. */
#if defined(__GNUC__) && !defined(__clang__)
#define CK_UNROLLED _Pragma("GCC unroll 16")
#else
#define CK_UNROLLED
#endif

enum { MR = 8, NR = 48, NV = NR / 16 };

/* Prefetch (into L2) the 48 floats of one unpacked B row: 3 lines, 4 when not aligned. */
static inline __attribute__((always_inline)) CK_TARGET_AVX512 void prefetch_row(const float *row) {
    _mm_prefetch((const char *)row, _MM_HINT_T1);
    _mm_prefetch((const char *)(row + 16), _MM_HINT_T1);
    _mm_prefetch((const char *)(row + 32), _MM_HINT_T1);
    if ((uintptr_t)row & 63) _mm_prefetch((const char *)(row + 47), _MM_HINT_T1);
}

/* rows ≤ MR and nv ≤ NV are compile-time constants at every call site, so the accumulator
 * array is fully unrolled into registers. `prefetching` (a constant too) selects the loop
 * that also prefetches the driver's hinted B rows. */
static inline __attribute__((always_inline)) CK_TARGET_AVX512 void
tile(int64_t k, float alpha, const float *restrict ap, const float *restrict bp, float beta,
     float *restrict c, int64_t ldc, const int rows, const int nv, __mmask16 last_mask,
     const ck_gemm_prefetch *pf, const int prefetching) {
    __m512 acc[MR][NV];
    CK_UNROLLED for (int r = 0; r < rows; ++r)
        CK_UNROLLED for (int v = 0; v < nv; ++v) acc[r][v] = _mm512_setzero_ps();
    if (!prefetching) { /* the plain loop: one basic block, C's first line per row up front */
        CK_UNROLLED for (int r = 0; r < rows; ++r) _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        for (int64_t p = 0; p < k; ++p) {
            __m512 bv[NV];
            CK_UNROLLED for (int v = 0; v < nv; ++v) bv[v] = _mm512_load_ps(bp + p * NR + 16 * v);
            _mm_prefetch((const char *)(bp + p * NR + 8 * NR), _MM_HINT_T0);
            CK_UNROLLED for (int r = 0; r < rows; ++r) {
                __m512 av = _mm512_set1_ps(ap[p * MR + r]);
                CK_UNROLLED for (int v = 0; v < nv; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
            }
        }
    } else {
        /* The k loop runs in segments of ≥ 4 steps, each starting with the prefetch of one
         * hinted B row, so the rows are spread evenly; inside a segment it is the plain loop.
         * A short k loop (K = 27 of VGG's first layer) cannot hide C's misses behind its FMAs:
         * then every line of the C tile is requested up front. */
        CK_UNROLLED for (int r = 0; r < rows; ++r)
            for (int v = 0; v < (k < 128 || r == 0 ? nv : 1); ++v)
                _mm_prefetch((const char *)(c + r * ldc + 16 * v), _MM_HINT_T0);
        const float *pf_row = pf->rows;
        int64_t pf_left = pf->count;
        const int64_t seg = pf_left > 0 && k / pf_left > 4 ? k / pf_left : 4;
        int c_row = k < 128 ? rows : 1; /* C rows whose lines are all requested */
        for (int64_t p = 0; p < k;) {
            if (c_row < rows) { /* the other lines of C, one row per segment */
                for (int v = 1; v < nv; ++v) _mm_prefetch((const char *)(c + c_row * ldc + 16 * v), _MM_HINT_T0);
                ++c_row;
            }
            if (pf_left > 0) {
                prefetch_row(pf_row);
                pf_row += pf->ld;
                --pf_left;
            }
            const int64_t p_end = k - p > seg ? p + seg : k;
#if defined(__clang__)
#pragma clang loop unroll(disable)
#else
#pragma GCC unroll 1
#endif
            for (; p < p_end; ++p) {
                __m512 bv[NV];
                CK_UNROLLED for (int v = 0; v < nv; ++v) bv[v] = _mm512_load_ps(bp + p * NR + 16 * v);
                _mm_prefetch((const char *)(bp + p * NR + 8 * NR), _MM_HINT_T0);
                CK_UNROLLED for (int r = 0; r < rows; ++r) {
                    __m512 av = _mm512_set1_ps(ap[p * MR + r]);
                    CK_UNROLLED for (int v = 0; v < nv; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
                }
            }
        }
        for (; pf_left > 0; --pf_left, pf_row += pf->ld) prefetch_row(pf_row); /* more rows than segments */
    }
    const __m512 alpha_v = _mm512_set1_ps(alpha), beta_v = _mm512_set1_ps(beta);
    CK_UNROLLED for (int r = 0; r < rows; ++r)
        CK_UNROLLED for (int v = 0; v < nv; ++v) {
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
