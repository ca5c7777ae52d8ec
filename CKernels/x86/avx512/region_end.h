/* region_end.h — closes the avx512 code region opened by region_begin.h. */
#undef CK_LEAF
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
