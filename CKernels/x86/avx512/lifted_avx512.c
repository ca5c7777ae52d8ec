/* lifted_avx512.c — the lifted coordinate-descent leaf (lifted_leaf.h) over the avx512 words. */
#include "../../ops/lifted_kernels.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#endif

#include "../simd_avx512.h"
#define CK_LEAF(name) name##_avx512
#include "../lifted_leaf.h"

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
