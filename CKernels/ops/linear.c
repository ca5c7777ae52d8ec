/*
 * linear.c — fully connected layer: three SGEMMs and a bias pass.
 *   fwd          y(B,OUT)  = x(B,IN) · w(IN,OUT) + b
 *   bwd_data     dx(B,IN)  = dy(B,OUT) · w(IN,OUT)ᵀ
 *   bwd_weights  dw(IN,OUT) = x(B,IN)ᵀ · dy(B,OUT) + beta·dw,  db = Σ_B dy + beta·db
 */
#include "ck_linear.h"
#include "ck_conv.h"
#include "ck_eltwise.h"
#include "ck_gemm.h"

static ck_status check(int64_t batch, int64_t in, int64_t out) {
    return (batch < 0 || in < 0 || out < 0) ? CK_ERR_BAD_DIMENSION : CK_OK;
}

ck_status ck_linear_fwd(int64_t batch, int64_t in, int64_t out,
                        const float *x, const float *w, const float *bias, float *y) {
    ck_status st = check(batch, in, out);
    if (st != CK_OK || batch == 0 || out == 0) return st;
    if (!y || (in > 0 && (!x || !w))) return CK_ERR_NULL_POINTER;
    st = ck_sgemm(CK_ROW_MAJOR, CK_NO_TRANS, CK_NO_TRANS, batch, out, in, 1.0f, x, in > 0 ? in : 1,
                  w, out, 0.0f, y, out);
    if (st == CK_OK && bias) st = ck_bias_add(batch, out, bias, y);
    return st;
}

ck_status ck_linear_bwd_data(int64_t batch, int64_t in, int64_t out,
                             const float *dy, const float *w, float *dx) {
    ck_status st = check(batch, in, out);
    if (st != CK_OK || batch == 0 || in == 0) return st;
    if (!dx || (out > 0 && (!dy || !w))) return CK_ERR_NULL_POINTER;
    return ck_sgemm(CK_ROW_MAJOR, CK_NO_TRANS, CK_TRANS, batch, in, out, 1.0f, dy, out > 0 ? out : 1,
                    w, out > 0 ? out : 1, 0.0f, dx, in);
}

ck_status ck_linear_bwd_weights(int64_t batch, int64_t in, int64_t out,
                                const float *x, const float *dy, float beta, float *dw, float *db) {
    ck_status st = check(batch, in, out);
    if (st != CK_OK || out == 0) return st;
    if (in > 0) {
        if (!dw || (batch > 0 && (!x || !dy))) return CK_ERR_NULL_POINTER;
        st = ck_sgemm(CK_ROW_MAJOR, CK_TRANS, CK_NO_TRANS, in, out, batch, 1.0f, x, in, dy, out,
                      beta, dw, out);
        if (st != CK_OK) return st;
    }
    return db ? ck_conv2d_bias_bwd(batch, out, dy, beta, db) : CK_OK;
}
