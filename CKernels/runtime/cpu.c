/*
 * cpu.c — CPU feature detection, the ISA cap and the kernel tables.
 * This is the only file that knows the list of ISAs.
 */
#include "kernel_table.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static ck_isa detected_isa = CK_ISA_REF;
static ck_isa active_isa = CK_ISA_REF;
static ck_kernel_table tables[3];
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static ck_isa detect(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("fma"))
        return CK_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return CK_ISA_AVX2;
#endif
    return CK_ISA_REF;
}

static int parse_isa(const char *s, ck_isa *out) {
    if (!s) return 0;
    if (!strcmp(s, "ref") || !strcmp(s, "scalar")) { *out = CK_ISA_REF; return 1; }
    if (!strcmp(s, "avx2")) { *out = CK_ISA_AVX2; return 1; }
    if (!strcmp(s, "avx512")) { *out = CK_ISA_AVX512; return 1; }
    return 0;
}

static void initialize(void) {
    detected_isa = detect();
    memset(tables, 0, sizeof tables);
    for (int i = 0; i <= (int)detected_isa; ++i) {
        tables[i].isa = (ck_isa)i;
        ck_register_ref(&tables[i]);
        if (i >= CK_ISA_AVX2) ck_register_avx2(&tables[i]);
        if (i >= CK_ISA_AVX512) ck_register_avx512(&tables[i]);
    }
    active_isa = detected_isa;
    ck_isa cap;
    if (parse_isa(getenv("CK_MAX_ISA"), &cap) && cap < active_isa) active_isa = cap;
}

ck_isa ck_isa_detected(void) { pthread_once(&init_once, initialize); return detected_isa; }
ck_isa ck_isa_active(void) { pthread_once(&init_once, initialize); return active_isa; }

ck_status ck_set_max_isa(ck_isa isa) {
    pthread_once(&init_once, initialize);
    if ((int)isa < CK_ISA_REF || (int)isa > CK_ISA_AVX512) return CK_ERR_BAD_ARGUMENT;
    if (isa > detected_isa) return CK_ERR_UNSUPPORTED;
    active_isa = isa;
    return CK_OK;
}

const ck_kernel_table *ck_active_kernels(void) {
    pthread_once(&init_once, initialize);
    return &tables[active_isa];
}

const char *ck_isa_name(ck_isa isa) {
    switch (isa) {
    case CK_ISA_REF: return "ref";
    case CK_ISA_AVX2: return "avx2";
    case CK_ISA_AVX512: return "avx512";
    }
    return "unknown";
}

const char *ck_impl_name(ck_op op) {
    const ck_kernel_table *t = ck_active_kernels();
    const char *name = NULL;
    switch (op) {
    case CK_OP_SGEMM: name = t->gemm.name; break;
    case CK_OP_IM2COL: name = t->im2col.name; break;
    case CK_OP_POOL: name = t->pool.name; break;
    case CK_OP_ELTWISE: name = t->eltwise.name; break;
    case CK_OP_LOSS: name = t->loss.name; break;
    case CK_OP_ACTIVATION: name = t->activation.name; break;
    case CK_OP_LIFTED: name = t->lifted.name; break;
    case CK_OP_WINOGRAD: name = t->winograd.name; break;
    default: break;
    }
    return name ? name : "unavailable";
}
