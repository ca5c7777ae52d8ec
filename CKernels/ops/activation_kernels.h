/*
 * activation_kernels.h — leaf-kernel contract of the activation family (internal).
 *
 * Every leaf processes the index range [begin, end) of flat arrays whose pointers are in an
 * argument struct (so the driver's parallel loop hands each thread a sub-range), is
 * single-threaded and never allocates. `stream` asks for non-temporal stores (the driver sets it
 * when the arrays are far larger than the caches); a leaf may ignore it.
 */
#ifndef CK_ACTIVATION_KERNELS_H
#define CK_ACTIVATION_KERNELS_H

#include <stdint.h>
#include "ck_activation.h"
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

/* y = fn(x) element-wise. */
typedef struct ck_act_map_args {
    ck_activation act;
    ck_activation_fn fn;
    const float *x;  /* (n) */
    float *y;        /* (n), may alias x */
} ck_act_map_args;

/* x⁺ = a + cp·v, x⁻ = a − cm·v, damped: x± = (x± + L·old±)·inv1pL; s± = f(x±); s̄ = α s⁺ + (1−α) s⁻.
 * Fields after sd are zero-initialised by designated initialisers where unused. */
typedef struct ck_act_nudge_args {
    ck_activation act;
    const float *a, *v;  /* (n) */
    float *sp, *sm;      /* (n); hold the old states on entry when damped; sp may be NULL when sd is set */
    float *sb;           /* (n) or NULL */
    float *sd;           /* (n) or NULL: δ = s⁺ − s⁻; sm may then be NULL (undamped only) */
    /* (n) or NULL: when set (and sb NULL), s̄ is not stored but compared bitwise with sb_same,
     * and *mismatch is set to 1 where any element differs (never cleared; one int per thread). */
    const float *sb_same;
    int *mismatch;
    float cp, cm, alpha, beta_bar; /* beta_bar = 1 − α */
    float damping, inv1p_damping;  /* L and fl(1/(1+L)) */
    int damped, stream;
} ck_act_nudge_args;

/* e = (f(a) − f(a − τ g)) / τ. */
typedef struct ck_act_fenchel_args {
    ck_activation act;
    const float *a, *g;  /* (n) */
    float *e;            /* (n) */
    float tau;
    int stream;
} ck_act_fenchel_args;

/* fwd: out = f(f⁻¹(z) + u); bwd: du = f'(f⁻¹(z)+u)·dout, dz = du·(f⁻¹)'(z). */
typedef struct ck_act_bregman_args {
    ck_activation act;
    const float *z, *u, *dout;  /* (n) */
    float *out, *dz, *du;       /* (n); dz may be NULL in bwd */
    int stream;
} ck_act_bregman_args;

/* Σ G(s⁺) − G(s⁻) − ∇G(s̄)(s⁺ − s⁻). */
typedef struct ck_act_energy_args {
    ck_activation act;
    const float *sp, *sm, *sb;  /* (n) */
} ck_act_energy_args;

typedef void (*ck_act_map_fn)(const ck_act_map_args *args, int64_t begin, int64_t end);
typedef void (*ck_act_nudge_fn)(const ck_act_nudge_args *args, int64_t begin, int64_t end);
typedef void (*ck_act_fenchel_fn)(const ck_act_fenchel_args *args, int64_t begin, int64_t end);
typedef void (*ck_act_bregman_fn)(const ck_act_bregman_args *args, int64_t begin, int64_t end);
typedef double (*ck_act_energy_fn)(const ck_act_energy_args *args, int64_t begin, int64_t end);

typedef struct ck_activation_kernels {
    const char *name;  /* e.g. "avx512" */
    ck_act_map_fn map;
    ck_act_nudge_fn nudge;
    ck_act_fenchel_fn fenchel;
    ck_act_bregman_fn bregman_fwd;
    ck_act_bregman_fn bregman_bwd;
    ck_act_energy_fn energy;
} ck_activation_kernels;

/* The reference leaves (ref/activation_ref.c), also used by the drivers for tiny pieces. */
void ck_act_map_ref(const ck_act_map_args *args, int64_t begin, int64_t end);
void ck_act_nudge_ref(const ck_act_nudge_args *args, int64_t begin, int64_t end);
void ck_act_fenchel_ref(const ck_act_fenchel_args *args, int64_t begin, int64_t end);
void ck_act_bregman_fwd_ref(const ck_act_bregman_args *args, int64_t begin, int64_t end);
void ck_act_bregman_bwd_ref(const ck_act_bregman_args *args, int64_t begin, int64_t end);
double ck_act_energy_ref(const ck_act_energy_args *args, int64_t begin, int64_t end);

void ck_register_activation_avx2(ck_activation_kernels *k);
void ck_register_activation_avx512(ck_activation_kernels *k);

#pragma GCC visibility pop
#endif
