/*
 * conv.c — the ISA-neutral 2-D convolution driver: validation, algorithm choice, workspace,
 * threads. Algorithms (same API, chosen per call):
 *   "direct 3x3 …"  3x3 / stride 1 / pad 1 with output channels (input channels for backward-data)
 *                   a multiple of the ISA's block, where the ISA has a direct leaf (AVX-512: 32,
 *                   AVX2: 16): conv3x3_direct.c. Every VGG16 convolution pass except conv1's
 *                   backward-data.
 *   "winograd …"    3x3 / stride 1 / pad 1 forward and backward-data where the algorithm setting
 *                   or the measured auto rule picks it: conv3x3_winograd.c, conv_algo.c;
 *                   backward-weights likewise: conv3x3_winograd_wgrad.c.
 *   "1x1 sgemm"     1x1 kernel, stride 1, no padding: NHWC x *is* the (N·H·W, C) GEMM operand.
 *   "im2col+sgemm"  everything else: images are processed in chunks whose im2col matrix
 *                   (rows = pixels of the chunk, cols = R·S·C) fits a fixed budget, so one GEMM
 *                   covers many images (the 2x2/4x4 deep layers become one GEMM with
 *                   M = batch·P·Q) while the workspace stays bounded.
 * GEMM shapes (row-major; w is the (R·S·C, K) matrix):
 *   fwd          y(M,K)      = col(M,RSC) · w(RSC,K)
 *   bwd_data     dcol(M,RSC) = dy(M,K) · w(RSC,K)ᵀ, then col2im
 *   bwd_weights  dw(RSC,K)  += col(M,RSC)ᵀ · dy(M,K), accumulated over chunks
 */
#include "ck_conv.h"
#include "ck_gemm.h"
#include "ck_work_split.h"
#include "../runtime/kernel_table.h"
#include "../runtime/parallel.h"
#include "workspace.h"
#include "conv3x3_direct.h"
#include "conv3x3_winograd.h"
#include "conv3x3_winograd_wgrad.h"

#include <string.h>

/* Largest im2col chunk, in floats (16 MiB): big enough for long GEMMs, small enough to stay
 * mostly in the last-level cache between im2col and the GEMM. */
#define CK_CONV_COL_BUDGET ((int64_t)4 << 20)

ck_status ck_conv2d_output_size(const ck_conv2d_params *p, int64_t *po, int64_t *qo) {
    if (!p || !po || !qo) return CK_ERR_NULL_POINTER;
    if (p->n < 0 || p->h < 1 || p->w < 1 || p->c < 1 || p->k < 1 || p->r < 1 || p->s < 1 ||
        p->stride_h < 1 || p->stride_w < 1 || p->pad_h < 0 || p->pad_w < 0 ||
        p->pad_h >= p->r || p->pad_w >= p->s)
        return CK_ERR_BAD_DIMENSION;
    int64_t hp = p->h + 2 * p->pad_h - p->r, wp = p->w + 2 * p->pad_w - p->s;
    if (hp < 0 || wp < 0) return CK_ERR_BAD_DIMENSION;
    *po = hp / p->stride_h + 1;
    *qo = wp / p->stride_w + 1;
    return CK_OK;
}

static int is_pointwise(const ck_conv2d_params *p) {
    return p->r == 1 && p->s == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_h == 0 && p->pad_w == 0;
}

/* Images per im2col chunk. */
static int64_t chunk_images(const ck_conv2d_params *p, int64_t po, int64_t qo) {
    int64_t per_image = po * qo * p->r * p->s * p->c;
    int64_t nb = CK_CONV_COL_BUDGET / (per_image > 0 ? per_image : 1);
    if (nb < 1) nb = 1;
    if (nb > p->n) nb = p->n;
    return nb;
}

