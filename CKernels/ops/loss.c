/*
 * loss.c — softmax cross-entropy and top-k counts: validation, per-row leaves. Rows are
 * independent; the batch is small (≤ a few hundred rows), so this runs on the caller's thread.
 */
#include "ck_loss.h"
#include "../runtime/kernel_table.h"

static ck_status check(int64_t batch, int64_t classes, const float *logits, const int32_t *labels) {
    if (batch < 0 || classes < 1) return CK_ERR_BAD_DIMENSION;
    if (batch > 0 && (!logits || !labels)) return CK_ERR_NULL_POINTER;
    for (int64_t i = 0; i < batch; ++i)
        if (labels[i] < 0 || labels[i] >= classes) return CK_ERR_BAD_ARGUMENT;
    return CK_OK;
}

ck_status ck_softmax_xent_fwd(int64_t batch, int64_t classes, const float *logits,
                              const int32_t *labels, float grad_scale,
                              double *loss_sum, double *loss_mean, float *grad) {
    ck_status st = check(batch, classes, logits, labels);
    if (st != CK_OK) return st;
    const ck_loss_kernels *k = &ck_active_kernels()->loss;
    double sum = 0.0;
    for (int64_t i = 0; i < batch; ++i)
        sum += k->xent_row(classes, logits + i * classes, labels[i], grad_scale, grad ? grad + i * classes : NULL);
    if (loss_sum) *loss_sum = sum;
    if (loss_mean) *loss_mean = batch > 0 ? sum / (double)batch : 0.0;
    return CK_OK;
}

ck_status ck_topk_correct(int64_t batch, int64_t classes, const float *logits,
                          const int32_t *labels, int64_t k, int64_t *correct) {
    ck_status st = check(batch, classes, logits, labels);
    if (st != CK_OK) return st;
    if (k < 1) return CK_ERR_BAD_ARGUMENT;
    if (!correct) return CK_ERR_NULL_POINTER;
    int64_t count = 0;
    for (int64_t i = 0; i < batch; ++i) {
        const float *z = logits + i * classes;
        float target = z[labels[i]];
        int64_t greater = 0;
        for (int64_t j = 0; j < classes; ++j) greater += z[j] > target;
        count += greater < k;
    }
    *correct = count;
    return CK_OK;
}
