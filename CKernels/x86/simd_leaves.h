/* simd_leaves.h — prototypes of the conv-family SIMD leaves (internal), for registration. */
#ifndef CK_X86_SIMD_LEAVES_H
#define CK_X86_SIMD_LEAVES_H
#include "../runtime/kernel_table.h"
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

#define CK_DECLARE_CONV_FAMILY(isa)                                                                      \
    void ck_col2im_row_##isa(const ck_conv2d_params *p, const float *col, int64_t ih, int64_t p_out,    \
                             int64_t q_out, float *dx_row);                                              \
    void ck_maxpool_fwd_row_##isa(int64_t q_out, int64_t c, const float *x0, const float *x1, float *y,  \
                                  uint8_t *sw);                                                          \
    void ck_maxpool_bwd_row_##isa(int64_t q_out, int64_t c, const float *dy, const uint8_t *sw,          \
                                  float *dx0, float *dx1);                                               \
    void ck_maxpool_bwd_switched_row_##isa(int64_t q_out, int64_t c, const float *s0, const float *s1,   \
                                           const float *dy, float *dx0, float *dx1);                     \
    void ck_relu_fwd_##isa(int64_t n, const float *x, float *y);                                         \
    void ck_relu_bwd_##isa(int64_t n, const float *x, const float *dy, float *dx);                       \
    void ck_bias_add_##isa(int64_t rows, int64_t cols, const float *b, float *y);                        \
    void ck_axpy_##isa(int64_t n, float a, const float *x, float *y);                                    \
    void ck_col_sum_acc_##isa(int64_t rows, int64_t cols, const float *x, float *acc);                   \
    void ck_sgd_##isa(int64_t n, float lr, float momentum, float wd, float *w, const float *g, float *v); \
    void ck_adam_##isa(int64_t n, float step_size, float beta1, float beta2, float eps, float inv_bc2,    \
                       float wd, float *w, const float *g, float *m, float *v);

CK_DECLARE_CONV_FAMILY(avx2)
CK_DECLARE_CONV_FAMILY(avx512)

/* Fill the conv-family members of a table with one ISA's leaves (im2col itself stays memcpy). */
#define CK_REGISTER_CONV_FAMILY(t, isa)                                                                  \
    do {                                                                                                 \
        (t)->im2col.name = #isa " col2im";                                                               \
        (t)->im2col.col2im_row = ck_col2im_row_##isa;                                                    \
        (t)->pool = (ck_pool_kernels){#isa, ck_maxpool_fwd_row_##isa, ck_maxpool_bwd_row_##isa,          \
                                      ck_maxpool_bwd_switched_row_##isa};                                \
        (t)->eltwise = (ck_eltwise_kernels){#isa, ck_relu_fwd_##isa, ck_relu_bwd_##isa,                  \
                                            ck_bias_add_##isa, ck_axpy_##isa, ck_col_sum_acc_##isa,      \
                                            ck_sgd_##isa, ck_adam_##isa};                                \
    } while (0)

#pragma GCC visibility pop
#endif
