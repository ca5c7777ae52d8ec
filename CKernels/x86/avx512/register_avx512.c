/* register_avx512.c — overrides the AVX2 kernels with the AVX-512 leaves. */
#include "../../runtime/kernel_table.h"

void ck_register_avx512(ck_kernel_table *t) {
    (void)t;
    ck_register_activation_avx512(&t->activation);
}
