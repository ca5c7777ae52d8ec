/*
 * act_vfamily.h — every activation family as vector functions of the SIMD vocabulary, written
 * once for all ISAs: vf_<kind> (f), vdf_ (left derivative f'), vinv_ (f⁻¹ = ∇G with the domain
 * clamp of ck_activation.h), vdinv_ ((f⁻¹)'), vG_ (G), vGs_ (G*). Formulas: ck_activation.h.
 * NaN inputs are not handled here: the leaves replace the result by the NaN argument.
 */
#ifndef CK_ACT_VFAMILY_H
#define CK_ACT_VFAMILY_H

#include "act_vmath.h"
#include "../ops/activation_clamp.h"

typedef struct vact {
    V c;  /* leaky-relu slope */
} vact;

CK_VFN vact vact_make(ck_activation act) { vact p; p.c = v_set1(act.param); return p; }
CK_VFN V v_one(void) { return v_set1(1.0f); }
CK_VFN V v_half(void) { return v_set1(0.5f); }
CK_VFN V v_clamp(V x, float lo, float hi) { return v_min_x(v_max_x(x, v_set1(lo)), v_set1(hi)); }
CK_VFN V v_half_sq(V x) { return v_mul(v_mul(v_half(), x), x); } /* ½x² without overflow of x² */
/* u·log(u) for u ≥ 0 with 0·log 0 = 0. */
CK_VFN V vm_xlogx(V u) { return v_sel(v_eq(u, v_zero()), v_zero(), v_mul(u, vm_log_pos(u))); }

/* ---- identity ---- */
CK_VFN V vf_identity(V x, const vact *p) { (void)p; return x; }
CK_VFN V vdf_identity(V x, const vact *p) { (void)p; (void)x; return v_one(); }
CK_VFN V vinv_identity(V x, const vact *p) { (void)p; return x; }
CK_VFN V vdinv_identity(V x, const vact *p) { (void)p; (void)x; return v_one(); }
CK_VFN V vG_identity(V x, const vact *p) { (void)p; return v_half_sq(x); }
CK_VFN V vGs_identity(V x, const vact *p) { (void)p; return v_half_sq(x); }

/* ---- relu ---- */
CK_VFN V vf_relu(V x, const vact *p) { (void)p; return v_max_x(x, v_zero()); }
CK_VFN V vdf_relu(V x, const vact *p) { (void)p; return v_sel(v_gt(x, v_zero()), v_one(), v_zero()); }
CK_VFN V vinv_relu(V x, const vact *p) { (void)p; return v_max_x(x, v_zero()); }
CK_VFN V vdinv_relu(V x, const vact *p) { (void)p; (void)x; return v_one(); }
CK_VFN V vG_relu(V x, const vact *p) { (void)p; return v_sel(v_ge(x, v_zero()), v_half_sq(x), v_inf()); }
CK_VFN V vGs_relu(V x, const vact *p) { (void)p; return v_half_sq(v_max_x(x, v_zero())); }

/* ---- hard sigmoid ---- */
CK_VFN V vf_hardsig(V x, const vact *p) { (void)p; return v_clamp(x, 0.0f, 1.0f); }
CK_VFN V vdf_hardsig(V x, const vact *p) {
    (void)p; return v_sel(m_and(v_gt(x, v_zero()), v_le(x, v_one())), v_one(), v_zero());
}
CK_VFN V vinv_hardsig(V x, const vact *p) { (void)p; return v_clamp(x, 0.0f, 1.0f); }
CK_VFN V vdinv_hardsig(V x, const vact *p) { (void)p; (void)x; return v_one(); }
CK_VFN V vG_hardsig(V x, const vact *p) {
    (void)p; return v_sel(m_and(v_ge(x, v_zero()), v_le(x, v_one())), v_half_sq(x), v_inf());
}
CK_VFN V vGs_hardsig(V x, const vact *p) {
    (void)p;
    V mid = v_sel(v_le(x, v_one()), v_half_sq(x), v_sub(x, v_half()));
    return v_sel(v_lt(x, v_zero()), v_zero(), mid);
}

