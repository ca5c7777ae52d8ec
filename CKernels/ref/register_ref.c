/* register_ref.c — fills a kernel table with the portable scalar kernels. */
#include "../runtime/kernel_table.h"
#include "ref_leaves.h"
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

void ck_sgemm_ref_4x4(int64_t k, float alpha, const float *ap, const float *bp,
                      float beta, float *c, int64_t ldc, int m_eff, int n_eff, const ck_gemm_prefetch *pf);

void ck_register_ref(ck_kernel_table *t) {
    t->gemm = (ck_gemm_kernels){.name = "ref 4x4", .mr = 4, .nr = 4,
                                .mc = 64, .kc = 256, .nc = 256, .ukernel = ck_sgemm_ref_4x4};
    t->winograd_wgrad = CK_WINOGRAD_WGRAD_TABLE(ref);
    t->im2col = (ck_im2col_kernels){"ref", ck_im2col_row_ref, ck_col2im_row_ref};
    t->pool = (ck_pool_kernels){"ref", ck_maxpool_fwd_row_ref, ck_maxpool_bwd_row_ref,
                                ck_maxpool_bwd_switched_row_ref};
    t->eltwise = (ck_eltwise_kernels){"ref", ck_relu_fwd_ref, ck_relu_bwd_ref, ck_bias_add_ref, ck_axpy_ref,
                                      ck_col_sum_acc_ref, ck_sgd_ref, ck_adam_ref};
    t->loss = (ck_loss_kernels){"ref (double log-sum-exp)", ck_xent_row_ref};
    t->activation = (ck_activation_kernels){"ref", ck_act_map_ref, ck_act_nudge_ref, ck_act_fenchel_ref,
                                            ck_act_bregman_fwd_ref, ck_act_bregman_bwd_ref, ck_act_energy_ref};
    t->lifted = (ck_lifted_kernels){"ref", ck_lifted_layer_sweep_ref, 0, NULL};
    t->winograd = (ck_winograd_kernels){"winograd F(2x2,3x3) ref", ck_winograd_input_2x2_ref, ck_winograd_output_2x2_ref};
    t->winograd_4x4 = (ck_winograd_4x4_kernels){"winograd F(4x4,3x3) ref", ck_winograd_input_4x4_ref,
                                                 ck_winograd_output_4x4_ref};
}
