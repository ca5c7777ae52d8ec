/*
 * activation_driver.h — shared plumbing of the activation drivers (internal): argument checks
 * and the threaded range loop over a leaf of the active kernel table.
 */
#ifndef CK_ACTIVATION_DRIVER_H
#define CK_ACTIVATION_DRIVER_H

#include "ck_nudge.h"
#include "activation_kernels.h"
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

/* Below this many elements a kernel runs on the calling thread; each thread gets at least half. */
#define CK_ACT_PARALLEL_MIN (1 << 15)
/* From this many elements the outputs are written with non-temporal stores: the arrays are far
 * larger than the caches, and streaming saves the read-for-ownership of every output line. */
#define CK_ACT_STREAM_MIN (1 << 20)

typedef enum ck_act_leaf_kind {
    CK_LEAF_MAP, CK_LEAF_NUDGE, CK_LEAF_FENCHEL, CK_LEAF_BREG_FWD, CK_LEAF_BREG_BWD, CK_LEAF_ENERGY
} ck_act_leaf_kind;

/* Runs the active table's leaf of `kind` over [0, n) with `args` (the matching *_args struct),
 * threaded for large n with 64-element-aligned chunks. For CK_LEAF_ENERGY returns the sum
 * (thread partials added in thread order); 0 otherwise. */
double ck_act_run(ck_act_leaf_kind kind, const void *args, int64_t n);

/* CK_OK or CK_ERR_NULL_POINTER / CK_ERR_BAD_DIMENSION for n floats behind each non-optional pointer. */
static inline ck_status ck_act_check_n(int64_t n) { return n < 0 ? CK_ERR_BAD_DIMENSION : CK_OK; }

#pragma GCC visibility pop
#endif