/* ---- leaky relu (slope c > 0) ---- */
CK_VFN V vf_leaky(V x, const vact *p) { return v_sel(v_ge(x, v_zero()), x, v_mul(x, p->c)); }
CK_VFN V vdf_leaky(V x, const vact *p) { return v_sel(v_gt(x, v_zero()), v_one(), p->c); }
CK_VFN V vinv_leaky(V x, const vact *p) { return v_sel(v_ge(x, v_zero()), x, v_div(x, p->c)); }
CK_VFN V vdinv_leaky(V x, const vact *p) { return v_sel(v_ge(x, v_zero()), v_one(), v_div(v_one(), p->c)); }
CK_VFN V vG_leaky(V x, const vact *p) { /* (½x/c)·x: no overflow or denormal in an intermediate */
    return v_sel(v_ge(x, v_zero()), v_half_sq(x), v_mul(v_div(v_mul(v_half(), x), p->c), x));
}
CK_VFN V vGs_leaky(V x, const vact *p) {
    return v_sel(v_ge(x, v_zero()), v_half_sq(x), v_mul(v_mul(v_mul(v_half(), p->c), x), x));
}

/* ---- sigmoid ---- */
CK_VFN V vf_sigmoid(V x, const vact *p) { (void)p; return v_div(v_one(), v_add(v_one(), vm_exp(v_sub(v_zero(), x)))); }
CK_VFN V vdf_sigmoid(V x, const vact *p) {
    (void)p; V e = vm_exp(v_sub(v_zero(), v_abs(x))), d = v_add(v_one(), e);
    return v_div(e, v_mul(d, d));
}
/* logit s = ±log(a/(1−a)), a = min(s, 1−s): log of the ratio for a < ¼, else log1p of the exact
 * (2a−1)/(1−a) so the result keeps relative accuracy near s = ½. */
CK_VFN V vinv_sigmoid(V x, const vact *p) {
    (void)p;
    V s = v_clamp(x, CK_ACT_CLAMP_SIGMOID_LO, CK_ACT_CLAMP_SIGMOID_HI);
    V a = v_min_x(s, v_sub(v_one(), s)), d = v_sub(v_one(), a);
    VM lo = v_lt(a, v_set1(0.25f));
    V t = v_div(v_sub(v_add(a, a), v_one()), d);
    V u = v_add(v_one(), t);
    V U = v_sel(lo, v_div(a, d), u);
    V F = v_sel(lo, v_one(), v_div(t, v_sub(u, v_one())));
    V r = v_sel(m_and(v_eq(u, v_one()), v_ge(a, v_set1(0.25f))), t, v_mul(vm_log_pos(U), F));
    return v_sel(v_gt(s, v_half()), v_sub(v_zero(), r), r);
}
CK_VFN V vdinv_sigmoid(V x, const vact *p) {
    (void)p; V s = v_clamp(x, CK_ACT_CLAMP_SIGMOID_LO, CK_ACT_CLAMP_SIGMOID_HI);
    return v_div(v_one(), v_mul(s, v_sub(v_one(), s)));
}
CK_VFN V vG_sigmoid(V x, const vact *p) {
    (void)p;
    VM in = m_and(v_ge(x, v_zero()), v_le(x, v_one()));
    V s = v_sel(in, x, v_half());
    V t2 = v_sel(v_eq(s, v_one()), v_zero(), v_mul(v_sub(v_one(), s), vm_log1p_pos(v_sub(v_zero(), s))));
    return v_sel(in, v_add(vm_xlogx(s), t2), v_inf());
}
CK_VFN V vGs_softplus_like(V x) { /* log(1 + e^x) */
    return v_add(v_max_x(x, v_zero()), vm_log1p_pos(vm_exp(v_sub(v_zero(), v_abs(x)))));
}
CK_VFN V vGs_sigmoid(V x, const vact *p) { (void)p; return vGs_softplus_like(x); }