size_t ck_conv2d_workspace_size(const ck_conv2d_params *p, ck_conv2d_pass pass) {
    int64_t po, qo;
    if (ck_conv2d_output_size(p, &po, &qo) != CK_OK || p->n == 0 || is_pointwise(p)) return 0;
    if (ck_conv3x3_winograd_selected(p, pass))
        return pass == CK_CONV2D_BWD_WEIGHTS ? ck_conv3x3_winograd_wgrad_workspace(p)
                                             : ck_conv3x3_winograd_workspace(p, pass == CK_CONV2D_BWD_DATA);
    if (pass == CK_CONV2D_FWD && ck_conv3x3_direct_eligible(p, p->c, p->k)) return ck_conv3x3_direct_workspace(p, 0);
    if (pass == CK_CONV2D_BWD_WEIGHTS && ck_conv3x3_direct_bwd_weights_eligible(p)) return ck_conv3x3_direct_bwd_weights_workspace(p);
    if (pass == CK_CONV2D_BWD_DATA && ck_conv3x3_direct_eligible(p, p->k, p->c)) return ck_conv3x3_direct_workspace(p, 1);
    /* the im2col passes need one column chunk */
    int64_t nb = chunk_images(p, po, qo);
    return ck_round64((size_t)(nb * po * qo * p->r * p->s * p->c) * sizeof(float)) + 64;
}

const char *ck_conv2d_algorithm_name(const ck_conv2d_params *p, ck_conv2d_pass pass) {
    int64_t po, qo;
    if (ck_conv2d_output_size(p, &po, &qo) != CK_OK) return "invalid";
    if (ck_conv3x3_winograd_selected(p, pass))
        return pass == CK_CONV2D_BWD_WEIGHTS ? ck_active_kernels()->winograd_wgrad.name : ck_conv3x3_winograd_name(p, pass);
    if ((pass == CK_CONV2D_FWD && ck_conv3x3_direct_eligible(p, p->c, p->k)) ||
        (pass == CK_CONV2D_BWD_WEIGHTS && ck_conv3x3_direct_bwd_weights_eligible(p)) ||
        (pass == CK_CONV2D_BWD_DATA && ck_conv3x3_direct_eligible(p, p->k, p->c)))
        return ck_active_kernels()->conv3x3.name;
    return is_pointwise(p) ? "1x1 sgemm" : "im2col+sgemm";
}

/* ---- parallel im2col / col2im over rows of a chunk ---- */

typedef struct col_job {
    const ck_conv2d_params *p;
    const ck_im2col_kernels *kern;
    const float *src;   /* im2col: x of the chunk (nb,H,W,C); col2im: col (nb·P·Q, RSC) */
    float *dst;         /* im2col: col; col2im: dx of the chunk (nb,H,W,C) */
    int64_t po, qo;
    int64_t rows_per_image; /* P for im2col, H for col2im */
} col_job;

static void im2col_rows(void *ctx, int64_t begin, int64_t end) {
    const col_job *j = ctx;
    const ck_conv2d_params *p = j->p;
    int64_t rsc = p->r * p->s * p->c;
    for (int64_t i = begin; i < end; ++i) {
        int64_t img = i / j->po, oh = i % j->po;
        j->kern->im2col_row(p, j->src + img * p->h * p->w * p->c, oh, j->qo,
                            j->dst + (img * j->po + oh) * j->qo * rsc);
    }
}

static void col2im_rows(void *ctx, int64_t begin, int64_t end) {
    const col_job *j = ctx;
    const ck_conv2d_params *p = j->p;
    int64_t rsc = p->r * p->s * p->c;
    for (int64_t i = begin; i < end; ++i) {
        int64_t img = i / p->h, ih = i % p->h;
        j->kern->col2im_row(p, j->src + img * j->po * j->qo * rsc, ih, j->po, j->qo,
                            j->dst + (img * p->h + ih) * p->w * p->c);
    }
}

typedef struct bias_job {
    const ck_eltwise_kernels *kern;
    const float *b;
    float *y;
    int64_t k;
} bias_job;

static void bias_rows(void *ctx, int64_t begin, int64_t end) {
    const bias_job *j = ctx;
    j->kern->bias_add(end - begin, j->k, j->b, j->y + begin * j->k);
}

static ck_status check_common(const ck_conv2d_params *p, int64_t *po, int64_t *qo) {
    if (!p) return CK_ERR_NULL_POINTER;
    return ck_conv2d_output_size(p, po, qo);
}

