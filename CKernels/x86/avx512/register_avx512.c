/* register_avx512.c — overrides the AVX2 kernels with the AVX-512 leaves. */
#include "../../runtime/kernel_table.h"
#include "../simd_leaves.h"
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

void ck_conv3x3_tile_avx512(int T, const float *xp, int64_t x_pix, int64_t x_row, int64_t c_in,
                            const float *w, int64_t k_out, int rows, int cols, const float *bias,
                            float *y, int64_t y_pix);
void ck_conv3x3_batch_tile_avx512(int T, const float *xg, int64_t x_col, int64_t x_row, int64_t c_in,
                                  const float *w, int64_t k_out, int rows, int cols, const float *bias,
                                  float *y, int64_t y_pix);
void ck_conv3x3_bwdw_tile_avx512(int CT, const float *xs, int64_t x_pix, const float *dy, int64_t dy_pix,
                                 int64_t npix, float *dw, int64_t ldw);

void ck_sgemm_avx512_8x48(int64_t k, float alpha, const float *ap, const float *bp,
                          float beta, float *c, int64_t ldc, int m_eff, int n_eff, const ck_gemm_prefetch *pf);

void ck_sgemm_pack_a_avx512_8(int64_t k, const float *a, int64_t lda, float *dst);
void ck_sgemm_pack_b_avx512_48(int64_t k, const float *b, int64_t ldb, float *dst);
void ck_sgemm_pack_b_t_avx512_48(int64_t k, const float *b, int64_t ldb, float *dst);

void ck_register_avx512(ck_kernel_table *t) {
    t->gemm = (ck_gemm_kernels){.name = "avx512 8x48", .mr = 8, .nr = 48,
                                .mc = 256, .kc = 512, .nc = 4800, .ukernel = ck_sgemm_avx512_8x48,
                                .pack_a_rows = ck_sgemm_pack_a_avx512_8, .pack_b_cols = ck_sgemm_pack_b_avx512_48,
                                .pack_b_rows = ck_sgemm_pack_b_t_avx512_48};
    t->winograd_wgrad = CK_WINOGRAD_WGRAD_TABLE(avx512);
    CK_REGISTER_CONV_FAMILY(t, avx512);
    t->conv3x3 = (ck_conv_direct_kernels){"direct 3x3 avx512 12x32", 12, 32, ck_conv3x3_tile_avx512,
                                             12, ck_conv3x3_bwdw_tile_avx512,
                                             ck_conv3x3_batch_tile_avx512};
    ck_register_activation_avx512(&t->activation);
    t->lifted = (ck_lifted_kernels){"avx512", ck_lifted_layer_sweep_avx512, 16, ck_lifted_lanes_sweep_avx512};
    t->winograd = (ck_winograd_kernels){"winograd F(2x2,3x3) avx512", ck_winograd_input_2x2_avx512, ck_winograd_output_2x2_avx512};
    t->winograd_4x4 = (ck_winograd_4x4_kernels){"winograd F(4x4,3x3) avx512", ck_winograd_input_4x4_avx512,
                                                 ck_winograd_output_4x4_avx512};
}