/* ---- tanh ---- */
CK_VFN V vf_tanh(V x, const vact *p) {
    (void)p; V E = vm_expm1(v_mul(v_set1(-2.0f), v_abs(x)));
    return v_copysign(v_div(v_sub(v_zero(), E), v_add(E, v_set1(2.0f))), x);
}
CK_VFN V vdf_tanh(V x, const vact *p) {
    (void)p; V e = vm_exp(v_mul(v_set1(-2.0f), v_abs(x))), d = v_add(v_one(), e);
    return v_div(v_mul(v_set1(4.0f), e), v_mul(d, d));
}
CK_VFN V vm_artanh_abs(V a) { /* artanh a = ½ log1p(2a/(1−a)) for 0 ≤ a < 1 */
    return v_mul(v_half(), vm_log1p_pos(v_div(v_add(a, a), v_sub(v_one(), a))));
}
CK_VFN V vinv_tanh(V x, const vact *p) {
    (void)p; V s = v_clamp(x, CK_ACT_CLAMP_PM1_LO, CK_ACT_CLAMP_PM1_HI);
    return v_copysign(vm_artanh_abs(v_abs(s)), s);
}
CK_VFN V vdinv_tanh(V x, const vact *p) {
    (void)p; V s = v_clamp(x, CK_ACT_CLAMP_PM1_LO, CK_ACT_CLAMP_PM1_HI);
    return v_div(v_one(), v_mul(v_sub(v_one(), s), v_add(v_one(), s)));
}
/* G(s) = Σ_{k≥1} s^{2k}/(2k(2k−1)) for |s| ≤ ½ (10 terms, truncation < 0.05 ULP), else
 * ½[(1+a)log(1+a) + (1−a)log(1−a)] with a = |s| (no cancellation near 1). */
CK_VFN V vG_tanh(V x, const vact *p) {
    (void)p;
    V a = v_abs(x);
    VM in = v_le(a, v_one());
    V as = v_sel(in, a, v_zero());
    V z = v_mul(as, as);
    static const float coef[10] = {1.f/380, 1.f/306, 1.f/240, 1.f/182, 1.f/132, 1.f/90, 1.f/56, 1.f/30, 1.f/12, 1.f/2};
    V ser = v_set1(coef[0]);
    for (int j = 1; j < 10; ++j) ser = v_fma(ser, z, v_set1(coef[j]));
    V small = v_mul(ser, z);
    V t1 = v_mul(v_add(v_one(), as), vm_log1p_pos(as));
    V om = v_sub(v_one(), as);
    V t2 = v_sel(v_eq(om, v_zero()), v_zero(), v_mul(om, vm_log1p_pos(v_sub(v_zero(), v_min_x(as, v_set1(0.99999994f))))));
    V large = v_mul(v_half(), v_add(t1, t2));
    return v_sel(in, v_sel(v_le(a, v_half()), small, large), v_inf());
}
/* log cosh t: log1p(E²/(2(E+1))) with E = expm1(a) for a = |t| ≤ 1; a − ln2 + log1p(e^{−2a}) above. */
CK_VFN V vGs_tanh(V x, const vact *p) {
    (void)p;
    V a = v_abs(x);
    VM small = v_le(a, v_one());
    V E = vm_expm1(v_sel(small, a, v_mul(v_set1(-2.0f), a)));
    V arg = v_sel(small, v_div(v_mul(E, E), v_mul(v_set1(2.0f), v_add(E, v_one()))), v_add(E, v_one()));
    V L = vm_log1p_pos(arg);
    return v_sel(small, L, v_add(v_sub(a, v_set1(CK_F_LN2)), L));
}

