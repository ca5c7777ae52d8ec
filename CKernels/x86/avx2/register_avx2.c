/* register_avx2.c — overrides the reference kernels with the AVX2+FMA leaves. */
#include "../../runtime/kernel_table.h"
#include "../simd_leaves.h"

void ck_register_avx2(ck_kernel_table *t) {
    (void)t;
    CK_REGISTER_CONV_FAMILY(t, avx2);
}
