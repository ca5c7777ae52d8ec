/*
 * activation_ref_math.h — scalar reference of every activation function (internal).
 *
 * Float in, float out, evaluated in double with libm so that each result is the correctly
 * rounded value in almost every case: this is the in-library oracle and the REF ISA path.
 * Formulas and the domain clamp are documented in include/ck_activation.h.
 */
#ifndef CK_ACTIVATION_REF_MATH_H
#define CK_ACTIVATION_REF_MATH_H

#include <math.h>
#include <float.h>
#include "ck_activation.h"
#include "../ops/activation_clamp.h"

#define CK_PI_2 1.57079632679489661923
#define CK_PI2_6 1.64493406684822643647  /* π²/6 = Li₂(1) */
#define CK_LN2 0.69314718055994530942

/* Li₂(x) for x in [−1, ½] through u = −log(1−x) ∈ [−ln 2, ln 2]: Σ B_n u^{n+1}/(n+1)!. */
static inline double ck_ref_li2_small(double x) {
    double u = -log1p(-x), u2 = u * u;
    /* Bernoulli terms n = 0, 1, 2, 4, ..., 14 */
    double odd = 1.0 / 36 + u2 * (-1.0 / 3600 + u2 * (1.0 / 211680 + u2 * (-1.0 / 10886400 +
                 u2 * (1.0 / 526901760 + u2 * (-4.064761645144226e-11 + u2 * 8.921691020456452e-13)))));
    return u - 0.25 * u2 + u2 * u * odd;
}

static inline double ck_ref_clamp(double x, double lo, double hi) {
    return x < lo ? lo : (x > hi ? hi : x); /* NaN passes through */
}

static inline float ck_ref_f(ck_activation act, float xf) {
    double x = xf, c = act.param;
    switch (act.kind) {
    case CK_ACT_IDENTITY: return xf;
    case CK_ACT_RELU: return isnan(xf) ? xf : (xf > 0 ? xf : 0.0f);
    case CK_ACT_HARD_SIGMOID: return (float)ck_ref_clamp(x, 0, 1);
    case CK_ACT_LEAKY_RELU: return (float)(x >= 0 ? x : c * x);
    case CK_ACT_SIGMOID: return (float)(1.0 / (1.0 + exp(-x)));
    case CK_ACT_TANH: return (float)tanh(x);
    case CK_ACT_ISRU: return (float)(fabs(x) > 1 ? copysign(1.0 / sqrt(1.0 + 1.0 / (x * x)), x) : x / sqrt(1.0 + x * x));
    case CK_ACT_SOFTPLUS: return (float)(fmax(x, 0) + log1p(exp(-fabs(x))) + (isnan(x) ? x : 0));
    case CK_ACT_ARCTAN: return (float)atan(x);
    case CK_ACT_SIN: return (float)sin(ck_ref_clamp(x, -CK_PI_2, CK_PI_2));
    case CK_ACT_ARCSINH: return (float)asinh(x);
    default: return NAN;
    }
}

/* Left derivative. */
static inline float ck_ref_df(ck_activation act, float xf) {
    double x = xf, c = act.param, e;
    if (isnan(xf)) return xf;
    switch (act.kind) {
    case CK_ACT_IDENTITY: return 1.0f;
    case CK_ACT_RELU: return x > 0 ? 1.0f : 0.0f;
    case CK_ACT_HARD_SIGMOID: return (x > 0 && x <= 1) ? 1.0f : 0.0f;
    case CK_ACT_LEAKY_RELU: return x > 0 ? 1.0f : (float)c;
    case CK_ACT_SIGMOID: e = exp(-fabs(x)); return (float)(e / ((1 + e) * (1 + e)));
    case CK_ACT_TANH: e = exp(-2 * fabs(x)); return (float)(4 * e / ((1 + e) * (1 + e)));
    case CK_ACT_ISRU: e = 1.0 / sqrt(1.0 + x * x); return (float)(e * e * e);
    case CK_ACT_SOFTPLUS: return (float)(1.0 / (1.0 + exp(-x)));
    case CK_ACT_ARCTAN: return (float)(1.0 / (1.0 + x * x));
    case CK_ACT_SIN: return fabs(x) < CK_PI_2 ? (float)cos(x) : 0.0f;
    case CK_ACT_ARCSINH: return (float)(1.0 / hypot(1.0, x));
    default: return NAN;
    }
}

