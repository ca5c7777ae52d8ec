/*
 * conv_epilogue.c — forward convolution with its epilogue (bias, ReLU, pre-activation copy).
 * The Winograd path applies it inside its output transform, so the output is written once; the
 * direct and im2col paths get a pass over the output after the convolution (their leaves belong
 * to conv3x3_direct.c / gemm.c and write the output with the bias only).
 */
#include "ck_conv.h"
#include "workspace.h"
#include "conv3x3_winograd.h"
#include "../runtime/parallel.h"

typedef struct relu_job {
    const float *z;
    float *y;
    int64_t row;
} relu_job;

/* y = z ≤ 0 ? 0 : z (NaN kept, as CK_ACT_RELU); y may be z. */
static void relu_rows(void *ctx, int64_t begin, int64_t end) {
    const relu_job *j = ctx;
    for (int64_t i = begin * j->row; i < end * j->row; ++i) j->y[i] = j->z[i] <= 0.0f ? 0.0f : j->z[i];
}

ck_status ck_conv2d_fwd_epilogue(const ck_conv2d_params *p, const float *x, const float *w,
                                 const float *bias, const ck_conv2d_epilogue *ep, float *y,
                                 void *workspace, size_t workspace_bytes) {
    if (!ep || (!ep->relu && !ep->pre_activation))
        return ck_conv2d_fwd(p, x, w, bias, y, workspace, workspace_bytes);
    int64_t po, qo;
    if (!p) return CK_ERR_NULL_POINTER;
    ck_status st = ck_conv2d_output_size(p, &po, &qo);
    if (st != CK_OK || p->n == 0) return st;
    if (!x || !w || !y) return CK_ERR_NULL_POINTER;
    if (ck_conv3x3_winograd_selected(p, CK_CONV2D_FWD)) {
        ck_scratch ws;
        st = ck_scratch_acquire(&ws, workspace, workspace_bytes, ck_conv3x3_winograd_workspace(p, 0));
        if (st != CK_OK) return st;
        st = ck_conv3x3_winograd(p, 0, x, w, bias, ep->relu, ep->pre_activation, y, ws.base);
        ck_scratch_release(&ws);
        return st;
    }
    float *z = ep->pre_activation ? ep->pre_activation : y;
    st = ck_conv2d_fwd(p, x, w, bias, z, workspace, workspace_bytes);
    if (st != CK_OK) return st;
    const int64_t rows = p->n * po, row = qo * p->k;
    if (ep->relu) {
        relu_job j = {z, y, row};
        ck_parallel_for(rows, 8, relu_rows, &j);
    } else {
        for (int64_t i = 0; i < rows * row; ++i) y[i] = z[i]; /* pre-activation requested, no ReLU */
    }
    return CK_OK;
}
