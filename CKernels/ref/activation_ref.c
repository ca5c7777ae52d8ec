/*
 * activation_ref.c — scalar reference leaves of the activation family: the REF ISA path and
 * the fallback for every other path. Each leaf covers [begin, end) of its flat arrays.
 */
#include "activation_ref_math.h"
#include "../ops/activation_kernels.h"

#include <string.h>

void ck_act_map_ref(const ck_act_map_args *g, int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) g->y[i] = ck_ref_apply(g->act, g->fn, g->x[i]);
}

void ck_act_nudge_ref(const ck_act_nudge_args *g, int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
        float a = g->a[i], v = g->v[i];
        float cpv = g->cp * v, cmv = g->cm * v;  /* products rounded first: no FMA, see ck_nudge.h */
        float xp = a + cpv, xm = a - cmv;
        if (g->damped) {
            float lp = g->damping * g->sp[i], lm = g->damping * g->sm[i];
            xp = (xp + lp) * g->inv1p_damping;
            xm = (xm + lm) * g->inv1p_damping;
        }
        float sp = ck_ref_f(g->act, xp), sm = ck_ref_f(g->act, xm);
        if (g->sp) g->sp[i] = sp;
        if (g->sm) g->sm[i] = sm;
        if (g->sd) g->sd[i] = sp - sm;
        if (g->sb || g->sb_same) {
            float ap = g->alpha * sp, bm = g->beta_bar * sm;
            float sb = ap + bm;
            if (g->sb) g->sb[i] = sb;
            else if (memcmp(&sb, &g->sb_same[i], sizeof sb) != 0) *g->mismatch = 1;
        }
    }
}

void ck_act_fenchel_ref(const ck_act_fenchel_args *g, int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
        float a = g->a[i], tg = g->tau * g->g[i];
        float x = a - tg;
        float d = ck_ref_f(g->act, a) - ck_ref_f(g->act, x);
        g->e[i] = d / g->tau;
    }
}

void ck_act_bregman_fwd_ref(const ck_act_bregman_args *g, int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
        float w = ck_ref_inv(g->act, g->z[i]) + g->u[i];
        g->out[i] = ck_ref_f(g->act, w);
    }
}

void ck_act_bregman_bwd_ref(const ck_act_bregman_args *g, int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
        float w = ck_ref_inv(g->act, g->z[i]) + g->u[i];
        float du = ck_ref_df(g->act, w) * g->dout[i];
        g->du[i] = du;
        if (g->dz) g->dz[i] = du * ck_ref_dinv(g->act, g->z[i]);
    }
}

double ck_act_energy_ref(const ck_act_energy_args *g, int64_t begin, int64_t end) {
    double sum = 0;
    for (int64_t i = begin; i < end; ++i) {
        float sp = g->sp[i], sm = g->sm[i];
        float grad = ck_ref_inv(g->act, g->sb[i]);
        float d = sp - sm;
        float term = (ck_ref_G(g->act, sp) - ck_ref_G(g->act, sm)) - grad * d;
        sum += term;
    }
    return sum;
}
