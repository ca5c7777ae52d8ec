/*
 * act_vmath.h — vectorised elementary functions over the SIMD vocabulary (simd_<isa>.h), written
 * once for every ISA. Accuracy (measured against float64 over dense sweeps; see the tests):
 *   vm_exp        ≤ 1 ULP      Taylor-8 expm1 core on |r| ≤ ln2/2, Cody–Waite reduction
 *   vm_expm1      ≤ 2 ULP      same core, recombined as 2^k·(q + (1 − 2^−k)), exact for k = 0
 *   vm_log_pos    ≤ 1 ULP      Cephes logf polynomial on [√½, √2)
 *   vm_log1p_pos  ≤ 2 ULP      Kahan's log(u)·x/(u−1), u = 1 + x
 *   vm_atan       ≤ 2 ULP      Cephes atanf (three-interval reduction)
 *   vm_sincos_hp  ≤ 1 ULP      sin/cos on [−π/2, π/2] only (no general range reduction needed)
 *   vm_asin       ≤ 2 ULP      Cephes asinf
 * Arguments outside a function's stated domain give unspecified values: callers clamp, and
 * NaN propagation is done once per family function by the leaves (act_leaves.h).
 */
#ifndef CK_ACT_VMATH_H
#define CK_ACT_VMATH_H

#define CK_F_PIO2_HI 1.57079637e+00f  /* float(π/2), above π/2 by 4.37e-8 */
#define CK_F_PIO2_LO -4.37113883e-08f /* π/2 − float(π/2) */
#define CK_F_PI2_6 1.64493406684822643647f
#define CK_F_LN2 0.693147180559945f

CK_VFN V v_copysign(V mag, V sgn) { return v_or(v_abs(mag), v_signbits(sgn)); }
CK_VFN V v_zero(void) { return v_set1(0.0f); }
CK_VFN V v_inf(void) { return v_set1(__builtin_inff()); }

/* x = k·ln2 + r with |r| ≤ ½ln2 (k returned); returns q = expm1(r). Valid for |x| < 2^14·ln2. */
CK_VFN V vm_expm1_core(V x, V *k) {
    V kk = v_round(v_mul(x, v_set1(1.44269504088896341f)));
    V r = v_fnma(kk, v_set1(0.693359375f), x);     /* ln2 split: 0.693359375 has 10 bits */
    r = v_fnma(kk, v_set1(-2.12194440e-4f), r);
    V p = v_set1(1.0f / 40320.0f);
    p = v_fma(p, r, v_set1(1.0f / 5040.0f));
    p = v_fma(p, r, v_set1(1.0f / 720.0f));
    p = v_fma(p, r, v_set1(1.0f / 120.0f));
    p = v_fma(p, r, v_set1(1.0f / 24.0f));
    p = v_fma(p, r, v_set1(1.0f / 6.0f));
    p = v_fma(p, r, v_set1(0.5f));
    *k = kk;
    return v_fma(v_mul(r, r), p, r);
}

/* e^x; overflow → +inf (x > 88.72), underflow → 0. */
CK_VFN V vm_exp(V x) {
    x = v_min_x(v_max_x(x, v_set1(-104.0f)), v_set1(89.0f));
    V k, q = vm_expm1_core(x, &k);
    return v_ldexp(v_add(q, v_set1(1.0f)), k);
}

/* e^x − 1, accurate near 0. */
CK_VFN V vm_expm1(V x) {
    x = v_min_x(v_max_x(x, v_set1(-30.0f)), v_set1(89.0f));
    V k, q = vm_expm1_core(x, &k);
    V negk = v_min_x(v_max_x(v_sub(v_zero(), k), v_set1(-126.0f)), v_set1(127.0f));
    return v_ldexp(v_add(q, v_sub(v_set1(1.0f), v_pow2i(negk))), k);
}

