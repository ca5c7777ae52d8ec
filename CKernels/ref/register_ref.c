/* register_ref.c — fills a kernel table with the portable scalar kernels. */
#include "../runtime/kernel_table.h"
#include "ref_leaves.h"

void ck_register_ref(ck_kernel_table *t) {
    t->gemm.name = "ref (triple loop)";
    t->im2col = (ck_im2col_kernels){"ref", ck_im2col_row_ref, ck_col2im_row_ref};
    t->pool = (ck_pool_kernels){"ref", ck_maxpool_fwd_row_ref, ck_maxpool_bwd_row_ref,
                                ck_maxpool_bwd_switched_row_ref};
    t->eltwise = (ck_eltwise_kernels){"ref", ck_relu_fwd_ref, ck_relu_bwd_ref, ck_bias_add_ref, ck_axpy_ref,
                                      ck_col_sum_acc_ref, ck_sgd_ref, ck_adam_ref};
    t->loss = (ck_loss_kernels){"ref (double log-sum-exp)", ck_xent_row_ref};
}
