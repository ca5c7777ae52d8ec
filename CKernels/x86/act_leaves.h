/*
 * act_leaves.h — the activation leaf kernels, written once over the SIMD vocabulary and
 * included by each ISA's activation_<isa>.c after its simd_<isa>.h (inside its target region).
 * CK_LEAF(name) appends the ISA suffix. Every leaf: single-threaded, range [begin, end), full
 * vectors then one masked tail; NaN arguments are passed through to the result (FIX).
 * With args->stream, the outputs are written with non-temporal stores after a masked head that
 * aligns them to 64 bytes (only when all outputs share the same misalignment).
 */
#include "act_vfamily.h"

#define CK_FIX(x, y) v_sel(v_isnan(x), (x), (y))

/* mode 0: full vector, normal store; 1: full vector, streaming store; 2: masked n lanes. */
CK_VFN V v_get(const float *p, int mode, int n) { return mode == 2 ? v_load_n(p, n) : v_loadu(p); }
CK_VFN void v_put(float *p, V x, int mode, int n) {
    if (mode == 1) v_stream(p, x);
    else if (mode == 2) v_store_n(p, x, n);
    else v_storeu(p, x);
}

/* Elements to process before the outputs reach 64-byte alignment, or −1 when streaming is not
 * possible (outputs misaligned differently or not float-aligned). NULL outputs are ignored. */
static inline int64_t ck_stream_head(float *const *outs, int count, int64_t len) {
    int64_t off = -1;
    for (int j = 0; j < count; ++j) {
        if (!outs[j]) continue;
        uintptr_t m = (uintptr_t)outs[j] & 63u;
        if (m & 3u) return -1;
        if (off >= 0 && (int64_t)m != off) return -1;
        off = (int64_t)m;
    }
    if (off < 0) return -1;
    int64_t head = (int64_t)(((64u - (unsigned)off) & 63u) / 4u);
    return head < len ? head : len;
}

/* Calls FN(args..., i, mode, n) over [b, e): optional aligned head (masked, normal stores), full
 * vectors (streaming when head >= 0), then one masked tail. */
#define CK_RANGE_LOOP(b, e, head, FN, ...)                                       \
    do {                                                                         \
        int64_t i_ = (b), h_ = (head);                                           \
        if (h_ >= 0) {                                                           \
            while (i_ < (b) + h_) {                                              \
                int64_t r_ = (b) + h_ - i_;                                      \
                int n_ = (int)(r_ < CK_VL ? r_ : CK_VL);                         \
                FN(__VA_ARGS__, i_, 2, n_);                                      \
                i_ += n_;                                                        \
            }                                                                    \
            for (; i_ + CK_VL <= (e); i_ += CK_VL) FN(__VA_ARGS__, i_, 1, CK_VL);\
        } else {                                                                 \
            for (; i_ + CK_VL <= (e); i_ += CK_VL) FN(__VA_ARGS__, i_, 0, CK_VL);\
        }                                                                        \
        while (i_ < (e)) {                                                       \
            int64_t r_ = (e) - i_;                                               \
            int n_ = (int)(r_ < CK_VL ? r_ : CK_VL);                             \
            FN(__VA_ARGS__, i_, 2, n_);                                          \
            i_ += n_;                                                            \
        }                                                                        \
        if (h_ >= 0) v_sfence();                                                 \
    } while (0)

/* ---------------- element-wise map ---------------- */
#define CK_MAP_LOOP(FN)                                                          \
    do {                                                                         \
        int64_t i = b;                                                           \
        for (; i + CK_VL <= e; i += CK_VL) {                                     \
            V x = v_loadu(g->x + i);                                             \
            v_storeu(g->y + i, CK_FIX(x, FN(x, &P)));                            \
        }                                                                        \
        if (i < e) {                                                             \
            int n = (int)(e - i);                                                \
            V x = v_load_n(g->x + i, n);                                         \
            v_store_n(g->y + i, CK_FIX(x, FN(x, &P)), n);                        \
        }                                                                        \
    } while (0)

