/*
 * conv_algo.c — which algorithm runs a 3x3 / stride 1 / pad 1 convolution: the process-wide
 * setting (ck_conv_set_algorithm, or the CK_CONV_ALGO environment variable) and, in auto mode,
 * the per-layer, per-pass rule measured on the VGG16 shapes (Benchmarks/README.md).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "ck_conv.h"
#include "conv3x3_winograd.h"
#include "../runtime/kernel_table.h"

/* −1: not decided yet (read CK_CONV_ALGO on first use). */
static _Atomic int algo_setting = -1;

static int from_environment(void) {
    const char *e = getenv("CK_CONV_ALGO");
    if (e && strcmp(e, "direct") == 0) return CK_CONV_ALGO_DIRECT;
    if (e && strcmp(e, "winograd") == 0) return CK_CONV_ALGO_WINOGRAD;
    return CK_CONV_ALGO_AUTO; /* unset, "auto", or anything else */
}

ck_status ck_conv_set_algorithm(ck_conv_algo algo) {
    if (algo != CK_CONV_ALGO_AUTO && algo != CK_CONV_ALGO_DIRECT && algo != CK_CONV_ALGO_WINOGRAD)
        return CK_ERR_BAD_ARGUMENT;
    atomic_store(&algo_setting, (int)algo);
    return CK_OK;
}

ck_conv_algo ck_conv_get_algorithm(void) {
    int a = atomic_load(&algo_setting);
    if (a < 0) {
        int expected = -1;
        atomic_compare_exchange_strong(&algo_setting, &expected, from_environment());
        a = atomic_load(&algo_setting);
    }
    return (ck_conv_algo)a;
}

/* The auto rule (see Benchmarks/README.md, "Winograd or direct"). */
static int winograd_wins(const ck_conv2d_params *p, ck_conv2d_pass pass) {
    const int64_t c_in = pass == CK_CONV2D_BWD_DATA ? p->k : p->c;
    /* 4x4 and 2x2 images: a third or more of the direct taps fall in the padding and are
     * skipped, and half of Winograd's tiles would be padding; few input channels make the
     * transforms cost more than the GEMMs save. */
    return p->h >= 8 && p->w >= 8 && c_in >= 32;
}

int ck_conv3x3_winograd_selected(const ck_conv2d_params *p, ck_conv2d_pass pass) {
    if (pass == CK_CONV2D_BWD_WEIGHTS || !ck_conv3x3_winograd_eligible(p)) return 0;
    switch (ck_conv_get_algorithm()) {
    case CK_CONV_ALGO_DIRECT: return 0;
    case CK_CONV_ALGO_WINOGRAD: return 1;
    default: return winograd_wins(p, pass);
    }
}
