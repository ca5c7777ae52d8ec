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
    if (e && strcmp(e, "winograd2x2") == 0) return CK_CONV_ALGO_WINOGRAD_2X2;
    if (e && strcmp(e, "winograd4x4") == 0) return CK_CONV_ALGO_WINOGRAD_4X4;
    return CK_CONV_ALGO_AUTO; /* unset, "auto", or anything else */
}

ck_status ck_conv_set_algorithm(ck_conv_algo algo) {
    if (algo < CK_CONV_ALGO_AUTO || algo > CK_CONV_ALGO_WINOGRAD_4X4) return CK_ERR_BAD_ARGUMENT;
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

/* The auto rule: 0 = direct (or im2col), else the Winograd output tile side. Measured with
 * `ck-bench wino` (SwiftPM release build, clang) on the VGG16 layers at batch 100, forward and
 * backward-data, 5 interleaved rounds at 1 and 2 threads (AMD EPYC Zen 4, shared machine;
 * Benchmarks/README.md, "Winograd F(2×2), F(4×4) and the algorithm rule"), ratio = direct
 * time / Winograd time, over both passes and thread counts:
 *  - 32x32 … 8x8 images, ≥ 32 channels in and out: F(4x4) 1.7–3.0× (AVX-512) and 1.5–3.1×
 *    (AVX2, two runs), F(2x2) 1.2–1.8× and 1.3–1.8×.
 *  - 4x4 images (256–512 channels): F(4x4) 1.2–1.9× (AVX-512), 1.15–1.75× (AVX2); F(2x2)
 *    1.0–1.5× and 0.9–1.3×. The CMake/gcc 12 build agrees since its SGEMM micro-kernels keep
 *    their accumulators in registers (AVX2, 1 thread, CPU time: F(4x4) 2.2–2.5× on conv2/conv6,
 *    1.26–1.36× on conv8/conv9; before that fix F(4x4) lost there, 0.83–0.97×).
 *  - 2x2 images (one padded tile per image: 16 or 36 products against direct's 16 real taps):
 *    F(2x2) 0.45–0.8×, F(4x4) 0.2–0.45× → direct; likewise a side with < 32 channels (conv1:
 *    3 → 64, whose backward-data has 3 output channels; Winograd 0.4–0.7×).
 *  - Without a direct leaf (ref: im2col + SGEMM), F(4x4) on 8x8 and 4x4 images (2.7–3.3×,
 *    F(2x2) 1.7–2.1×) and F(2x2) on 2x2 images (1.3–1.4×, F(4x4) 0.6–0.7×); 1 thread. */
static int winograd_wins(const ck_conv2d_params *p, ck_conv2d_pass pass) {
    const int64_t c_in = pass == CK_CONV2D_BWD_DATA ? p->k : p->c, c_out = pass == CK_CONV2D_BWD_DATA ? p->c : p->k;
    if (c_in < 32 || c_out < 32 || p->h < 2 || p->w < 2) return 0; /* 1-pixel rows: 9 taps at most */
    const int small = p->h < 4 || p->w < 4;
    if (!ck_conv3x3_direct_eligible(p, c_in, c_out)) return small ? 2 : 4;
    return small ? 0 : 4;
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
    case CK_CONV_ALGO_WINOGRAD:
    case CK_CONV_ALGO_WINOGRAD_2X2:
    case CK_CONV_ALGO_WINOGRAD_4X4: return 1; /* backward-weights: its only tile size, F(2x2) */
    default: return pass == CK_CONV2D_BWD_WEIGHTS ? winograd_wgrad_wins(p) : winograd_wins(p, pass) != 0;
    }
}

int ck_conv3x3_winograd_tile(const ck_conv2d_params *p, ck_conv2d_pass pass) {
    switch (ck_conv_get_algorithm()) {
    case CK_CONV_ALGO_WINOGRAD_2X2: return 2;
    case CK_CONV_ALGO_WINOGRAD_4X4: return 4;
    default: {
        int tile = winograd_wins(p, pass);
        return tile ? tile : 2;
    }
    }
}

const char *ck_conv3x3_winograd_name(const ck_conv2d_params *p, ck_conv2d_pass pass) {
    const ck_kernel_table *t = ck_active_kernels();
    return ck_conv3x3_winograd_tile(p, pass) == 4 ? t->winograd_4x4.name : t->winograd.name;
}