ck_status ck_conv2d_fwd(const ck_conv2d_params *p, const float *x, const float *w,
                        const float *bias, float *y, void *workspace, size_t workspace_bytes) {
    int64_t po, qo;
    ck_status st = check_common(p, &po, &qo);
    if (st != CK_OK) return st;
    if (p->n == 0) return CK_OK;
    if (!x || !w || !y) return CK_ERR_NULL_POINTER;
    const ck_kernel_table *t = ck_active_kernels();
    const int64_t rsc = p->r * p->s * p->c, pix = po * qo;

    if (ck_conv3x3_winograd_selected(p, CK_CONV2D_FWD)) {
        ck_scratch ws;
        st = ck_scratch_acquire(&ws, workspace, workspace_bytes, ck_conv3x3_winograd_workspace(p, 0));
        if (st != CK_OK) return st;
        st = ck_conv3x3_winograd(p, 0, x, w, bias, 0, NULL, y, ws.base);
        ck_scratch_release(&ws);
        return st;
    }
    if (ck_conv3x3_direct_eligible(p, p->c, p->k)) {
        ck_scratch ws;
        st = ck_scratch_acquire(&ws, workspace, workspace_bytes, ck_conv3x3_direct_workspace(p, 0));
        if (st != CK_OK) return st;
        st = ck_conv3x3_direct(p, 0, x, w, bias, y, ws.base);
        ck_scratch_release(&ws);
        return st;
    }
    if (is_pointwise(p)) {
        st = ck_sgemm(CK_ROW_MAJOR, CK_NO_TRANS, CK_NO_TRANS, p->n * pix, p->k, p->c,
                      1.0f, x, p->c, w, p->k, 0.0f, y, p->k);
    } else {
        ck_scratch ws;
        st = ck_scratch_acquire(&ws, workspace, workspace_bytes, ck_conv2d_workspace_size(p, CK_CONV2D_FWD));
        if (st != CK_OK) return st;
        float *col = ws.base; /* (nb·P·Q, RSC) */
        int64_t nb = chunk_images(p, po, qo);
        for (int64_t n0 = 0; n0 < p->n && st == CK_OK; n0 += nb) {
            int64_t cnt = p->n - n0 < nb ? p->n - n0 : nb;
            col_job j = {p, &t->im2col, x + n0 * p->h * p->w * p->c, col, po, qo, po};
            ck_parallel_for(cnt * po, 1, im2col_rows, &j);
            st = ck_sgemm(CK_ROW_MAJOR, CK_NO_TRANS, CK_NO_TRANS, cnt * pix, p->k, rsc,
                          1.0f, col, rsc, w, p->k, 0.0f, y + n0 * pix * p->k, p->k);
        }
        ck_scratch_release(&ws);
    }
    if (st == CK_OK && bias) {
        bias_job bj = {&t->eltwise, bias, y, p->k};
        ck_parallel_for(p->n * pix, 64, bias_rows, &bj);
    }
    return st;
}

ck_status ck_conv2d_bwd_data(const ck_conv2d_params *p, const float *dy, const float *w,
                             float *dx, void *workspace, size_t workspace_bytes) {
    int64_t po, qo;
    ck_status st = check_common(p, &po, &qo);
    if (st != CK_OK) return st;
    if (p->n == 0) return CK_OK;
    if (!dy || !w || !dx) return CK_ERR_NULL_POINTER;
    const int64_t rsc = p->r * p->s * p->c, pix = po * qo;
    if (ck_conv3x3_winograd_selected(p, CK_CONV2D_BWD_DATA)) {
        ck_scratch ws;
        st = ck_scratch_acquire(&ws, workspace, workspace_bytes, ck_conv3x3_winograd_workspace(p, 1));
        if (st != CK_OK) return st;
        st = ck_conv3x3_winograd(p, 1, dy, w, NULL, 0, NULL, dx, ws.base);
        ck_scratch_release(&ws);
        return st;
    }
    if (ck_conv3x3_direct_eligible(p, p->k, p->c)) {
        ck_scratch ws;
        st = ck_scratch_acquire(&ws, workspace, workspace_bytes, ck_conv3x3_direct_workspace(p, 1));
        if (st != CK_OK) return st;
        st = ck_conv3x3_direct(p, 1, dy, w, NULL, dx, ws.base);
        ck_scratch_release(&ws);
        return st;
    }
    if (is_pointwise(p))
        return ck_sgemm(CK_ROW_MAJOR, CK_NO_TRANS, CK_TRANS, p->n * pix, p->c, p->k,
                        1.0f, dy, p->k, w, p->k, 0.0f, dx, p->c);
    const ck_kernel_table *t = ck_active_kernels();
    ck_scratch ws;
    st = ck_scratch_acquire(&ws, workspace, workspace_bytes, ck_conv2d_workspace_size(p, CK_CONV2D_BWD_DATA));
    if (st != CK_OK) return st;
    float *col = ws.base; /* (nb·P·Q, RSC) */
    int64_t nb = chunk_images(p, po, qo);
    for (int64_t n0 = 0; n0 < p->n && st == CK_OK; n0 += nb) {
        int64_t cnt = p->n - n0 < nb ? p->n - n0 : nb;
        st = ck_sgemm(CK_ROW_MAJOR, CK_NO_TRANS, CK_TRANS, cnt * pix, rsc, p->k,
                      1.0f, dy + n0 * pix * p->k, p->k, w, p->k, 0.0f, col, rsc);
        if (st != CK_OK) break;
        col_job j = {p, &t->im2col, col, dx + n0 * p->h * p->w * p->c, po, qo, p->h};
        ck_parallel_for(cnt * p->h, 1, col2im_rows, &j);
    }
    ck_scratch_release(&ws);
    return st;
}