/* The argument of f⁻¹ clamped into the domain, with the same float bounds as the SIMD paths. */
static inline float ck_ref_clampf(float x, float lo, float hi) {
    return x < lo ? lo : (x > hi ? hi : x); /* NaN passes through */
}

static inline float ck_ref_inv_clamp_f(ck_activation act, float s) {
    switch (act.kind) {
    case CK_ACT_RELU: return ck_ref_clampf(s, 0.0f, INFINITY);
    case CK_ACT_HARD_SIGMOID: return ck_ref_clampf(s, 0.0f, 1.0f);
    case CK_ACT_SIGMOID: return ck_ref_clampf(s, CK_ACT_CLAMP_SIGMOID_LO, CK_ACT_CLAMP_SIGMOID_HI);
    case CK_ACT_TANH: case CK_ACT_ISRU: return ck_ref_clampf(s, CK_ACT_CLAMP_PM1_LO, CK_ACT_CLAMP_PM1_HI);
    case CK_ACT_SOFTPLUS: return ck_ref_clampf(s, CK_ACT_CLAMP_SOFTPLUS_LO, INFINITY);
    case CK_ACT_ARCTAN: return ck_ref_clampf(s, CK_ACT_CLAMP_ARCTAN_LO, CK_ACT_CLAMP_ARCTAN_HI);
    case CK_ACT_SIN: return ck_ref_clampf(s, -1.0f, 1.0f);
    default: return s;
    }
}

static inline float ck_ref_inv(ck_activation act, float sf) {
    double s = ck_ref_inv_clamp_f(act, sf), c = act.param;
    switch (act.kind) {
    case CK_ACT_IDENTITY: case CK_ACT_RELU: case CK_ACT_HARD_SIGMOID: return (float)s;
    case CK_ACT_LEAKY_RELU: return (float)(s >= 0 ? s : s / c);
    case CK_ACT_SIGMOID: return (float)(log(s) - log1p(-s));
    case CK_ACT_TANH: return (float)atanh(s);
    case CK_ACT_ISRU: return (float)(s / sqrt((1 - s) * (1 + s)));
    case CK_ACT_SOFTPLUS: return (float)(s > 20 ? s + log1p(-exp(-s)) : log(expm1(s)));
    case CK_ACT_ARCTAN: return (float)tan(s);
    case CK_ACT_SIN: return (float)asin(s);
    case CK_ACT_ARCSINH: return (float)sinh(s);
    default: return NAN;
    }
}

/* (f⁻¹)'(s) = 1/f'(f⁻¹(s)) at the clamped s. */
static inline float ck_ref_dinv(ck_activation act, float sf) {
    double s = ck_ref_inv_clamp_f(act, sf), c = act.param;
    if (isnan(sf)) return sf;
    switch (act.kind) {
    case CK_ACT_IDENTITY: case CK_ACT_RELU: case CK_ACT_HARD_SIGMOID: return 1.0f;
    case CK_ACT_LEAKY_RELU: return (float)(s >= 0 ? 1.0 : 1.0 / c);
    case CK_ACT_SIGMOID: return (float)(1.0 / (s * (1 - s)));
    case CK_ACT_TANH: return (float)(1.0 / ((1 - s) * (1 + s)));
    case CK_ACT_ISRU: { double q = (1 - s) * (1 + s); return (float)(1.0 / (q * sqrt(q))); }
    case CK_ACT_SOFTPLUS: return (float)(-1.0 / expm1(-s));
    case CK_ACT_ARCTAN: { double t = tan(s); return (float)(1 + t * t); }
    case CK_ACT_SIN: return (float)(1.0 / sqrt((1 - s) * (1 + s)));
    case CK_ACT_ARCSINH: return (float)cosh(s);
    default: return NAN;
    }
}

static inline double ck_ref_xlogx(double x) { return x == 0 ? 0.0 : x * log(x); }

