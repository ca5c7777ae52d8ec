/*
 * winograd_wgrad_kernels.h — leaf contract of the Winograd F(2x2, 3x3) backward-weights pass
 * (internal). The driver (ops/conv3x3_winograd_wgrad.c) owns tiling, blocking, the
 * transform-domain GEMMs and threads; the leaves only transform one tile's (or one input
 * channel's) channels. Single-threaded, no allocation.
 *
 * The forward of one 2x2 output tile is y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A (ops/winograd_kernels.h),
 * so the gradient of a filter g is
 *   dg = Gᵀ [ Σ_tiles (A dy Aᵀ) ⊙ (Bᵀ d B) ] G
 * with dy the tile's 2x2 output gradient. The input transform Bᵀ d B is the forward's leaf; the
 * two leaves here are the other two transforms, with
 *   A = [1 0; 1 1; 1 −1; 0 −1] (4x2),  Gᵀ = [1 ½ ½ 0; 0 ½ −½ 0; 0 ½ ½ 1] (3x4).
 * Element ξ = 4·i + j of a 4x4 transform-domain matrix is "position ξ", as in the forward.
 */
#ifndef CK_WINOGRAD_WGRAD_KERNELS_H
#define CK_WINOGRAD_WGRAD_KERNELS_H

#include <stdint.h>

#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

/* Both transforms of a tile write straight into the SGEMM micro-kernel's panel layout: channel
 * ch of position ξ goes to out[ξ·xi_stride + (ch / pw)·p_stride + ch % pw] (pw: the panel width,
 * mr or nr; p_stride: floats from one panel to the next). One call covers all channels. */

/* Input transform of one tile: px[4·i + j] points at the c channels of input pixel (i, j) of the
 * tile's 4x4 patch (a row of c zeros in the padding); writes (Bᵀ d B)[ξ] (the forward's
 * transform, ops/winograd_kernels.h, same operations) in the panel layout. */
typedef void (*ck_winograd_input_panels_fn)(int64_t c, const float *const px[16], float *v, int64_t xi_stride,
                                            int64_t pw, int64_t p_stride);

/* Output-gradient transform of one tile: py[2·i + j] points at the k channels of output
 * pixel (i, j) of the tile (a row of k zeros for pixels outside the image); writes
 * (A dy Aᵀ)[ξ] in the panel layout. Additions and negations only. */
typedef void (*ck_winograd_dy_fn)(int64_t k, const float *const py[4], float *u, int64_t xi_stride, int64_t pw,
                                  int64_t p_stride);

/* Weight-gradient transform of one input channel: m[ξ·m_stride + 0..k) holds the 16
 * transform-domain sums (one per output channel); for the 9 taps t = 3·r + s writes
 * dw[t·dw_stride + 0..k) = (Gᵀ m G)[r][s] + beta·dw[…]. When beta == 0, dw is not read. */
typedef void (*ck_winograd_wgrad_fn)(int64_t k, const float *m, int64_t m_stride, float beta, float *dw,
                                     int64_t dw_stride);

typedef struct ck_winograd_wgrad_kernels {
    const char *name; /* e.g. "winograd F(2x2,3x3) bwd-weights avx512" */
    ck_winograd_input_panels_fn input;
    ck_winograd_dy_fn dy;
    ck_winograd_wgrad_fn weights;
} ck_winograd_wgrad_kernels;

/* The leaves, one pair per ISA (registered in register_<isa>.c). */
#define CK_DECLARE_WINOGRAD_WGRAD_LEAVES(isa)                                                           \
    void ck_winograd_input_panels_2x2_##isa(int64_t c, const float *const px[16], float *v,             \
                                            int64_t xi_stride, int64_t pw, int64_t p_stride);           \
    void ck_winograd_dy_2x2_##isa(int64_t k, const float *const py[4], float *u, int64_t xi_stride,      \
                                  int64_t pw, int64_t p_stride);                                        \
    void ck_winograd_wgrad_2x2_##isa(int64_t k, const float *m, int64_t m_stride, float beta, float *dw, \
                                     int64_t dw_stride);
CK_DECLARE_WINOGRAD_WGRAD_LEAVES(ref)
CK_DECLARE_WINOGRAD_WGRAD_LEAVES(avx2)
CK_DECLARE_WINOGRAD_WGRAD_LEAVES(avx512)

/* One ISA's table entry. */
#define CK_WINOGRAD_WGRAD_TABLE(isa)                                                                           \
    ((ck_winograd_wgrad_kernels){"winograd F(2x2,3x3) bwd-weights " #isa, ck_winograd_input_panels_2x2_##isa, \
                                 ck_winograd_dy_2x2_##isa, ck_winograd_wgrad_2x2_##isa})

#pragma GCC visibility pop
#endif
