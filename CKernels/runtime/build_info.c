/*
 * build_info.c — how this copy of the library was compiled: ck_build_info, ck_build_optimized.
 * Both build systems (SwiftPM, CMake) compile every CKernels file with the same flags, so what
 * this file sees (__OPTIMIZE__, the compiler) holds for the kernels too.
 */
#include "ck_runtime.h"

#define CK_STR_(x) #x
#define CK_STR(x) CK_STR_(x)

#if defined(__clang__)
#define CK_BUILD_COMPILER "clang " CK_STR(__clang_major__) "." CK_STR(__clang_minor__) "." CK_STR(__clang_patchlevel__)
#elif defined(__GNUC__)
#define CK_BUILD_COMPILER "gcc " CK_STR(__GNUC__) "." CK_STR(__GNUC_MINOR__) "." CK_STR(__GNUC_PATCHLEVEL__)
#else
#define CK_BUILD_COMPILER "unknown compiler"
#endif

#if defined(__OPTIMIZE__)
#define CK_BUILD_OPTIMIZED 1
#define CK_BUILD_OPT_TEXT "optimized yes"
#else
#define CK_BUILD_OPTIMIZED 0
#define CK_BUILD_OPT_TEXT "optimized no (-O0: kernels many times slower)"
#endif

/* The ISAs with leaves in this build, as runtime/cpu.c registers them (x86: all three). */
#if defined(__x86_64__) || defined(__i386__)
#define CK_BUILD_ISAS "ref avx2 avx512"
#else
#define CK_BUILD_ISAS "ref"
#endif

const char *ck_build_info(void) {
    return "ckernels " CK_VERSION_STRING "; compiler " CK_BUILD_COMPILER "; " CK_BUILD_OPT_TEXT
           "; isas " CK_BUILD_ISAS;
}

bool ck_build_optimized(void) { return CK_BUILD_OPTIMIZED; }
