/*
 * ck_lifted.h — coordinate-descent inference of lifted networks (the paper "Contrastive Learning for Lifted Networks").
 *
 * A lifted MLP's units z_1 … z_L (z_0 = x fixed) minimise the convex energy
 *   E(z) = ½‖z_1 − W_0 x − b_0‖² + Σ_{k=1}^{L−1} (γᵏ/2)‖z_{k+1} − W_k z_k − b_k‖²,  z_k ∈ C_k,
 * kept as units z_k and residuals λ_k = z_k − (W_{k−1} z_{k−1} + b_{k−1}). One coordinate update of
 * hidden unit j of layer k (with w = row j of W_k, the unit's outgoing weights, and
 * a = z_kj − λ_kj its input from below) is the exact minimiser over that unit, projected:
 *   z_kj ← Π_{C_k}((a + γ·(w·λ_{k+1}) + γ‖w‖² z_kj) / (1 + γ‖w‖²)),
 * after which λ_kj and λ_{k+1} are updated by the change d: λ_kj += d, λ_{k+1} −= d·w.
 * (Dividing the energy by γ^{k−1} leaves the unit's minimiser unchanged, so one γ serves every layer.)
 * A free (unclamped) linear output layer is minimised at z_L = W_{L−1} z_{L−1} + b_{L−1}: its
 * update is z_L −= λ_L, λ_L = 0.
 *
 * A sweep visits the hidden layers bottom-up, units in order, then the free output (if any).
 * Examples are independent: they are split across threads, and each example's arithmetic is in a
 * fixed order, so results do not depend on the thread count. SIMD paths run several examples side
 * by side, one per vector lane (the dot products are then summed in another order than the scalar
 * path's: results agree with it to rounding, not bitwise).
 */
#ifndef CK_LIFTED_H
#define CK_LIFTED_H

#include "ck_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The convex set C_k a lifted unit lives in; its activation is the projection onto it. */
typedef enum ck_lifted_set {
    CK_LIFTED_LINEAR = 0,        /**< ℝ (identity activation) */
    CK_LIFTED_NONNEGATIVE = 1,   /**< ℝ≥0 (ReLU) */
    CK_LIFTED_UNIT_INTERVAL = 2  /**< [0, 1] (hard sigmoid) */
} ck_lifted_set;

/**
 * One non-input layer k of a lifted network, for a batch of B examples.
 * Row-major arrays: z and residual are (B, units), weights (units, units of layer k+1).
 */
typedef struct ck_lifted_layer {
    int64_t units;            /**< n_k */
    ck_lifted_set set;        /**< C_k (ignored for the output layer, which is linear) */
    const float *weights;     /**< W_k (n_k, n_{k+1}): row j holds unit j's outgoing weights; NULL for the output layer */
    const float *row_norms;   /**< (n_k): ‖row j of W_k‖²; NULL for the output layer */
    float *z;                 /**< (B, n_k): unit values, updated in place */
    float *residual;          /**< (B, n_k): λ_k, kept consistent with z, updated in place */
} ck_lifted_layer;

/**
 * `sweeps` coordinate-descent sweeps over `layer_count` layers (the last is the output layer),
 * starting from the z and residual given (which must be consistent: λ_k = z_k − W_{k−1}z_{k−1} − b_{k−1}).
 * With output_clamped != 0 the output layer is held fixed (the clamped energy Ê); otherwise it is
 * free. Errors: CK_ERR_BAD_DIMENSION (batch < 0, layer_count < 1, units < 1, sweeps < 0),
 * CK_ERR_BAD_ARGUMENT (γ not finite and > 0, a set outside the enum), CK_ERR_NULL_POINTER
 * (layers, or a z/residual/weights/row_norms that is needed, is NULL), CK_ERR_OUT_OF_MEMORY (the
 * small per-thread tile buffer could not be allocated; some examples may then be updated, others not).
 */
CK_API ck_status ck_lifted_coordinate_descent(int64_t batch, int64_t layer_count, const ck_lifted_layer *layers,
                                              int output_clamped, float gamma, int64_t sweeps);

#ifdef __cplusplus
}
#endif
#endif /* CK_LIFTED_H */
