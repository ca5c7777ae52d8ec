/*
 * ck_nudge.h — fused kernels of the inference-learning rules: Fenchel back-propagation
 * (Zach, "Bilevel Programs Meet Deep Learning"), DP and DP⊤ (Høier & Zach 2024), Bregman layers
 * (Frecon et al., "Bilevel Learning of Deep Representations").
 *
 * All element-wise kernels work on flat arrays of n floats (any activation layout: NHWC, (B,F)…),
 * are threaded for large n, take the activation as a ck_activation descriptor (ck_activation.h)
 * and propagate NaN (a NaN input element gives NaN in every output element computed from it).
 * ᾱ := 1 − α throughout. Outputs must not overlap inputs unless a comment says they may.
 *
 * Argument rounding, shared by every kernel so that identities hold bitwise: a shifted argument
 * a + c·v is computed as fl(a + fl(c·v)) (no fused multiply-add), so e.g. Fenchel BP with τ = β
 * and DP⊤ with α = 0 and v = fl(−β·g) produce identical f arguments.
 */
#ifndef CK_NUDGE_H
#define CK_NUDGE_H

#include "ck_activation.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Which dual-propagation variant a kernel implements. */
typedef enum ck_rule {
    CK_RULE_DPT = 0,  /**< DP⊤ (adjoint variant, Høier & Zach 2024 §5) */
    CK_RULE_DP = 1    /**< DP (original, Høier & Zach 2024 §3) */
} ck_rule;

/**
 * Hidden-unit nudge, one pass over n elements:
 *   DP⊤:  s⁺ = f(a + ᾱ·v),   s⁻ = f(a − α·v)
 *   DP :  s⁺ = f(a + α·v),   s⁻ = f(a − ᾱ·v)
 *   both: s̄ = α·s⁺ + ᾱ·s⁻
 * a (pre-activation) and v (feedback Wᵀδ) are read; s_plus, s_minus, s_bar are written (each n
 * floats, pairwise distinct, not overlapping a or v). s_bar may be NULL to skip it.
 * Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION (n < 0), CK_ERR_BAD_ARGUMENT (bad
 * descriptor, rule, or α not finite).
 */
CK_API ck_status ck_nudge(ck_activation act, ck_rule rule, float alpha,
                          const float *a, const float *v,
                          float *s_plus, float *s_minus, float *s_bar, int64_t n);

/**
 * ck_nudge that also writes δ = s⁺ − s⁻ in the same pass (what the weight gradient and the
 * feedback to the layer below use), saving a pass over three arrays. s_plus, s_minus and s_bar
 * may be NULL (not written: a single top-down sweep needs only s̄ and δ once a layer is nudged);
 * delta may not. Every written array is bitwise what ck_nudge writes, and
 * delta[i] = fl(s_plus[i] − s_minus[i]). Outputs pairwise distinct, not overlapping a or v.
 * Errors: as ck_nudge (CK_ERR_NULL_POINTER also for a NULL delta).
 */
CK_API ck_status ck_nudge_delta(ck_activation act, ck_rule rule, float alpha,
                                const float *a, const float *v,
                                float *s_plus, float *s_minus, float *s_bar, float *delta, int64_t n);

/**
 * ck_nudge_delta for a layer whose s̄ may come out unchanged (α ∈ {0, 1}: then s̄ is f(a ∓ 0·v),
 * the state the layer already holds). s̄ is compared bitwise with s_bar_old instead of being
 * stored: when every element is equal, s_bar is not written and *reused = true (one read of
 * s_bar_old in place of a write of s_bar and a comparison); otherwise s_bar is written in full
 * and *reused = false. s_plus, s_minus (both may be NULL) and delta are written either way, bitwise
 * as ck_nudge_delta writes them, and so is s_bar when written. s_bar_old may alias a, v or
 * s_bar; the outputs are pairwise distinct and overlap neither a, v nor s_bar_old.
 * Errors: as ck_nudge_delta; CK_ERR_NULL_POINTER also for NULL s_bar_old, s_bar or reused.
 */
CK_API ck_status ck_nudge_delta_reuse_mean(ck_activation act, ck_rule rule, float alpha,
                                           const float *a, const float *v, float *s_plus,
                                           float *s_minus, const float *s_bar_old, float *s_bar,
                                           float *delta, int64_t n, bool *reused);

/**
 * Damped (stabilised) nudge, Høier & Zach (2024) Eq. 50, with damping L ≥ 0:
 *   DP :  s⁺ ← f((a + α·v + L·s⁺_old)/(1 + L)),   s⁻ ← f((a − ᾱ·v + L·s⁻_old)/(1 + L))
 *   DP⊤:  s⁺ ← f((a + ᾱ·v + L·s⁺_old)/(1 + L)),   s⁻ ← f((a − α·v + L·s⁻_old)/(1 + L))
 *   s̄ = α·s⁺ + ᾱ·s⁻ (new states)
 * The argument is evaluated as fl(fl(fl(a + fl(c·v)) + fl(L·old)) · fl(1/(1+L))).
 * s_plus and s_minus hold the old states on entry and the new ones on return (updated in place);
 * s_bar may be NULL. With L = 0 this equals ck_nudge.
 * Errors: as ck_nudge, plus CK_ERR_BAD_ARGUMENT for L < 0 or not finite.
 */