#define CK_DEF_MAP(KIND, kind)                                                   \
    static void map_##kind(const ck_act_map_args *g, int64_t b, int64_t e) {     \
        vact P = vact_make(g->act);                                              \
        switch (g->fn) {                                                         \
        case CK_ACT_FN_F: CK_MAP_LOOP(vf_##kind); break;                         \
        case CK_ACT_FN_DF: CK_MAP_LOOP(vdf_##kind); break;                       \
        case CK_ACT_FN_INV: CK_MAP_LOOP(vinv_##kind); break;                     \
        case CK_ACT_FN_G: CK_MAP_LOOP(vG_##kind); break;                         \
        case CK_ACT_FN_GSTAR: CK_MAP_LOOP(vGs_##kind); break;                    \
        case CK_ACT_FN_DINV: CK_MAP_LOOP(vdinv_##kind); break;                   \
        default: break;                                                          \
        }                                                                        \
    }
CK_ACT_KINDS(CK_DEF_MAP)

static void CK_LEAF(ck_act_map)(const ck_act_map_args *g, int64_t b, int64_t e) {
    switch (g->act.kind) {
#define CK_CASE(KIND, kind) case CK_ACT_##KIND: map_##kind(g, b, e); break;
    CK_ACT_KINDS(CK_CASE)
#undef CK_CASE
    default: break;
    }
}

/* ---------------- nudge (plain and damped) ---------------- */
typedef struct nudge_consts { V cp, cm, alpha, bbar, L, inv; } nudge_consts;

#define CK_DEF_NUDGE(KIND, kind)                                                 \
    CK_VFN void nudge_step_##kind(const ck_act_nudge_args *g, const nudge_consts *k, \
                                  const vact *P, int damped, int64_t i, int mode, int n) { \
        V a = v_get(g->a + i, mode, n), v = v_get(g->v + i, mode, n);            \
        V xp = v_add(a, v_mul(k->cp, v)), xm = v_sub(a, v_mul(k->cm, v));       \
        if (damped) {                                                            \
            xp = v_mul(v_add(xp, v_mul(k->L, v_get(g->sp + i, mode, n))), k->inv); \
            xm = v_mul(v_add(xm, v_mul(k->L, v_get(g->sm + i, mode, n))), k->inv); \
        }                                                                        \
        V sp = CK_FIX(xp, vf_##kind(xp, P)), sm = CK_FIX(xm, vf_##kind(xm, P));  \
        if (g->sp) v_put(g->sp + i, sp, mode, n);                                \
        if (g->sm) v_put(g->sm + i, sm, mode, n);                                \
        if (g->sd) v_put(g->sd + i, v_sub(sp, sm), mode, n);                     \
        if (g->sb) v_put(g->sb + i, v_add(v_mul(k->alpha, sp), v_mul(k->bbar, sm)), mode, n); \
        else if (g->sb_same && v_bits_differ(v_add(v_mul(k->alpha, sp), v_mul(k->bbar, sm)), \
                                             v_get(g->sb_same + i, mode, n), mode == 2 ? n : CK_VL)) \
            *g->mismatch = 1;                                                    \
    }                                                                            \
    static void nudge_##kind(const ck_act_nudge_args *g, int64_t b, int64_t e, int64_t head) { \
        nudge_consts k = {v_set1(g->cp), v_set1(g->cm), v_set1(g->alpha), v_set1(g->beta_bar), \
                          v_set1(g->damping), v_set1(g->inv1p_damping)};         \
        vact P = vact_make(g->act);                                              \
        if (g->damped) CK_RANGE_LOOP(b, e, head, nudge_step_##kind, g, &k, &P, 1); \
        else CK_RANGE_LOOP(b, e, head, nudge_step_##kind, g, &k, &P, 0);         \
    }
CK_ACT_KINDS(CK_DEF_NUDGE)

static void CK_LEAF(ck_act_nudge)(const ck_act_nudge_args *g, int64_t b, int64_t e) {
    float *outs[4] = {g->sp ? g->sp + b : NULL, g->sm ? g->sm + b : NULL, g->sb ? g->sb + b : NULL, g->sd ? g->sd + b : NULL};
    int64_t head = g->stream ? ck_stream_head(outs, 4, e - b) : -1;
    switch (g->act.kind) {
#define CK_CASE(KIND, kind) case CK_ACT_##KIND: nudge_##kind(g, b, e, head); break;
    CK_ACT_KINDS(CK_CASE)
#undef CK_CASE
    default: break;
    }
}

/* ---------------- Fenchel BP error ---------------- */
#define CK_DEF_FENCHEL(KIND, kind)                                               \
    CK_VFN void fenchel_step_##kind(const ck_act_fenchel_args *g, V tau, const vact *P, \
                                    int64_t i, int mode, int n) {                \
        V a = v_get(g->a + i, mode, n), gr = v_get(g->g + i, mode, n);           \
        V x = v_sub(a, v_mul(tau, gr));                                          \
        V d = v_sub(CK_FIX(a, vf_##kind(a, P)), CK_FIX(x, vf_##kind(x, P)));     \
        v_put(g->e + i, v_div(d, tau), mode, n);                                 \
    }                                                                            \
    static void fenchel_##kind(const ck_act_fenchel_args *g, int64_t b, int64_t e, int64_t head) { \
        vact P = vact_make(g->act);                                              \
        V tau = v_set1(g->tau);                                                  \
        CK_RANGE_LOOP(b, e, head, fenchel_step_##kind, g, tau, &P);              \
    }
CK_ACT_KINDS(CK_DEF_FENCHEL)

static void CK_LEAF(ck_act_fenchel)(const ck_act_fenchel_args *g, int64_t b, int64_t e) {
    float *outs[1] = {g->e + b};
    int64_t head = g->stream ? ck_stream_head(outs, 1, e - b) : -1;
    switch (g->act.kind) {
#define CK_CASE(KIND, kind) case CK_ACT_##KIND: fenchel_##kind(g, b, e, head); break;
    CK_ACT_KINDS(CK_CASE)
#undef CK_CASE
    default: break;
    }
}

/* ---------------- Bregman layer ---------------- */
#define CK_DEF_BREGMAN(KIND, kind)                                               \
    CK_VFN void bregf_step_##kind(const ck_act_bregman_args *g, const vact *P,   \
                                  int64_t i, int mode, int n) {                  \
        V z = v_get(g->z + i, mode, n), u = v_get(g->u + i, mode, n);            \
        V w = v_add(CK_FIX(z, vinv_##kind(z, P)), u);                            \
        v_put(g->out + i, CK_FIX(w, vf_##kind(w, P)), mode, n);                  \
    }                                                                            \
    CK_VFN void bregb_step_##kind(const ck_act_bregman_args *g, const vact *P,   \
                                  int64_t i, int mode, int n) {                  \
        V z = v_get(g->z + i, mode, n), u = v_get(g->u + i, mode, n);            \
        V w = v_add(CK_FIX(z, vinv_##kind(z, P)), u);                            \
        V du = v_mul(CK_FIX(w, vdf_##kind(w, P)), v_get(g->dout + i, mode, n));  \
        v_put(g->du + i, du, mode, n);                                           \
        if (g->dz) v_put(g->dz + i, v_mul(du, CK_FIX(z, vdinv_##kind(z, P))), mode, n); \
    }                                                                            \
    static void bregf_##kind(const ck_act_bregman_args *g, int64_t b, int64_t e, int64_t head) { \
        vact P = vact_make(g->act);                                              \
        CK_RANGE_LOOP(b, e, head, bregf_step_##kind, g, &P);                     \
    }                                                                            \
    static void bregb_##kind(const ck_act_bregman_args *g, int64_t b, int64_t e, int64_t head) { \
        vact P = vact_make(g->act);                                              \
        CK_RANGE_LOOP(b, e, head, bregb_step_##kind, g, &P);                     \
    }
CK_ACT_KINDS(CK_DEF_BREGMAN)

static void CK_LEAF(ck_act_bregman_fwd)(const ck_act_bregman_args *g, int64_t b, int64_t e) {
    float *outs[1] = {g->out + b};
    int64_t head = g->stream ? ck_stream_head(outs, 1, e - b) : -1;
    switch (g->act.kind) {
#define CK_CASE(KIND, kind) case CK_ACT_##KIND: bregf_##kind(g, b, e, head); break;
    CK_ACT_KINDS(CK_CASE)
#undef CK_CASE
    default: break;
    }
}

static void CK_LEAF(ck_act_bregman_bwd)(const ck_act_bregman_args *g, int64_t b, int64_t e) {
    float *outs[2] = {g->du + b, g->dz ? g->dz + b : NULL};
    int64_t head = g->stream ? ck_stream_head(outs, 2, e - b) : -1;
    switch (g->act.kind) {
#define CK_CASE(KIND, kind) case CK_ACT_##KIND: bregb_##kind(g, b, e, head); break;
    CK_ACT_KINDS(CK_CASE)
#undef CK_CASE
    default: break;
    }
}

/* ---------------- energy ΔE ---------------- */
/* Per element (G(s⁺) − G(s⁻)) − ∇G(s̄)(s⁺ − s⁻) in float; lanes summed in float over blocks of
 * 64 vectors, blocks in double. Masked-off tail lanes contribute exactly 0. */
#define CK_DEF_ENERGY(KIND, kind)                                                \
    CK_VFN V energy_term_##kind(const ck_act_energy_args *g, const vact *P, int64_t i, int mode, int n) { \
        V sp = v_get(g->sp + i, mode, n), sm = v_get(g->sm + i, mode, n), sb = v_get(g->sb + i, mode, n); \
        V dG = v_sub(CK_FIX(sp, vG_##kind(sp, P)), CK_FIX(sm, vG_##kind(sm, P)));  \
        V t = v_fnma(CK_FIX(sb, vinv_##kind(sb, P)), v_sub(sp, sm), dG);         \
        return mode == 2 ? v_sel(v_lane_lt(n), t, v_zero()) : t;                 \
    }                                                                            \
    static double energy_##kind(const ck_act_energy_args *g, int64_t b, int64_t e) { \
        vact P = vact_make(g->act);                                              \
        double sum = 0;                                                          \
        int64_t i = b;                                                           \
        while (i + CK_VL <= e) {                                                 \
            V acc = v_zero();                                                    \
            int64_t stop = i + 64 * CK_VL;                                       \
            for (; i + CK_VL <= e && i < stop; i += CK_VL)                       \
                acc = v_add(acc, energy_term_##kind(g, &P, i, 0, CK_VL));        \
            sum += v_hsum_d(acc);                                                \
        }                                                                        \
        if (i < e) sum += v_hsum_d(energy_term_##kind(g, &P, i, 2, (int)(e - i))); \
        return sum;                                                              \
    }
CK_ACT_KINDS(CK_DEF_ENERGY)

static double CK_LEAF(ck_act_energy)(const ck_act_energy_args *g, int64_t b, int64_t e) {
    switch (g->act.kind) {
#define CK_CASE(KIND, kind) case CK_ACT_##KIND: return energy_##kind(g, b, e);
    CK_ACT_KINDS(CK_CASE)
#undef CK_CASE
    default: return 0;
    }
}
