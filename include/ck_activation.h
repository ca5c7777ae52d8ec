/*
 * ck_activation.h — the activation families as convex-duality pairs.
 *
 * Every element-wise activation f used here is the gradient of a convex conjugate:
 *   f = ∇G*,   f⁻¹ = ∇G   (where it exists),   D_G(u‖v) = G(u) − G(v) − ∇G(v)·(u − v).
 * One descriptor (kind + parameter) names a family; every kernel takes the descriptor, so there
 * is one public entry point per kernel kind, not one per (kernel, activation) pair.
 *
 * | kind          | f(t)                       | f⁻¹(s) = ∇G(s)            | G(s)                                   | G*(t)                               |
 * |---------------|----------------------------|---------------------------|----------------------------------------|-------------------------------------|
 * | identity      | t                          | s                         | ½s²                                    | ½t²                                 |
 * | relu          | max(0,t)                   | max(0,s)      (*)         | ½s² on s ≥ 0, +∞ else                  | ½max(0,t)²                          |
 * | hard-sigmoid  | clamp(t,0,1)               | clamp(s,0,1)  (*)         | ½s² on [0,1], +∞ else                  | 0 (t<0), ½t² (0≤t≤1), t−½ (t>1)     |
 * | leaky-relu(c) | t (t≥0), c·t (t<0)         | s (s≥0), s/c (s<0)        | ½s² (s≥0), s²/(2c) (s<0)               | ½t² (t≥0), ½ct² (t<0)               |
 * | sigmoid       | 1/(1+e^{−t})               | log(s/(1−s))              | s log s + (1−s) log(1−s) on [0,1]      | log(1+eᵗ)                           |
 * | tanh          | tanh t                     | artanh s                  | ½[(1+s)log(1+s) + (1−s)log(1−s)] on [−1,1] | log cosh t                      |
 * | isru          | t/√(1+t²)                  | s/√(1−s²)                 | −√(1−s²) on [−1,1]                     | √(1+t²)                             |
 * | softplus      | log(1+eᵗ)                  | log(eˢ−1)                 | ½s² + Li₂(e^{−s}) − π²/6 on s ≥ 0      | −Li₂(−eᵗ)                           |
 * | arctan        | arctan t                   | tan s                     | −log cos s on (−π/2, π/2)              | t·arctan t − ½log(1+t²)             |
 * | sin           | sin(clamp(t,−π/2,π/2))     | arcsin s                  | √(1−s²) + s·arcsin s on [−1,1]         | −cos t (|t|≤π/2), |t|−π/2 (else)    |
 * | arcsinh       | arcsinh t                  | sinh s                    | cosh s                                 | t·arcsinh t − √(1+t²)               |
 *
 * (*) relu and hard-sigmoid have a set-valued f⁻¹ on the boundary of their domain; the kernels
 * return the element of least magnitude (0 at s = 0, 1 at s = 1 for hard-sigmoid), i.e. the
 * projection onto the domain. As ∇G in a Bregman divergence they use ∇G(s) = s on the domain.
 * Seed 004 Table 1 writes the softplus potential as t·log((eᵗ−1)/(1−e^{−t})) − Li₂(eᵗ), which is
 * complex-valued for t > 0; the real form above is its antiderivative of log(eˢ−1) with the
 * constant fixed by the Fenchel–Young equality G(f(t)) + G*(t) = t·f(t) (checked by the tests).
 * "sin" is the principal branch: f is sin on [−π/2, π/2] and constant ±1 outside, which is the
 * gradient of the G* above and keeps f monotone.
 *
 * Derivative convention: f'(t) is the LEFT derivative lim_{h→0⁺} (f(t) − f(t−h))/h, the limit of
 * the Fenchel-BP difference quotient (f(a) − f(a − τg))/τ for g > 0. So relu'(0) = 0,
 * hard-sigmoid'(0) = 0, hard-sigmoid'(1) = 1, leaky'(0) = c, sin'(±π/2) = 0.
 *
 * Domain clamp of f⁻¹ (part of the contract): for an OPEN domain the argument is first clamped
 * to lie CK_ACTIVATION_DOMAIN_MARGIN inside it — sigmoid [ε, 1−ε], tanh and isru [−1+ε, 1−ε],
 * softplus [ε, ∞), arctan [−π/2+ε, π/2−ε] with ε = 1e-6 — so f⁻¹ is finite everywhere; closed
 * domains are clamped to the domain itself (sin [−1,1], relu [0,∞), hard-sigmoid [0,1]).
 * G is +∞ outside its (closed) domain and takes its limit value on the boundary.
 *
 * NaN in → NaN out for every function and kernel. Accuracy of the SIMD paths (measured against
 * a float64 oracle, reported by `ck-bench nudge`): identity, relu, hard-sigmoid, leaky-relu
 * exact (correctly rounded); the transcendental families within a few ULP of the correctly
 * rounded value plus the error inherited from rounding the argument (see the tests' table).
 */
