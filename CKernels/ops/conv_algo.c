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
#include "conv3x3_direct.h"
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

/* The auto rule, measured with `ck-bench wino` on the VGG16 layers at batch 100 (AMD EPYC Zen 4,
 * Benchmarks/README.md, "Winograd or direct"):
 *  - 32x32 … 8x8 images with ≥ 32 channels in and out: Winograd, 1.3–1.9× faster than the
 *    direct AVX-512 leaf and 1.7–3.7× faster than im2col+SGEMM (AVX2), forward and backward-data.
 *  - 4x4 images: Winograd loses to the direct leaf (0.5–1.0×: a third of the direct taps fall in
 *    the padding and are skipped, and the 16·C·K transformed filters no longer fit a cache) but
 *    beats im2col+SGEMM (1.0–1.45×), so it runs only where the ISA has no direct leaf.
 *  - 2x2 images, and a side with < 32 channels (conv1: 3 → 64, whose backward-data has 3 output
 *    channels): direct or im2col (Winograd 0.2–0.7×). */
static int winograd_wins(const ck_conv2d_params *p, ck_conv2d_pass pass) {
    const int64_t c_in = pass == CK_CONV2D_BWD_DATA ? p->k : p->c, c_out = pass == CK_CONV2D_BWD_DATA ? p->c : p->k;
    if (c_in < 32 || c_out < 32) return 0;
    if (p->h >= 8 && p->w >= 8) return 1;
    return p->h >= 4 && p->w >= 4 && !ck_conv3x3_direct_eligible(p, c_in, c_out);
}

/* Backward-weights (ops/conv3x3_winograd_wgrad.c), measured the same way (Benchmarks/README.md,
 * "Winograd backward-weights"; SwiftPM's clang build): Winograd is 1.45–1.9x faster than the
 * direct AVX-512 leaf on the VGG16 layers from 32x32 to 8x8 (1.56–1.69x in the table there),
 * 1.4–1.5x on 4x4 and 1.1–1.2x on 2x2 (where the direct leaf skips a third of the taps but runs
 * at a lower share of the peak); 1.3–1.5x faster than the AVX2 direct leaf, and 1.4–1.9x faster
 * than im2col on the scalar path. A side with < 32 channels (conv1: 3 inputs) stays direct
 * (0.6–1.0x), and so do 1-pixel images (one tap per output against 16 products per tile). */
static int winograd_wgrad_wins(const ck_conv2d_params *p) {
    return p->c >= 32 && p->k >= 32 && p->h >= 2 && p->w >= 2;
}

int ck_conv3x3_winograd_selected(const ck_conv2d_params *p, ck_conv2d_pass pass) {
    if (!ck_conv3x3_winograd_eligible(p)) return 0;
    switch (ck_conv_get_algorithm()) {
    case CK_CONV_ALGO_DIRECT: return 0;
    case CK_CONV_ALGO_WINOGRAD: return 1;
    default: return pass == CK_CONV2D_BWD_WEIGHTS ? winograd_wgrad_wins(p) : winograd_wins(p, pass);
    }
}
