/*
 * ck_runtime.h — status codes, CPU/ISA selection, threads and denormal handling.
 *
 * Every kernel in this library returns a ck_status; no kernel prints or exits.
 * The instruction set is detected once; the active ISA may be lowered at run time
 * (environment CK_MAX_ISA=ref|avx2|avx512 at first use, or ck_set_max_isa) so that a
 * test can sweep every implementation in one process.
 * Threads come from the OpenMP runtime (libgomp ABI; Debian's libomp exports it).
 */
#ifndef CK_RUNTIME_H
#define CK_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ck_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Result of every ck_ call. CK_OK is zero. */
typedef enum ck_status {
    CK_OK = 0,
    CK_ERR_NULL_POINTER = 1,        /**< a required pointer argument was NULL */
    CK_ERR_BAD_DIMENSION = 2,       /**< a size argument was negative or inconsistent */
    CK_ERR_BAD_LEADING_DIMENSION = 3, /**< lda/ldb/ldc (or a stride) smaller than the minimum */
    CK_ERR_BAD_ARGUMENT = 4,        /**< an enum or scalar parameter outside its domain */
    CK_ERR_OUT_OF_MEMORY = 5,       /**< a workspace allocation failed */
    CK_ERR_UNSUPPORTED = 6,         /**< the request is valid but not implemented / not available on this CPU */
    CK_ERR_WORKSPACE_TOO_SMALL = 7  /**< a caller-provided workspace is smaller than the queried size */
} ck_status;

/** A static, human-readable English description of a status code (never NULL). */
CK_API const char *ck_status_string(ck_status status);

/** Instruction-set levels, ordered: a higher value implies the lower ones are usable. */
typedef enum ck_isa {
    CK_ISA_REF = 0,    /**< portable scalar C: the fallback and the in-library oracle */
    CK_ISA_AVX2 = 1,   /**< AVX2 + FMA (256-bit) */
    CK_ISA_AVX512 = 2  /**< AVX-512 F, BW, VL, DQ (512-bit) */
} ck_isa;

/** Highest ISA this CPU (and OS) supports, detected once. */
CK_API ck_isa ck_isa_detected(void);

/** ISA the kernel table currently uses: min(detected, cap). The cap starts from the
 *  environment variable CK_MAX_ISA (ref|avx2|avx512) read on first use. */
CK_API ck_isa ck_isa_active(void);

/** Lower (or raise, up to what the CPU has) the ISA cap at run time. Returns
 *  CK_ERR_UNSUPPORTED if the CPU lacks `isa` (the active ISA is then unchanged).
 *  Not thread-safe with respect to kernels running concurrently. */
CK_API ck_status ck_set_max_isa(ck_isa isa);

/** Lower-case name of an ISA: "ref", "avx2", "avx512". */
CK_API const char *ck_isa_name(ck_isa isa);

/** Kernel families whose implementation can be queried with ck_impl_name. */
typedef enum ck_op {
    CK_OP_SGEMM = 0,     /**< the SGEMM micro-kernel */
    CK_OP_IM2COL = 1,    /**< im2col / col2im */
    CK_OP_POOL = 2,      /**< max pooling */
    CK_OP_ELTWISE = 3,   /**< element-wise (bias, relu, optimizer updates) */
    CK_OP_ACTIVATION = 4,/**< activation families and the fused nudge/Fenchel/Bregman kernels */
    CK_OP_LOSS = 5,      /**< softmax cross-entropy */
    CK_OP_LIFTED = 6,    /**< lifted-network coordinate descent */
    CK_OP_WINOGRAD = 7,  /**< Winograd 3x3 convolution transforms: the F(2x2, 3x3) leaves' name
                              (ck_conv2d_algorithm_name says which algorithm and tile size a
                              given convolution pass runs) */
    CK_OP_COUNT = 8
} ck_op;

/** Name of the implementation the active kernel table uses for `op`,
 *  e.g. "avx512 16x28" for the SGEMM micro-kernel. Static string, never NULL. */
CK_API const char *ck_impl_name(ck_op op);

/** Number of threads kernels use: the count set by ck_set_num_threads, else
 *  ck_default_num_threads(). */
