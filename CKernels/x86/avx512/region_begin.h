/*
 * region_begin.h — opens a avx512 code region: every function up to region_end.h is compiled for
 * avx512f,avx512bw,avx512vl,avx512dq,fma (per-function target attributes: the package needs no -m flags), with the
 * avx512 words of the SIMD vocabulary and CK_LEAF(name) → name##_avx512 for generic leaves.
 * Include once per file, after the headers that declare the leaves.
 */
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#endif

#include "../simd_avx512.h"
#define CK_LEAF(name) name##_avx512
