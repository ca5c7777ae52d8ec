/* winograd_wgrad_avx512.c — the Winograd F(2x2, 3x3) backward-weights transform leaves (winograd_wgrad_leaf.h) over the avx512 words. */
#include "../../ops/winograd_wgrad_kernels.h"

#include "region_begin.h"
#include "../winograd_wgrad_leaf.h"
#include "region_end.h"