/* ---- isru (λ = 1) ---- */
CK_VFN V vf_isru(V x, const vact *p) {
    (void)p; VM big; V h, w = vm_hyp_parts(v_abs(x), &big, &h);
    return v_copysign(v_div(v_sel(big, v_one(), w), h), x);
}
CK_VFN V vdf_isru(V x, const vact *p) {
    (void)p; VM big; V h, w = vm_hyp_parts(v_abs(x), &big, &h);
    V r = v_div(v_sel(big, w, v_one()), h);
    return v_mul(v_mul(r, r), r);
}
CK_VFN V vinv_isru(V x, const vact *p) {
    (void)p; V s = v_clamp(x, CK_ACT_CLAMP_PM1_LO, CK_ACT_CLAMP_PM1_HI);
    return v_div(s, v_sqrt(v_mul(v_sub(v_one(), s), v_add(v_one(), s))));
}
CK_VFN V vdinv_isru(V x, const vact *p) {
    (void)p; V s = v_clamp(x, CK_ACT_CLAMP_PM1_LO, CK_ACT_CLAMP_PM1_HI);
    V q = v_mul(v_sub(v_one(), s), v_add(v_one(), s));
    return v_div(v_one(), v_mul(q, v_sqrt(q)));
}
CK_VFN V vG_isru(V x, const vact *p) {
    (void)p; VM in = v_le(v_abs(x), v_one());
    V s = v_sel(in, x, v_zero());
    return v_sel(in, v_sub(v_zero(), v_sqrt(v_mul(v_sub(v_one(), s), v_add(v_one(), s)))), v_inf());
}
CK_VFN V vGs_isru(V x, const vact *p) {
    (void)p; V a = v_abs(x); VM big; V h; vm_hyp_parts(a, &big, &h);
    return v_mul(v_sel(big, a, v_one()), h);
}

/* ---- softplus ---- */
CK_VFN V vf_softplus(V x, const vact *p) { (void)p; return vGs_softplus_like(x); }
CK_VFN V vdf_softplus(V x, const vact *p) { return vf_sigmoid(x, p); }
CK_VFN V vinv_softplus(V x, const vact *p) {
    (void)p; V s = v_max_x(x, v_set1(CK_ACT_CLAMP_SOFTPLUS_LO));
    V l = vm_log_pos(vm_expm1(v_min_x(s, v_set1(20.0f))));
    return v_sel(v_gt(s, v_set1(20.0f)), s, l);
}
CK_VFN V vdinv_softplus(V x, const vact *p) {
    (void)p; V s = v_max_x(x, v_set1(CK_ACT_CLAMP_SOFTPLUS_LO));
    return v_div(v_set1(-1.0f), vm_expm1(v_sub(v_zero(), s)));
}
/* G(s) = ½s² + Li₂(e^{−s}) − π²/6 with L = log(1 − e^{−s}) = log(−expm1(−s)):
 * s < ln2: reflection, G = ½s² + s·L − Li₂(1 − e^{−s}) (series variable u = s);
 * s ≥ ln2: G = ½s² + Li₂(e^{−s}) − π²/6 (series variable u = −L). */
