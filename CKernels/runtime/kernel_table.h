/*
 * kernel_table.h — the per-ISA table of single-threaded leaf kernels (internal).
 *
 * BLIS-style registration: the table for an ISA starts as the reference table and each
 * ISA's register function overrides what it implements (avx512 ← avx2 ← ref). Drivers in
 * ops/ fetch ck_active_kernels() once per call and never test the ISA themselves.
 * Each kernel family owns one sub-struct, declared in its own header under ops/.
 */
#ifndef CK_KERNEL_TABLE_H
#define CK_KERNEL_TABLE_H

#include "ck_runtime.h"
#include "../ops/gemm_kernels.h"
#include "../ops/conv_kernels.h"
#include "../ops/activation_kernels.h"
#include "../ops/lifted_kernels.h"
#include "../ops/winograd_kernels.h"
#include "../ops/winograd_wgrad_kernels.h"
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

typedef struct ck_kernel_table {
    ck_isa isa;
    ck_gemm_kernels gemm;
    ck_im2col_kernels im2col;
    ck_pool_kernels pool;
    ck_eltwise_kernels eltwise;
    ck_loss_kernels loss;
    ck_conv_direct_kernels conv3x3;
    ck_activation_kernels activation;
    ck_lifted_kernels lifted;
    ck_winograd_kernels winograd;
    ck_winograd_4x4_kernels winograd_4x4;
    ck_winograd_wgrad_kernels winograd_wgrad; /* backward-weights transforms */
} ck_kernel_table;

/** The table for the active ISA (built once, thread-safe). */
const ck_kernel_table *ck_active_kernels(void);

/* Registration: each fills or overrides the members its ISA implements. */
void ck_register_ref(ck_kernel_table *t);
void ck_register_avx2(ck_kernel_table *t);
void ck_register_avx512(ck_kernel_table *t);

#pragma GCC visibility pop
#endif