#ifndef CK_ACTIVATION_H
#define CK_ACTIVATION_H

#include "ck_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Activation families. */
typedef enum ck_activation_kind {
    CK_ACT_IDENTITY = 0,
    CK_ACT_RELU = 1,
    CK_ACT_HARD_SIGMOID = 2,
    CK_ACT_LEAKY_RELU = 3,   /**< parameter: the negative slope c > 0 */
    CK_ACT_SIGMOID = 4,
    CK_ACT_TANH = 5,
    CK_ACT_ISRU = 6,         /**< inverse square-root unit with λ = 1 */
    CK_ACT_SOFTPLUS = 7,
    CK_ACT_ARCTAN = 8,
    CK_ACT_SIN = 9,          /**< principal branch, see the header comment */
    CK_ACT_ARCSINH = 10,
    CK_ACT_KIND_COUNT = 11
} ck_activation_kind;

/** An activation: its family and the family's scalar parameter (leaky-relu slope c; ignored
 *  by the other families). Passed by value. */
typedef struct ck_activation {
    ck_activation_kind kind;
    float param;
} ck_activation;

/** Which function of the family an element-wise call evaluates. */
typedef enum ck_activation_fn {
    CK_ACT_FN_F = 0,        /**< y = f(x) */
    CK_ACT_FN_DF = 1,       /**< y = f'(x), the left derivative */
    CK_ACT_FN_INV = 2,      /**< y = f⁻¹(x) = ∇G(x), argument clamped into the domain */
    CK_ACT_FN_G = 3,        /**< y = G(x) (+∞ outside the domain) */
    CK_ACT_FN_GSTAR = 4,    /**< y = G*(x) */
    CK_ACT_FN_DINV = 5,     /**< y = (f⁻¹)'(x) = 1/f'(f⁻¹(x)), argument clamped as for CK_ACT_FN_INV */
    CK_ACT_FN_COUNT = 6
} ck_activation_fn;

/** Margin by which f⁻¹ clamps its argument inside an open domain. */
#define CK_ACTIVATION_DOMAIN_MARGIN 1e-6f

/** Validate a descriptor: CK_OK, or CK_ERR_BAD_ARGUMENT for an unknown kind or a leaky-relu
 *  slope that is not finite and > 0. */
CK_API ck_status ck_activation_check(ck_activation act);

/** Lower-case name of a family ("relu", "leaky-relu", ...); "unknown" for a bad kind. */
CK_API const char *ck_activation_name(ck_activation_kind kind);

/**
 * Element-wise y[i] = fn(x[i]) for i < n (fn from ck_activation_fn, formulas in the table above).
 * x and y are flat arrays of n floats (any layout); y may alias x exactly. Threaded for large n.
 * Errors: CK_ERR_NULL_POINTER (x or y NULL with n > 0), CK_ERR_BAD_DIMENSION (n < 0),
 * CK_ERR_BAD_ARGUMENT (bad descriptor or fn).
 */
CK_API ck_status ck_activation_apply(ck_activation act, ck_activation_fn fn, const float *x, float *y, int64_t n);

/**
 * Softmax of each row, the vector member of the family (f = ∇G* with G*(t) = log Σ_j e^{t_j},
 * G(s) = Σ_j s_j log s_j on the simplex): y[r,:] = exp(x[r,:] − max) / Σ exp(x[r,:] − max).
 * x, y are (rows, cols) row-major; y may alias x. A row holding a NaN becomes all NaN.
 * Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION (rows < 0, cols < 1 with rows > 0).
 */
CK_API ck_status ck_softmax_rows(const float *x, float *y, int64_t rows, int64_t cols);

/**
 * Per-row potentials of the softmax family: g[r] = G(s[r,:]) = Σ_j s_j log s_j (0·log 0 = 0;
 * +∞ if an entry is negative; the simplex constraint itself is not checked) and
 * gstar[r] = G*(t[r,:]) = log Σ_j e^{t_j} (stable). Either of s/g or t/gstar may be NULL to skip
 * it. Inverse of softmax: f⁻¹(s) = log(max(s, FLT_MIN)) + const (const = 0 here), per entry.
 * s, t are (rows, cols) row-major; g, gstar have rows entries.
 */
CK_API ck_status ck_softmax_potentials(const float *s, float *g, const float *t, float *gstar,
                                       int64_t rows, int64_t cols);

#ifdef __cplusplus
}
#endif
#endif /* CK_ACTIVATION_H */