ck_status ck_conv2d_bwd_weights(const ck_conv2d_params *p, const float *x, const float *dy,
                                float beta, float *dw, void *workspace, size_t workspace_bytes) {
    int64_t po, qo;
    ck_status st = check_common(p, &po, &qo);
    if (st != CK_OK) return st;
    if (!dw) return CK_ERR_NULL_POINTER;
    const int64_t rsc = p->r * p->s * p->c, pix = po * qo;
    if (p->n == 0) { /* empty sum: dw = beta·dw */
        for (int64_t i = 0; i < rsc * p->k; ++i) dw[i] = beta == 0.0f ? 0.0f : beta * dw[i];
        return CK_OK;
    }
    if (!x || !dy) return CK_ERR_NULL_POINTER;
    if (ck_conv3x3_winograd_selected(p, CK_CONV2D_BWD_WEIGHTS)) {
        ck_scratch ws;
        st = ck_scratch_acquire(&ws, workspace, workspace_bytes, ck_conv3x3_winograd_wgrad_workspace(p));
        if (st != CK_OK) return st;
        st = ck_conv3x3_winograd_wgrad(p, x, dy, beta, dw, ws.base);
        ck_scratch_release(&ws);
        return st;
    }
    if (ck_conv3x3_direct_bwd_weights_eligible(p)) {
        ck_scratch ws;
        st = ck_scratch_acquire(&ws, workspace, workspace_bytes, ck_conv3x3_direct_bwd_weights_workspace(p));
        if (st != CK_OK) return st;
        st = ck_conv3x3_direct_bwd_weights(p, x, dy, beta, dw, ws.base);
        ck_scratch_release(&ws);
        return st;
    }
    if (is_pointwise(p))
        return ck_sgemm(CK_ROW_MAJOR, CK_TRANS, CK_NO_TRANS, p->c, p->k, p->n * pix,
                        1.0f, x, p->c, dy, p->k, beta, dw, p->k);
    const ck_kernel_table *t = ck_active_kernels();
    ck_scratch ws;
    st = ck_scratch_acquire(&ws, workspace, workspace_bytes, ck_conv2d_workspace_size(p, CK_CONV2D_BWD_WEIGHTS));
    if (st != CK_OK) return st;
    float *col = ws.base; /* (nb·P·Q, RSC) */
    int64_t nb = chunk_images(p, po, qo);
    for (int64_t n0 = 0; n0 < p->n && st == CK_OK; n0 += nb) {
        int64_t cnt = p->n - n0 < nb ? p->n - n0 : nb;
        col_job j = {p, &t->im2col, x + n0 * p->h * p->w * p->c, col, po, qo, po};
        ck_parallel_for(cnt * po, 1, im2col_rows, &j);
        st = ck_sgemm(CK_ROW_MAJOR, CK_TRANS, CK_NO_TRANS, rsc, p->k, cnt * pix,
                      1.0f, col, rsc, dy + n0 * pix * p->k, p->k, n0 == 0 ? beta : 1.0f, dw, p->k);
    }
    ck_scratch_release(&ws);
    return st;
}

/* ---- work-split report: the split each pass's driver makes (see ck_work_split.h) ---- */

