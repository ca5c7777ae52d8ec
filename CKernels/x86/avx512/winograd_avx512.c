/* winograd_avx512.c — the Winograd F(2x2, 3x3) and F(4x4, 3x3) transform leaves (winograd_leaf.h) over the avx512 words. */
#include "../../ops/winograd_kernels.h"

#include "region_begin.h"
#include "../winograd_leaf.h"
#include "region_end.h"
