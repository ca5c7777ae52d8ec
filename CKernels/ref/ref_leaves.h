/* ref_leaves.h — prototypes of the scalar leaves (internal), shared by register_ref.c and tests. */
#ifndef CK_REF_LEAVES_H
#define CK_REF_LEAVES_H
#include "../runtime/kernel_table.h"
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

void ck_im2col_row_ref(const ck_conv2d_params *p, const float *x, int64_t oh, int64_t q_out, float *col);
void ck_col2im_row_ref(const ck_conv2d_params *p, const float *col, int64_t ih, int64_t p_out,
                       int64_t q_out, float *dx_row);
void ck_maxpool_fwd_row_ref(int64_t q_out, int64_t c, const float *x0, const float *x1, float *y, uint8_t *sw);
void ck_maxpool_bwd_row_ref(int64_t q_out, int64_t c, const float *dy, const uint8_t *sw, float *dx0, float *dx1);
void ck_maxpool_bwd_switched_row_ref(int64_t q_out, int64_t c, const float *s0, const float *s1,
                                     const float *dy, float *dx0, float *dx1);
void ck_relu_fwd_ref(int64_t n, const float *x, float *y);
void ck_relu_bwd_ref(int64_t n, const float *x, const float *dy, float *dx);
void ck_bias_add_ref(int64_t rows, int64_t cols, const float *b, float *y);
void ck_axpy_ref(int64_t n, float a, const float *x, float *y);
void ck_col_sum_acc_ref(int64_t rows, int64_t cols, const float *x, float *acc);
void ck_sgd_ref(int64_t n, float lr, float momentum, float wd, float *w, const float *g, float *v);
void ck_adam_ref(int64_t n, float step_size, float beta1, float beta2, float eps, float inv_bc2,
                 float wd, float *w, const float *g, float *m, float *v);
double ck_xent_row_ref(int64_t classes, const float *z, int32_t label, float scale, float *grad);
#pragma GCC visibility pop
#endif
