/* register_ref.c — fills a kernel table with the portable scalar kernels. */
#include "../runtime/kernel_table.h"

void ck_register_ref(ck_kernel_table *t) {
    t->gemm.name = "ref (triple loop)";
}
