/* heap.c — keeps large freed buffers in glibc's heap for reuse (see ck_runtime.h). */
#include "ck_runtime.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

void ck_heap_reuse_large_blocks(void) {
#if defined(__GLIBC__)
    /* 32 MiB is the largest mmap threshold glibc accepts on 64-bit; a fixed threshold also
     * stops glibc's dynamic adjustment. Never trimming keeps the freed top of the heap mapped. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
#endif
}
