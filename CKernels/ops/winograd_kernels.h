/*
 * winograd_kernels.h — leaf contract of the Winograd F(2x2, 3x3) and F(4x4, 3x3) convolutions
 * (internal).
 * The driver (ops/conv3x3_winograd.c) owns tiling, blocking, the transform-domain GEMMs and
 * threads; the leaves only transform one tile's channels. Single-threaded, no allocation.
 *
 * Transforms (Lavin & Gray 2016), for one channel, with d the 4x4 input patch of a tile,
 * g the 3x3 filter and m the 4x4 transform-domain product:
 *   V = Bᵀ d B,  U = G g Gᵀ,  Y = Aᵀ m A (2x2 outputs)
 *   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
 *   Aᵀ = [1 1 1 0; 0 1 −1 −1].
 * Element ξ = 4·i + j of a 4x4 transform-domain matrix is called "position ξ" below.
 */
#ifndef CK_WINOGRAD_KERNELS_H
#define CK_WINOGRAD_KERNELS_H

#include <stdint.h>

#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

/* Input transform of one tile: px[4·i + j] points at the c channels of input pixel (i, j) of
 * the tile's 4x4 patch (a row of c zeros for pixels in the padding); writes
 * v[ξ·v_stride + 0..c) = (Bᵀ d B)[ξ] for every channel. */
typedef void (*ck_winograd_input_fn)(int64_t c, const float *const px[16], float *v, int64_t v_stride);

/* Output transform of one tile with the fused epilogue: m[ξ·m_stride + 0..k) holds the 16
 * transform-domain products; for the 4 output pixels, z = (Aᵀ m A)[i][j] + bias (bias may be
 * NULL) and y[2·i + j][0..k) = relu && z ≤ 0 ? 0 : z (NaN kept: the activation family's ReLU,
 * CK_ACT_RELU); when pre is not NULL, also
 * pre[2·i + j][0..k) = z (the pre-activation). The driver points pixels outside the image at a
 * scratch row. */
typedef void (*ck_winograd_output_fn)(int64_t k, const float *m, int64_t m_stride, const float *bias,
                                      int relu, float *const y[4], float *const pre[4]);

typedef struct ck_winograd_kernels {
    const char *name;          /* e.g. "winograd F(2x2,3x3) avx512" */
    ck_winograd_input_fn input;
    ck_winograd_output_fn output;
} ck_winograd_kernels;

/* Filter transform U = G g Gᵀ of one (input channel, output channel) pair: g[r·3 + s] → u[ξ].
 * Scalar and shared by every ISA (it runs once per call on C·K filters, not per tile). */
void ck_winograd_filter_2x2(const float g[9], float u[16]);

/* F(4x4, 3x3) (Lavin & Gray 2016, interpolation points 0, ±1, ±2, ∞): d is the 6x6 input
 * patch, m the 6x6 transform-domain product, 4x4 outputs per tile, position ξ = 6·i + j:
 *   Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1],
 *   G = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1⁄24 1⁄12 ⅙; 1⁄24 −1⁄12 ⅙; 0 0 1],
 *   Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1].
 * Same contracts as above with 36 input pixels / positions and 16 output pixels:
 * px[6·i + j] (36 pointers), m[ξ·m_stride] for ξ < 36, y[4·i + j] and pre[4·i + j] (16 each).
 * The ×5 terms of Bᵀ are fused multiply-adds in every ISA (fmaf in the reference), the other
 * factors are powers of two, so every ISA transforms bit-identically. */
typedef void (*ck_winograd_input_4x4_fn)(int64_t c, const float *const px[36], float *v, int64_t v_stride);
typedef void (*ck_winograd_output_4x4_fn)(int64_t k, const float *m, int64_t m_stride, const float *bias,
                                          int relu, float *const y[16], float *const pre[16]);

typedef struct ck_winograd_4x4_kernels {
    const char *name;          /* e.g. "winograd F(4x4,3x3) avx512" */
    ck_winograd_input_4x4_fn input;
    ck_winograd_output_4x4_fn output;
} ck_winograd_4x4_kernels;

/* Filter transforms of n filters at once (vectorisable over the filters), scalar code shared by
 * every ISA: g[t·ldg + f] is tap t = 3·r + s of filter f, u[ξ·ldu + f] receives (G g Gᵀ)[ξ]
 * (16 positions for 2x2, 36 for 4x4). */
void ck_winograd_filter_rows_2x2(int64_t n, const float *g, int64_t ldg, float *u, int64_t ldu);
void ck_winograd_filter_rows_4x4(int64_t n, const float *g, int64_t ldg, float *u, int64_t ldu);

/* The leaves, one pair per ISA (registered in register_<isa>.c). */
#define CK_DECLARE_WINOGRAD_LEAVES(isa)                                                                 \
    void ck_winograd_input_2x2_##isa(int64_t c, const float *const px[16], float *v, int64_t v_stride); \
    void ck_winograd_output_2x2_##isa(int64_t k, const float *m, int64_t m_stride, const float *bias,   \
                                      int relu, float *const y[4], float *const pre[4]);
#define CK_DECLARE_WINOGRAD_4X4_LEAVES(isa)                                                             \
    void ck_winograd_input_4x4_##isa(int64_t c, const float *const px[36], float *v, int64_t v_stride); \
    void ck_winograd_output_4x4_##isa(int64_t k, const float *m, int64_t m_stride, const float *bias,   \
                                      int relu, float *const y[16], float *const pre[16]);
CK_DECLARE_WINOGRAD_4X4_LEAVES(ref)
CK_DECLARE_WINOGRAD_4X4_LEAVES(avx2)
CK_DECLARE_WINOGRAD_4X4_LEAVES(avx512)
CK_DECLARE_WINOGRAD_LEAVES(ref)
CK_DECLARE_WINOGRAD_LEAVES(avx2)
CK_DECLARE_WINOGRAD_LEAVES(avx512)

#pragma GCC visibility pop
#endif