int ck_conv2d_work_split(const ck_conv2d_params *p, ck_conv2d_pass pass, int threads, double *work) {
    int64_t po, qo;
    for (int t = 0; t < threads; ++t) work[t] = 0;
    if (threads < 1 || ck_conv2d_output_size(p, &po, &qo) != CK_OK || p->n == 0) return 1;
    const int64_t rsc = p->r * p->s * p->c, pix = po * qo;
    if ((pass == CK_CONV2D_FWD && ck_conv3x3_direct_eligible(p, p->c, p->k)) ||
        (pass == CK_CONV2D_BWD_WEIGHTS && ck_conv3x3_direct_bwd_weights_eligible(p)) ||
        (pass == CK_CONV2D_BWD_DATA && ck_conv3x3_direct_eligible(p, p->k, p->c)))
        return ck_conv3x3_direct_work_split(p, pass == CK_CONV2D_FWD ? 0 : pass == CK_CONV2D_BWD_DATA ? 1 : 2, threads, work);
    /* im2col / 1x1: the GEMM of one chunk (im2col and col2im are loops over rows, not counted) */
    const int64_t rows = (is_pointwise(p) ? p->n : chunk_images(p, po, qo)) * pix;
    switch (pass) {
    case CK_CONV2D_FWD: return ck_gemm_work_split(rows, p->k, rsc, threads, work);
    case CK_CONV2D_BWD_DATA: return ck_gemm_work_split(rows, rsc, p->k, threads, work);
    default: return ck_gemm_work_split(rsc, p->k, rows, threads, work);
    }
}

/* ---- bias backward: column sums, threads over column blocks (deterministic) ---- */

typedef struct colsum_job {
    const ck_eltwise_kernels *kern;
    const float *dy;
    float *db;
    int64_t rows, k;
} colsum_job;

static void colsum_body(void *ctx, int tid, int nthreads) {
    const colsum_job *j = ctx;
    int64_t b, e;
    ck_split_range(j->k, 16, tid, nthreads, &b, &e);
    if (b >= e) return;
    /* rows are strided by k; sum this thread's columns block-row by block-row */
    for (int64_t r = 0; r < j->rows; ++r) j->kern->axpy(e - b, 1.0f, j->dy + r * j->k + b, j->db + b);
}

ck_status ck_conv2d_bias_bwd(int64_t rows, int64_t k, const float *dy, float beta, float *db) {
    if (rows < 0 || k < 0) return CK_ERR_BAD_DIMENSION;
    if (k == 0) return CK_OK;
    if (!db || (rows > 0 && !dy)) return CK_ERR_NULL_POINTER;
    for (int64_t i = 0; i < k; ++i) db[i] = beta == 0.0f ? 0.0f : beta * db[i];
    if (rows == 0) return CK_OK;
    const ck_kernel_table *t = ck_active_kernels();
    colsum_job j = {&t->eltwise, dy, db, rows, k};
    if (k >= 32) ck_parallel_run(0, colsum_body, &j);
    else t->eltwise.col_sum_acc(rows, k, dy, db);
    return CK_OK;
}

/* ---- weight layout conversion ---- */

ck_status ck_conv2d_weights_to_oihw(int64_t r, int64_t s, int64_t c, int64_t k,
                                    const float *src, float *dst) {
    if (r < 0 || s < 0 || c < 0 || k < 0) return CK_ERR_BAD_DIMENSION;
    if (r * s * c * k == 0) return CK_OK;
    if (!src || !dst) return CK_ERR_NULL_POINTER;
    for (int64_t ir = 0; ir < r; ++ir)
        for (int64_t is = 0; is < s; ++is)
            for (int64_t ic = 0; ic < c; ++ic)
                for (int64_t ik = 0; ik < k; ++ik)
                    dst[((ik * c + ic) * r + ir) * s + is] = src[((ir * s + is) * c + ic) * k + ik];
    return CK_OK;
}

ck_status ck_conv2d_weights_from_oihw(int64_t r, int64_t s, int64_t c, int64_t k,
                                      const float *src, float *dst) {
    if (r < 0 || s < 0 || c < 0 || k < 0) return CK_ERR_BAD_DIMENSION;
    if (r * s * c * k == 0) return CK_OK;
    if (!src || !dst) return CK_ERR_NULL_POINTER;
    for (int64_t ir = 0; ir < r; ++ir)
        for (int64_t is = 0; is < s; ++is)
            for (int64_t ic = 0; ic < c; ++ic)
                for (int64_t ik = 0; ik < k; ++ik)
                    dst[((ir * s + is) * c + ic) * k + ik] = src[((ik * c + ic) * r + ir) * s + is];
    return CK_OK;
}