static inline double ck_ref_G_d(ck_activation act, double s) {
    double c = act.param;
    if (isnan(s)) return s;
    switch (act.kind) {
    case CK_ACT_IDENTITY: return 0.5 * s * s;
    case CK_ACT_RELU: return s >= 0 ? 0.5 * s * s : INFINITY;
    case CK_ACT_HARD_SIGMOID: return (s >= 0 && s <= 1) ? 0.5 * s * s : INFINITY;
    case CK_ACT_LEAKY_RELU: return s >= 0 ? 0.5 * s * s : 0.5 * s * s / c;
    case CK_ACT_SIGMOID:
        if (!(s >= 0 && s <= 1)) return INFINITY;
        return ck_ref_xlogx(s) + (s == 1 ? 0.0 : (1 - s) * log1p(-s));
    case CK_ACT_TANH:
        if (fabs(s) > 1) return INFINITY;
        if (fabs(s) <= 0.5) return s * atanh(s) + 0.5 * log1p(-s * s);  /* no cancellation near 0 */
        return 0.5 * (ck_ref_xlogx(1 + s) + ck_ref_xlogx(1 - s));
    case CK_ACT_ISRU: return fabs(s) <= 1 ? -sqrt((1 - s) * (1 + s)) : INFINITY;
    case CK_ACT_SOFTPLUS:
        if (s < 0) return INFINITY;
        if (s < CK_LN2) /* Li₂(e^{-s}) by reflection: π²/6 + s·log(1−e^{-s}) − Li₂(1−e^{-s}) */
            return 0.5 * s * s + (s == 0 ? 0 : s * log(-expm1(-s))) - ck_ref_li2_small(-expm1(-s));
        return 0.5 * s * s + ck_ref_li2_small(exp(-s)) - CK_PI2_6;
    case CK_ACT_ARCTAN: { /* −log cos s = −log1p(−2 sin²(s/2)), exact near 0 */
        if (!(fabs(s) < CK_PI_2)) return INFINITY;
        double h = sin(0.5 * s);
        return -log1p(-2 * h * h);
    }
    case CK_ACT_SIN: return fabs(s) <= 1 ? sqrt((1 - s) * (1 + s)) + s * asin(s) : INFINITY;
    case CK_ACT_ARCSINH: return cosh(s);
    default: return NAN;
    }
}

static inline double ck_ref_Gstar_d(ck_activation act, double t) {
    double c = act.param, a = fabs(t);
    if (isnan(t)) return t;
    if (isinf(t) && (act.kind == CK_ACT_ARCTAN || act.kind == CK_ACT_ARCSINH)) return INFINITY;
    switch (act.kind) {
    case CK_ACT_IDENTITY: return 0.5 * t * t;
    case CK_ACT_RELU: return t > 0 ? 0.5 * t * t : 0.0;
    case CK_ACT_HARD_SIGMOID: return t < 0 ? 0.0 : (t <= 1 ? 0.5 * t * t : t - 0.5);
    case CK_ACT_LEAKY_RELU: return t >= 0 ? 0.5 * t * t : 0.5 * c * t * t;
    case CK_ACT_SIGMOID: return fmax(t, 0) + log1p(exp(-a));
    case CK_ACT_TANH: return a + log1p(exp(-2 * a)) - CK_LN2; /* log cosh */
    case CK_ACT_ISRU: return hypot(1.0, t);
    case CK_ACT_SOFTPLUS:
        if (t <= 0) return -ck_ref_li2_small(-exp(t));
        return CK_PI2_6 + 0.5 * t * t + ck_ref_li2_small(-exp(-t));
    case CK_ACT_ARCTAN: return t * atan(t) - (a > 1e150 ? log(a) : 0.5 * log1p(t * t));
    case CK_ACT_SIN: return a <= CK_PI_2 ? -cos(t) : a - CK_PI_2;
    case CK_ACT_ARCSINH: return t * asinh(t) - hypot(1.0, t);
    default: return NAN;
    }
}

static inline float ck_ref_G(ck_activation act, float s) { return (float)ck_ref_G_d(act, s); }
static inline float ck_ref_Gstar(ck_activation act, float t) {
    if (act.kind == CK_ACT_TANH && fabsf(t) < 0.5f) { /* log cosh t = log1p(cosh t − 1) without cancellation */
        double x = t, e = expm1(fabs(x));
        return (float)log1p(e * e / (2 * (1 + e)));
    }
    return (float)ck_ref_Gstar_d(act, t);
}

static inline float ck_ref_apply(ck_activation act, ck_activation_fn fn, float x) {
    switch (fn) {
    case CK_ACT_FN_F: return ck_ref_f(act, x);
    case CK_ACT_FN_DF: return ck_ref_df(act, x);
    case CK_ACT_FN_INV: return ck_ref_inv(act, x);
    case CK_ACT_FN_G: return ck_ref_G(act, x);
    case CK_ACT_FN_GSTAR: return ck_ref_Gstar(act, x);
    case CK_ACT_FN_DINV: return ck_ref_dinv(act, x);
    default: return NAN;
    }
}

#endif
