/*
 * region_begin.h — opens a avx2 code region: every function up to region_end.h is compiled for
 * avx2,fma (per-function target attributes: the package needs no -m flags), with the
 * avx2 words of the SIMD vocabulary and CK_LEAF(name) → name##_avx2 for generic leaves.
 * Include once per file, after the headers that declare the leaves.
 */
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

#include "../simd_avx2.h"
#define CK_LEAF(name) name##_avx2