CK_API int ck_get_num_threads(void);

/** The default thread count: the CPUs this process may actually use. OMP_NUM_THREADS when
 *  set (its first level); otherwise the physical cores (SMT siblings counted once) among the
 *  CPUs of the affinity mask (sched_getaffinity), lowered to a cgroup v2 cpu.max or v1 CFS
 *  CPU quota when that is smaller (containers often show all the host's cores). Computed once
 *  per process. When why is non-NULL, a human-readable reason (e.g. "4 CPUs in the affinity
 *  mask, 2 physical cores (SMT siblings not counted), no cgroup CPU quota") is written to it,
 *  NUL-terminated and truncated to why_len bytes. */
CK_API int ck_default_num_threads(char *why, size_t why_len);

/** Set the number of threads kernels use; n < 1 restores the default. */
CK_API void ck_set_num_threads(int n);

/** Whether worker threads run with denormals flushed to zero (MXCSR FTZ and DAZ).
 *  Default true: denormals are irrelevant to training and cost 100x on x86.
 *  The caller's MXCSR is restored when each kernel returns. */
CK_API bool ck_get_flush_denormals(void);

/** Switch denormal flushing on or off for subsequent kernel calls. */
CK_API void ck_set_flush_denormals(bool on);

/**
 * Ask glibc's allocator to keep freed blocks of up to 32 MiB in its heap for reuse instead of
 * unmapping them (mallopt M_MMAP_THRESHOLD = 32 MiB, M_TRIM_THRESHOLD = max). Training code that
 * allocates activation-sized buffers every step otherwise pays a page fault and a zeroed page
 * per 4 KiB of each new buffer. Process-wide and idempotent; a no-op on other C libraries.
 * The Swift Tensor type calls it once before its first allocation.
 */
CK_API void ck_heap_reuse_large_blocks(void);

/**
 * A 64-byte-aligned buffer of at least `bytes` bytes (contents unspecified), or NULL when out of
 * memory. Give it back with ck_buffer_free and the same `bytes`. Freed buffers of 256 KiB and
 * more are kept in a process-wide cache (the step arena) and handed out again for the same size
 * rounded up to 4 KiB, most recently freed first: a training step that allocates the same
 * buffers every step then takes no page faults for them (glibc maps blocks above 32 MiB afresh on
 * every allocation). Thread-safe. The Swift Tensor type allocates through it.
 */
CK_API void *ck_buffer_alloc(size_t bytes);

/** Free a buffer from ck_buffer_alloc(bytes) (same `bytes`); NULL is ignored. Large buffers wait
 *  in the cache while it holds less than its limit; the oldest leave first. */
CK_API void ck_buffer_free(void *buffer, size_t bytes);

/** Most bytes the buffer cache keeps (default 2 GiB); lowering it frees the oldest cached
 *  buffers at once, 0 turns the cache off. Process-wide, thread-safe. */
CK_API void ck_buffer_cache_set_limit(size_t bytes);

/** The buffer cache's limit in bytes. */
CK_API size_t ck_buffer_cache_limit(void);

/** Bytes of freed buffers the cache holds now. */
CK_API size_t ck_buffer_cache_held(void);

/** Library version string, "MAJOR.MINOR.PATCH" (e.g. "0.1.0"); equals CK_VERSION_STRING of the
 *  headers the library was built with. */
CK_API const char *ck_version(void);

/**
 * How this library was compiled, as one static line of "; "-separated fields, e.g.
 * "ckernels 0.1.0; compiler clang 21.0.0; optimized yes; isas ref avx2 avx512".
 * `optimized` says whether the kernels were compiled with optimisation (__OPTIMIZE__: no in a
 * SwiftPM debug build, which compiles C at -O0); `isas` lists the instruction sets with kernels
 * compiled in (ck_isa_detected says which of them this CPU can run).
 */
CK_API const char *ck_build_info(void);

/** Whether the kernels were compiled with optimisation (__OPTIMIZE__ defined); false at -O0. */
CK_API bool ck_build_optimized(void);

#ifdef __cplusplus
}
#endif
#endif /* CK_RUNTIME_H */