/* log x for finite x > 0 (denormals included). */
CK_VFN V vm_log_pos(V x) {
    V e, m = v_frexp1(x, &e);
    VM big = v_gt(m, v_set1(1.41421356237f));
    m = v_sel(big, v_mul(m, v_set1(0.5f)), m);
    e = v_sel(big, v_add(e, v_set1(1.0f)), e);
    V f = v_sub(m, v_set1(1.0f));
    V z = v_mul(f, f);
    V p = v_set1(7.0376836292e-2f);
    p = v_fma(p, f, v_set1(-1.1514610310e-1f));
    p = v_fma(p, f, v_set1(1.1676998740e-1f));
    p = v_fma(p, f, v_set1(-1.2420140846e-1f));
    p = v_fma(p, f, v_set1(1.4249322787e-1f));
    p = v_fma(p, f, v_set1(-1.6668057665e-1f));
    p = v_fma(p, f, v_set1(2.0000714765e-1f));
    p = v_fma(p, f, v_set1(-2.4999993993e-1f));
    p = v_fma(p, f, v_set1(3.3333331174e-1f));
    V y = v_mul(v_mul(p, f), z);
    y = v_fma(e, v_set1(-2.12194440e-4f), y);
    y = v_fnma(v_set1(0.5f), z, y);
    return v_fma(e, v_set1(0.693359375f), v_add(f, y));
}

/* log x with the special values: 0 → −inf, < 0 → NaN, +inf → +inf. */
CK_VFN V vm_log(V x) {
    V r = vm_log_pos(x);
    r = v_sel(v_eq(x, v_inf()), v_inf(), r);
    r = v_sel(v_eq(x, v_zero()), v_set1(-__builtin_inff()), r);
    return v_sel(v_lt(x, v_zero()), v_set1(__builtin_nanf("")), r);
}

/* log(1 + x) for finite x > −1. */
CK_VFN V vm_log1p_pos(V x) {
    V u = v_add(v_set1(1.0f), x);
    VM one = v_eq(u, v_set1(1.0f));
    V r = v_mul(vm_log_pos(u), v_div(x, v_sub(u, v_set1(1.0f))));
    return v_sel(one, x, r);
}

/* log(1 + x) with the special values: −1 → −inf, < −1 → NaN, +inf → +inf. */
CK_VFN V vm_log1p(V x) {
    VM pos = v_gt(x, v_set1(-1.0f));
    V safe = v_sel(pos, v_min_x(x, v_set1(3.0e38f)), v_zero());
    V r = vm_log1p_pos(safe);
    r = v_sel(v_eq(x, v_inf()), v_inf(), r);
    r = v_sel(v_eq(x, v_set1(-1.0f)), v_set1(-__builtin_inff()), r);
    return v_sel(v_lt(x, v_set1(-1.0f)), v_set1(__builtin_nanf("")), r);
}

/* arctan x, all x. */
CK_VFN V vm_atan(V x) {
    V a = v_abs(x);
    VM big = v_gt(a, v_set1(2.414213562373095f)), mid = v_gt(a, v_set1(0.4142135623730950f));
    V one = v_set1(1.0f);
    V num = v_sel(big, v_set1(-1.0f), v_sel(mid, v_sub(a, one), a));
    V den = v_sel(big, a, v_sel(mid, v_add(a, one), one));
    V xr = v_div(num, den);
    V y0 = v_sel(big, v_set1(CK_F_PIO2_HI), v_sel(mid, v_set1(0.785398163397448f), v_zero()));
    V z = v_mul(xr, xr);
    V p = v_set1(8.05374449538e-2f);
    p = v_fma(p, z, v_set1(-1.38776856032e-1f));
    p = v_fma(p, z, v_set1(1.99777106478e-1f));
    p = v_fma(p, z, v_set1(-3.33329491539e-1f));
    V y = v_fma(v_mul(p, z), xr, xr);
    return v_copysign(v_add(y0, y), x);
}

/* sin and cos of t in [−float(π/2), float(π/2)]: the polynomial near 0 of whichever of
 * (t, π/2 − |t|) is smaller, so both results keep relative accuracy up to the ends. */
