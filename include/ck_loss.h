/*
 * ck_loss.h — softmax cross-entropy and top-k correctness counts.
 *
 * logits are (B, C) row-major, labels are (B) int32 in [0, C).
 *   ℓ_i = logsumexp(z_i) − z_i[label_i],  logsumexp(z) = m + log Σ_j exp(z_j − m), m = max_j z_j
 * (max-subtraction: no overflow for any finite logits; accumulated in double).
 *   gradient  g_i = scale · (softmax(z_i) − onehot(label_i))
 */
#ifndef CK_LOSS_H
#define CK_LOSS_H

#include "ck_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Loss and (optionally) its gradient. loss_sum gets Σ_i ℓ_i, loss_mean gets Σ_i ℓ_i / B (0 when
 * B = 0); either may be NULL. grad (B,C) may be NULL; otherwise grad = grad_scale·(softmax − onehot)
 * — grad_scale = 1 for the gradient of the sum, 1/B for the mean. grad may alias logits.
 * Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION, CK_ERR_BAD_ARGUMENT (a label outside [0,C)).
 */
CK_API ck_status ck_softmax_xent_fwd(int64_t batch, int64_t classes, const float *logits,
                                     const int32_t *labels, float grad_scale,
                                     double *loss_sum, double *loss_mean, float *grad);

/**
 * Number of rows whose label is among the k largest logits: row i counts when fewer than k
 * logits are strictly greater than z_i[label_i] (a tie with the label counts in its favour;
 * NaN logits never count as greater). Errors: as ck_softmax_xent_fwd, and k < 1.
 */
CK_API ck_status ck_topk_correct(int64_t batch, int64_t classes, const float *logits,
                                 const int32_t *labels, int64_t k, int64_t *correct);

#ifdef __cplusplus
}
#endif
#endif /* CK_LOSS_H */
