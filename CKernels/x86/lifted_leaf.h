/*
 * lifted_leaf.h — the lifted coordinate-descent leaf written once in the SIMD vocabulary;
 * included by each ISA's file inside its target region with CK_LEAF defined.
 * The unit loop is a dependency chain (unit j+1 reads the λ that unit j wrote), so the dot
 * product uses four accumulators added as a tree: a short chain, not more throughput.
 * The lanes leaf breaks that chain's cost by running CK_VL examples side by side, one per lane.
 */
void CK_LEAF(ck_lifted_layer_sweep)(int64_t n, int64_t m, const float *w, const float *row_norm,
                                    int set, float gamma, float *z, float *residual, float *above) {
    for (int64_t j = 0; j < n; ++j) {
        const float *wj = w + j * m;
        V acc0 = v_set1(0.0f), acc1 = v_set1(0.0f), acc2 = v_set1(0.0f), acc3 = v_set1(0.0f);
        int64_t o = 0;
        for (; o + 4 * CK_VL <= m; o += 4 * CK_VL) {
            acc0 = v_fma(v_loadu(wj + o), v_loadu(above + o), acc0);
            acc1 = v_fma(v_loadu(wj + o + CK_VL), v_loadu(above + o + CK_VL), acc1);
            acc2 = v_fma(v_loadu(wj + o + 2 * CK_VL), v_loadu(above + o + 2 * CK_VL), acc2);
            acc3 = v_fma(v_loadu(wj + o + 3 * CK_VL), v_loadu(above + o + 3 * CK_VL), acc3);
        }
        for (; o + CK_VL <= m; o += CK_VL) acc0 = v_fma(v_loadu(wj + o), v_loadu(above + o), acc0);
        if (o < m) acc1 = v_fma(v_load_n(wj + o, (int)(m - o)), v_load_n(above + o, (int)(m - o)), acc1);
        float dot = v_hsum(v_add(v_add(acc0, acc1), v_add(acc2, acc3)));
        float old = z[j], a = old - residual[j], nn = row_norm[j];
        float updated = ck_lifted_project(set, (a + gamma * dot + gamma * nn * old) / (1.0f + gamma * nn));
        float d = updated - old;
        if (d == 0.0f) continue;
        z[j] = updated;
        residual[j] += d;
        V vd = v_set1(d);
        for (o = 0; o + CK_VL <= m; o += CK_VL) v_storeu(above + o, v_fnma(vd, v_loadu(wj + o), v_loadu(above + o)));
        if (o < m) {
            int r = (int)(m - o);
            v_store_n(above + o, v_fnma(vd, v_load_n(wj + o, r), v_load_n(above + o, r)), r);
        }
    }
}

/* CK_VL examples at once (tiles as in lifted_kernels.h): per unit, the dot product is m
 * broadcast-FMAs into four accumulators, the update and projection are lane-wise, and `above`
 * gets m FMAs. The projections are lane-wise copies of ck_lifted_project (NaN → 0 included). */
void CK_LEAF(ck_lifted_lanes_sweep)(int64_t n, int64_t m, const float *w, const float *row_norm,
                                    int set, float gamma, float *z, float *residual, float *above) {
    const V zero = v_set1(0.0f), one = v_set1(1.0f), g = v_set1(gamma);
    for (int64_t j = 0; j < n; ++j) {
        const float *wj = w + j * m;
        V acc0 = zero, acc1 = zero, acc2 = zero, acc3 = zero;
        int64_t o = 0;
        for (; o + 4 <= m; o += 4) {
            acc0 = v_fma(v_set1(wj[o]), v_loadu(above + o * CK_VL), acc0);
            acc1 = v_fma(v_set1(wj[o + 1]), v_loadu(above + (o + 1) * CK_VL), acc1);
            acc2 = v_fma(v_set1(wj[o + 2]), v_loadu(above + (o + 2) * CK_VL), acc2);
            acc3 = v_fma(v_set1(wj[o + 3]), v_loadu(above + (o + 3) * CK_VL), acc3);
        }
        for (; o < m; ++o) acc0 = v_fma(v_set1(wj[o]), v_loadu(above + o * CK_VL), acc0);
        V dot = v_add(v_add(acc0, acc1), v_add(acc2, acc3));
        V old = v_loadu(z + j * CK_VL), res = v_loadu(residual + j * CK_VL);
        float gn = gamma * row_norm[j];
        /* (a + γ·dot + γ‖w‖²·old) / (1 + γ‖w‖²), a = old − λ */
        V t = v_div(v_fma(v_set1(gn), old, v_fma(g, dot, v_sub(old, res))), v_set1(1.0f + gn));
        if (set == 1) t = v_sel(v_gt(t, zero), t, zero);
        else if (set == 2) t = v_sel(v_gt(t, zero), v_sel(v_lt(t, one), t, one), zero);
        V d = v_sub(t, old);
        if (!m_any(m_or(m_or(v_lt(d, zero), v_gt(d, zero)), v_isnan(d)))) continue; /* as the scalar d == 0 */
        v_storeu(z + j * CK_VL, t);
        v_storeu(residual + j * CK_VL, v_add(res, d));
        for (o = 0; o < m; ++o) v_storeu(above + o * CK_VL, v_fnma(d, v_set1(wj[o]), v_loadu(above + o * CK_VL)));
    }
}