CK_VFN void vm_sincos_hp(V t, V *s, V *c) {
    V a = v_abs(t);
    VM small = v_le(a, v_set1(0.785398163397448f));
    V r = v_add(v_sub(v_set1(CK_F_PIO2_HI), a), v_set1(CK_F_PIO2_LO)); /* exact subtraction (Sterbenz) */
    V x = v_sel(small, a, r), z = v_mul(x, x);
    V ps = v_set1(-1.9515295891e-4f);
    ps = v_fma(ps, z, v_set1(8.3321608736e-3f));
    ps = v_fma(ps, z, v_set1(-1.6666654611e-1f));
    V sp = v_fma(v_mul(ps, z), x, x);
    V pc = v_set1(2.443315711809948e-5f);
    pc = v_fma(pc, z, v_set1(-1.388731625493765e-3f));
    pc = v_fma(pc, z, v_set1(4.166664568298827e-2f));
    V cp = v_fma(v_mul(pc, z), z, v_fnma(v_set1(0.5f), z, v_set1(1.0f)));
    *s = v_copysign(v_sel(small, sp, cp), t);
    *c = v_sel(small, cp, sp);
}

/* arcsin x for |x| ≤ 1. */
CK_VFN V vm_asin(V x) {
    V a = v_abs(x);
    VM big = v_gt(a, v_set1(0.5f));
    V z = v_sel(big, v_mul(v_set1(0.5f), v_sub(v_set1(1.0f), a)), v_mul(a, a));
    V xr = v_sel(big, v_sqrt(z), a);
    V p = v_set1(4.2163199048e-2f);
    p = v_fma(p, z, v_set1(2.4181311049e-2f));
    p = v_fma(p, z, v_set1(4.5470025998e-2f));
    p = v_fma(p, z, v_set1(7.4953002686e-2f));
    p = v_fma(p, z, v_set1(1.6666752422e-1f));
    V y = v_fma(v_mul(p, z), xr, xr);
    V yb = v_add(v_sub(v_set1(CK_F_PIO2_HI), v_add(y, y)), v_set1(CK_F_PIO2_LO));
    return v_copysign(v_sel(big, yb, y), x);
}

/* For a = |t| ≥ 0: w = min(a, 1/a) and h = √(1 + w²), so √(1+t²) = (a > 1 ? a : 1)·h without
 * overflow and 1/√(1+t²) = (a > 1 ? w : 1)/h. */
CK_VFN V vm_hyp_parts(V a, VM *big, V *h) {
    *big = v_gt(a, v_set1(1.0f));
    V w = v_sel(*big, v_div(v_set1(1.0f), a), a);
    *h = v_sqrt(v_fma(w, w, v_set1(1.0f)));
    return w;
}

/* sinh and cosh of a ≥ 0 from one exponential: E = e^a − 1, and e^a/2 for a ≥ 9 where
 * e^{−a} is below half an ULP (no overflow up to a = 89.4). */
CK_VFN void vm_sinhcosh_pos(V a, V *sh, V *ch) {
    V x = v_min_x(a, v_set1(89.5f));
    V k, q = vm_expm1_core(x, &k);
    V negk = v_min_x(v_max_x(v_sub(v_zero(), k), v_set1(-126.0f)), v_set1(127.0f));
    V E = v_ldexp(v_add(q, v_sub(v_set1(1.0f), v_pow2i(negk))), k);
    V half_exp = v_ldexp(v_add(q, v_set1(1.0f)), v_sub(k, v_set1(1.0f)));
    VM large = v_ge(a, v_set1(9.0f));
    V Ep1 = v_add(E, v_set1(1.0f));
    *sh = v_sel(large, half_exp, v_mul(v_set1(0.5f), v_add(E, v_div(E, Ep1))));
    *ch = v_sel(large, half_exp, v_fma(v_set1(0.5f), Ep1, v_div(v_set1(0.5f), Ep1)));
}

/* Li₂ through u = −log(1 − x) for x in [−1, ½] (u in [−ln2, ln2]): Σ B_n u^{n+1}/(n+1)!. */
CK_VFN V vm_li2_series(V u) {
    V u2 = v_mul(u, u);
    V p = v_set1(1.0f / 526901760.0f);
    p = v_fma(p, u2, v_set1(-1.0f / 10886400.0f));
    p = v_fma(p, u2, v_set1(1.0f / 211680.0f));
    p = v_fma(p, u2, v_set1(-1.0f / 3600.0f));
    p = v_fma(p, u2, v_set1(1.0f / 36.0f));
    return v_fma(v_mul(u2, u), p, v_fnma(v_set1(0.25f), u2, u));
}

#endif