CK_API ck_status ck_nudge_damped(ck_activation act, ck_rule rule, float alpha, float damping,
                                 const float *a, const float *v,
                                 float *s_plus, float *s_minus, float *s_bar, int64_t n);

/**
 * Fenchel back-propagation error, per element:
 *   e = (f(a) − f(a − τ·g)) / τ        (a − τg evaluated as fl(a − fl(τ·g)), then a true division)
 * Per-example values: no batch mean is taken here. With τ = β this equals (s⁻ − s⁺)/β of
 * ck_nudge(DP⊤, α = 0) with v = fl(−β·g), bitwise. e may alias a or g exactly.
 * Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION, CK_ERR_BAD_ARGUMENT (bad descriptor, or
 * τ not finite and > 0).
 */
CK_API ck_status ck_fenchel_error(ck_activation act, float tau, const float *a, const float *g,
                                  float *e, int64_t n);

/**
 * Output nudge for softmax cross-entropy, per row r of a (rows, classes) row-major batch:
 *   g   = β·(softmax(p[r,:]) − onehot(labels[r]))
 *   DP⊤:  s⁺ = a − ᾱ·g,   s⁻ = a + α·g          (so α s⁺ + ᾱ s⁻ = a, δ = s⁺ − s⁻ = −g)
 *   DP :  s⁺ = a − α·g,   s⁻ = a + ᾱ·g
 * p are the logits the loss gradient is taken at: for DP⊤ the FROZEN logits of the initial
 * forward pass, for DP the CURRENT a (pass p = a, or p = NULL which means p = a).
 * labels holds rows class indices in [0, classes). g_out (optional, may be NULL) receives g.
 * Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION (rows < 0, classes < 1),
 * CK_ERR_BAD_ARGUMENT (rule, α or β not finite, a label out of range; nothing is written then).
 */
CK_API ck_status ck_output_nudge_ce(ck_rule rule, float alpha, float beta,
                                    const float *p, const float *a, const int32_t *labels,
                                    float *s_plus, float *s_minus, float *g_out,
                                    int64_t rows, int64_t classes);

/**
 * Output nudge for the least-squares loss ℓ = (β/2)‖s − y‖², element-wise over n = rows·classes
 * (a and y same layout):
 *   DP⊤ (linearised): g = β(a − y),  s⁺ = a − ᾱ·g,  s⁻ = a + α·g
 *   DP  (exact prox): s⁺ = (a + αβ·y)/(1 + αβ),  s⁻ = (a − ᾱβ·y)/(1 − ᾱβ)
 * Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION, CK_ERR_BAD_ARGUMENT (rule, α or β not
 * finite, or DP with ᾱβ ≥ 1 where the prox does not exist).
 */
CK_API ck_status ck_output_nudge_lsq(ck_rule rule, float alpha, float beta,
                                     const float *a, const float *y,
                                     float *s_plus, float *s_minus, int64_t n);

/**
 * Bregman layer activation (Frecon et al.), forward:  out = f(f⁻¹(z) + u)
 * where z is the layer input (mapped into f's domain by the caller; f⁻¹ clamps it as documented
 * in ck_activation.h) and u = W z + b. out may alias z or u exactly. With u = 0 it returns z
 * (up to the rounding of f∘f⁻¹) for z inside the clamped domain.
 * Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION, CK_ERR_BAD_ARGUMENT.
 */
CK_API ck_status ck_bregman_fwd(ck_activation act, const float *z, const float *u, float *out, int64_t n);

/**
 * Bregman layer backward. With w = f⁻¹(z) + u and the upstream gradient dout = ∂ℓ/∂out:
 *   du = f'(w) · dout                         (gradient w.r.t. u = W z + b)
 *   dz = du · (f⁻¹)'(z)                       (the path through f⁻¹; the caller adds Wᵀ du)
 * (f⁻¹)'(z) = 1/f'(f⁻¹(z)) evaluated at the clamped z (see CK_ACT_FN_DINV).
 * du, dz are written (distinct, not overlapping the inputs); dz may be NULL to skip it.
 */
CK_API ck_status ck_bregman_bwd(ck_activation act, const float *z, const float *u, const float *dout,
                                float *dz, float *du, int64_t n);

/**
 * Energy difference for monitoring (the energy difference ΔE), summed over n elements in double:
 *   *out = Σ_i [ D_G(s⁺_i‖s̄_i) − D_G(s⁻_i‖s̄_i) ] = Σ_i [ G(s⁺_i) − G(s⁻_i) − ∇G(s̄_i)·(s⁺_i − s⁻_i) ]
 * with ∇G = f⁻¹ (clamped as documented) and per-element terms evaluated in float.
 * The sum's order depends on the thread count (it is not bitwise reproducible across counts).
 */
CK_API ck_status ck_energy_delta(ck_activation act, const float *s_plus, const float *s_minus,
                                 const float *s_bar, int64_t n, double *out);

#ifdef __cplusplus
}
#endif
#endif /* CK_NUDGE_H */
