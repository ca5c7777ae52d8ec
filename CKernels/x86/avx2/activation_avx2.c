/*
 * activation_avx2.c — the activation leaves for avx2: the generic leaves of act_leaves.h
 * instantiated over the avx2 words of the SIMD vocabulary (simd_avx2.h).
 */
#include "../../ops/activation_kernels.h"

#if defined(__x86_64__)
#include "region_begin.h"
#include "../act_leaves.h"
#include "region_end.h"

void ck_register_activation_avx2(ck_activation_kernels *k) {
    k->name = "avx2";
    k->map = ck_act_map_avx2;
    k->nudge = ck_act_nudge_avx2;
    k->fenchel = ck_act_fenchel_avx2;
    k->bregman_fwd = ck_act_bregman_fwd_avx2;
    k->bregman_bwd = ck_act_bregman_bwd_avx2;
    k->energy = ck_act_energy_avx2;
}
#else
void ck_register_activation_avx2(ck_activation_kernels *k) { (void)k; }
#endif
