/* register_avx2.c — overrides the reference kernels with the AVX2+FMA leaves. */
#include "../../runtime/kernel_table.h"
#include "../simd_leaves.h"
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

void ck_sgemm_avx2_6x16(int64_t k, float alpha, const float *ap, const float *bp,
                        float beta, float *c, int64_t ldc, int m_eff, int n_eff, const ck_gemm_prefetch *pf);

void ck_conv3x3_tile_avx2(int T, const float *xp, int64_t x_pix, int64_t x_row, int64_t c_in,
                          const float *w, int64_t k_out, int rows, int cols, const float *bias,
                          float *y, int64_t y_pix);
void ck_conv3x3_batch_tile_avx2(int T, const float *xg, int64_t x_col, int64_t x_row, int64_t c_in,
                                const float *w, int64_t k_out, int rows, int cols, const float *bias,
                                float *y, int64_t y_pix);
void ck_conv3x3_bwdw_tile_avx2(int CT, const float *xs, int64_t x_pix, const float *dy, int64_t dy_pix,
                               int64_t npix, float *dw, int64_t ldw);

void ck_register_avx2(ck_kernel_table *t) {
    t->gemm = (ck_gemm_kernels){.name = "avx2 6x16", .mr = 6, .nr = 16,
                                .mc = 144, .kc = 256, .nc = 3072, .ukernel = ck_sgemm_avx2_6x16};
    t->winograd_wgrad = CK_WINOGRAD_WGRAD_TABLE(avx2);
    CK_REGISTER_CONV_FAMILY(t, avx2);
    t->conv3x3 = (ck_conv_direct_kernels){"direct 3x3 avx2 6x16", 6, 16, ck_conv3x3_tile_avx2,
                                             6, ck_conv3x3_bwdw_tile_avx2, ck_conv3x3_batch_tile_avx2};
    ck_register_activation_avx2(&t->activation);
    t->lifted = (ck_lifted_kernels){"avx2", ck_lifted_layer_sweep_avx2, 8, ck_lifted_lanes_sweep_avx2};
    t->winograd = (ck_winograd_kernels){"winograd F(2x2,3x3) avx2", ck_winograd_input_2x2_avx2, ck_winograd_output_2x2_avx2};
    t->winograd_4x4 = (ck_winograd_4x4_kernels){"winograd F(4x4,3x3) avx2", ck_winograd_input_4x4_avx2,
                                                 ck_winograd_output_4x4_avx2};
}