CK_VFN V vG_softplus(V x, const vact *p) {
    (void)p;
    VM in = v_ge(x, v_zero());
    V s = v_sel(in, x, v_one());
    V E = vm_expm1(v_sub(v_zero(), s));
    V L = vm_log_pos(v_max_x(v_sub(v_zero(), E), v_set1(1e-38f)));
    V hs = v_half_sq(s);
    VM lo = v_lt(s, v_set1(CK_F_LN2));
    V sL = v_sel(v_eq(s, v_zero()), v_zero(), v_mul(s, L));
    V g_lo = v_sub(v_add(hs, sL), vm_li2_series(s));
    V g_hi = v_add(hs, v_sub(vm_li2_series(v_sub(v_zero(), L)), v_set1(CK_F_PI2_6)));
    V g = v_sel(lo, g_lo, g_hi);
    g = v_sel(v_eq(x, v_inf()), v_inf(), g);
    return v_sel(in, g, v_inf());
}
/* G*(t) = −Li₂(−eᵗ) (t ≤ 0), π²/6 + ½t² + Li₂(−e^{−t}) (t > 0); u = −log1p(e^{−|t|}). */
CK_VFN V vGs_softplus(V x, const vact *p) {
    (void)p;
    V m = vm_exp(v_sub(v_zero(), v_abs(x)));
    V P = vm_li2_series(v_sub(v_zero(), vm_log1p_pos(m)));
    V pos = v_add(v_add(v_set1(CK_F_PI2_6), v_half_sq(x)), P);
    return v_sel(v_le(x, v_zero()), v_sub(v_zero(), P), pos);
}

/* ---- arctan ---- */
CK_VFN V vf_arctan(V x, const vact *p) { (void)p; return vm_atan(x); }
CK_VFN V vdf_arctan(V x, const vact *p) { (void)p; return v_div(v_one(), v_fma(x, x, v_one())); }
CK_VFN V vinv_arctan(V x, const vact *p) {
    (void)p; V s = v_clamp(x, CK_ACT_CLAMP_ARCTAN_LO, CK_ACT_CLAMP_ARCTAN_HI);
    V sn, cs; vm_sincos_hp(s, &sn, &cs);
    return v_div(sn, cs);
}
CK_VFN V vdinv_arctan(V x, const vact *p) { V t = vinv_arctan(x, p); return v_fma(t, t, v_one()); }
/* −log cos s; for |s| ≤ π/4 as −log1p(cos s − 1) with cos s − 1 from the polynomial directly,
 * so G keeps relative accuracy near 0 where cos s rounds to 1. */
CK_VFN V vG_arctan(V x, const vact *p) {
    (void)p; V a = v_abs(x);
    VM in = v_lt(a, v_set1(CK_F_PIO2_HI));
    V sn, cs; vm_sincos_hp(v_sel(in, x, v_zero()), &sn, &cs);
    V z = v_mul(x, x);
    V pc = v_set1(2.443315711809948e-5f);
    pc = v_fma(pc, z, v_set1(-1.388731625493765e-3f));
    pc = v_fma(pc, z, v_set1(4.166664568298827e-2f));
    V cm1 = v_fma(v_mul(pc, z), z, v_mul(v_set1(-0.5f), z));
    VM small = v_le(a, v_set1(0.785398163397448f));
    V g = v_sel(small, vm_log1p_pos(v_max_x(cm1, v_set1(-0.5f))), vm_log_pos(cs));
    return v_sel(in, v_sub(v_zero(), g), v_inf());
}
/* t·atan t − ½log(1+t²); for |t| > 2^20, ½log(1+t²) = log|t| (t² would overflow). */
CK_VFN V vGs_arctan(V x, const vact *p) {
    (void)p; V a = v_abs(x);
    VM big = v_gt(a, v_set1(1048576.0f));
    V l = vm_log1p(v_sel(big, v_sub(a, v_one()), v_mul(a, a)));
    V r = v_fnma(v_sel(big, v_one(), v_half()), l, v_mul(x, vm_atan(x)));
    return v_sel(v_eq(a, v_inf()), v_inf(), r);  /* ∞ − ∞ at ±∞ */
}

