/*
 * activation_avx512.c — the activation leaves for avx512: the generic leaves of act_leaves.h
 * instantiated over the avx512 words of the SIMD vocabulary (simd_avx512.h).
 */
#include "../../ops/activation_kernels.h"

#if defined(__x86_64__)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#endif

#include "../simd_avx512.h"
#define CK_LEAF(name) name##_avx512
#include "../act_leaves.h"

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

void ck_register_activation_avx512(ck_activation_kernels *k) {
    k->name = "avx512";
    k->map = ck_act_map_avx512;
    k->nudge = ck_act_nudge_avx512;
    k->fenchel = ck_act_fenchel_avx512;
    k->bregman_fwd = ck_act_bregman_fwd_avx512;
    k->bregman_bwd = ck_act_bregman_bwd_avx512;
    k->energy = ck_act_energy_avx512;
}
#else
void ck_register_activation_avx512(ck_activation_kernels *k) { (void)k; }
#endif
