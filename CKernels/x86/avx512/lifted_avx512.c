/* lifted_avx512.c — the lifted coordinate-descent leaf (lifted_leaf.h) over the avx512 words. */
#include "../../ops/lifted_kernels.h"

#include "region_begin.h"
#include "../lifted_leaf.h"
#include "region_end.h"