/* ---- sin, principal branch ---- */
CK_VFN V vf_sin(V x, const vact *p) {
    (void)p; V sn, cs; vm_sincos_hp(v_clamp(x, -CK_F_PIO2_HI, CK_F_PIO2_HI), &sn, &cs);
    return sn;
}
CK_VFN V vdf_sin(V x, const vact *p) {
    (void)p; V sn, cs; vm_sincos_hp(v_clamp(x, -CK_F_PIO2_HI, CK_F_PIO2_HI), &sn, &cs);
    return v_sel(v_lt(v_abs(x), v_set1(CK_F_PIO2_HI)), cs, v_zero());
}
CK_VFN V vinv_sin(V x, const vact *p) { (void)p; return vm_asin(v_clamp(x, -1.0f, 1.0f)); }
CK_VFN V vdinv_sin(V x, const vact *p) {
    (void)p; V s = v_clamp(x, -1.0f, 1.0f);
    return v_div(v_one(), v_sqrt(v_mul(v_sub(v_one(), s), v_add(v_one(), s))));
}
CK_VFN V vG_sin(V x, const vact *p) {
    (void)p; VM in = v_le(v_abs(x), v_one());
    V s = v_sel(in, x, v_zero());
    V g = v_fma(s, vm_asin(s), v_sqrt(v_mul(v_sub(v_one(), s), v_add(v_one(), s))));
    return v_sel(in, g, v_inf());
}
CK_VFN V vGs_sin(V x, const vact *p) {
    (void)p; V a = v_abs(x);
    VM in = v_le(a, v_set1(CK_F_PIO2_HI));
    V sn, cs; vm_sincos_hp(v_sel(in, x, v_zero()), &sn, &cs);
    V out = v_sub(v_sub(a, v_set1(CK_F_PIO2_HI)), v_set1(CK_F_PIO2_LO));
    return v_sel(in, v_sub(v_zero(), cs), out);
}

/* ---- arcsinh ---- */
/* asinh a = log1p(a + a²/(1 + √(1+a²))) for a ≤ 2^12; log(a) + ln2 above (via log1p(a − 1)). */
CK_VFN V vf_arcsinh(V x, const vact *p) {
    (void)p; V a = v_abs(x);
    VM big = v_gt(a, v_set1(4096.0f));
    V as = v_min_x(a, v_set1(4096.0f));
    V z = v_add(as, v_div(v_mul(as, as), v_add(v_one(), v_sqrt(v_fma(as, as, v_one())))));
    V r = vm_log1p(v_sel(big, v_sub(a, v_one()), z));
    return v_copysign(v_add(r, v_sel(big, v_set1(CK_F_LN2), v_zero())), x);
}
CK_VFN V vdf_arcsinh(V x, const vact *p) {
    (void)p; VM big; V h, w = vm_hyp_parts(v_abs(x), &big, &h);
    return v_div(v_sel(big, w, v_one()), h);
}
CK_VFN V vinv_arcsinh(V x, const vact *p) {
    (void)p; V sh, ch; vm_sinhcosh_pos(v_abs(x), &sh, &ch);
    return v_copysign(sh, x);
}
CK_VFN V vdinv_arcsinh(V x, const vact *p) { (void)p; V sh, ch; vm_sinhcosh_pos(v_abs(x), &sh, &ch); return ch; }
CK_VFN V vG_arcsinh(V x, const vact *p) { return vdinv_arcsinh(x, p); }
CK_VFN V vGs_arcsinh(V x, const vact *p) {
    V a = v_abs(x); VM big; V h; vm_hyp_parts(a, &big, &h);
    V r = v_fnma(v_sel(big, a, v_one()), h, v_mul(a, vf_arcsinh(a, p)));
    return v_sel(v_eq(a, v_inf()), v_inf(), r);  /* ∞ − ∞ at ±∞ */
}

/* Every family, for the leaves' dispatch: X(ENUM_SUFFIX, function_suffix). */
#define CK_ACT_KINDS(X) \
    X(IDENTITY, identity) X(RELU, relu) X(HARD_SIGMOID, hardsig) X(LEAKY_RELU, leaky) \
    X(SIGMOID, sigmoid) X(TANH, tanh) X(ISRU, isru) X(SOFTPLUS, softplus) \
    X(ARCTAN, arctan) X(SIN, sin) X(ARCSINH, arcsinh)

#endif
