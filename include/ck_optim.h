/*
 * ck_optim.h — fused optimizer updates (one pass over parameters, gradient and state).
 * Same formulas as PyTorch's torch.optim.SGD / torch.optim.Adam (L2 weight decay added to
 * the gradient). All arrays have n elements, contiguous.
 */
#ifndef CK_OPTIM_H
#define CK_OPTIM_H

#include "ck_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * SGD with momentum and weight decay:
 *   g' = g + weight_decay·w;  v = momentum·v + g';  w = w − lr·v.
 * (momentum = 0 gives plain SGD; v is still written.) v must start at 0.
 * Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION.
 */
CK_API ck_status ck_sgd_momentum_step(int64_t n, float lr, float momentum, float weight_decay,
                                      float *w, const float *g, float *v);

/**
 * SGD with momentum and weight decay (the formula of ck_sgd_momentum_step) over a packed
 * parameter store, in one threaded pass: tensor i has counts[i] elements at offsets[i] of w
 * (the parameters) and v (the momentum), and its gradient at g[i] (anywhere; g[i] may be NULL
 * when counts[i] is 0). Offsets are multiples of 64 elements and increasing, tensors do not
 * overlap; the elements between tensors are not read or written. Each element's result is
 * bitwise the one ck_sgd_momentum_step gives when called on its tensor alone, at any thread
 * count. Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION (negative count, an offset not a
 * multiple of 64, overlapping or decreasing offsets).
 */
CK_API ck_status ck_sgd_momentum_step_packed(int64_t tensors, const int64_t *offsets, const int64_t *counts,
                                             float lr, float momentum, float weight_decay,
                                             float *w, const float *const *g, float *v);

/**
 * Adam, step t >= 1 (bias corrections use t):
 *   g' = g + weight_decay·w;  m = β1·m + (1−β1)·g';  v = β2·v + (1−β2)·g'²;
 *   w = w − lr · (m / (1−β1ᵗ)) / (sqrt(v / (1−β2ᵗ)) + eps).
 * m and v must start at 0. Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION,
 * CK_ERR_BAD_ARGUMENT (t < 1).
 */
CK_API ck_status ck_adam_step(int64_t n, float lr, float beta1, float beta2, float eps,
                              float weight_decay, int64_t t, float *w, const float *g, float *m, float *v);

/**
 * Adam (the formula of ck_adam_step, step t >= 1) over a packed parameter store in one threaded
 * pass, with the layout rules of ck_sgd_momentum_step_packed: tensor i has counts[i] elements at
 * offsets[i] of w, m and v, its gradient at g[i]. Each element's result is bitwise the one
 * ck_adam_step gives when called on its tensor alone, at any thread count. Errors:
 * CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION (as ck_sgd_momentum_step_packed), CK_ERR_BAD_ARGUMENT
 * (t < 1).
 */
CK_API ck_status ck_adam_step_packed(int64_t tensors, const int64_t *offsets, const int64_t *counts, float lr,
                                     float beta1, float beta2, float eps, float weight_decay, int64_t t,
                                     float *w, const float *const *g, float *m, float *v);

#ifdef __cplusplus
}
#endif
#endif /* CK_OPTIM_H */
