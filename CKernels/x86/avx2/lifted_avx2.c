/* lifted_avx2.c — the lifted coordinate-descent leaf (lifted_leaf.h) over the avx2 words. */
#include "../../ops/lifted_kernels.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

#include "../simd_avx2.h"
#define CK_LEAF(name) name##_avx2
#include "../lifted_leaf.h"

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
