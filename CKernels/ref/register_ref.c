/* register_ref.c — fills a kernel table with the portable scalar kernels. */
#include "../runtime/kernel_table.h"

void ck_register_ref(ck_kernel_table *t) {
    t->gemm.name = "ref (triple loop)";
    t->activation = (ck_activation_kernels){"ref", ck_act_map_ref, ck_act_nudge_ref, ck_act_fenchel_ref,
                                            ck_act_bregman_fwd_ref, ck_act_bregman_bwd_ref, ck_act_energy_ref};
}
