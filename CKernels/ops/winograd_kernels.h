/*
 * winograd_kernels.h — leaf contract of the Winograd F(2x2, 3x3) convolution (internal).
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

/* The leaves, one pair per ISA (registered in register_<isa>.c). */
#define CK_DECLARE_WINOGRAD_LEAVES(isa)                                                                 \
    void ck_winograd_input_2x2_##isa(int64_t c, const float *const px[16], float *v, int64_t v_stride); \
    void ck_winograd_output_2x2_##isa(int64_t k, const float *m, int64_t m_stride, const float *bias,   \
                                      int relu, float *const y[4], float *const pre[4]);
CK_DECLARE_WINOGRAD_LEAVES(ref)
CK_DECLARE_WINOGRAD_LEAVES(avx2)
CK_DECLARE_WINOGRAD_LEAVES(avx512)

#pragma GCC visibility pop
#endif
