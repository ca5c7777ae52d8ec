/*
 * workspace.h — caller-provided or library-allocated scratch memory for one kernel call
 * (internal). Allocation happens once, before the loops; never inside them.
 */
#ifndef CK_WORKSPACE_H
#define CK_WORKSPACE_H

#include <stddef.h>
#include <stdlib.h>
#include "ck_runtime.h"
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

typedef struct ck_scratch {
    void *base;     /* 64-byte aligned */
    void *owned;    /* what to free, or NULL when the caller owns it */
} ck_scratch;

/* Rounds a byte count up so that sub-buffers stay 64-byte aligned. */
static inline size_t ck_round64(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

/* Use the caller's buffer (aligned up to 64 bytes: the size queries include that slack), or,
 * when the caller passed NULL, the library-managed buffer of the calling thread: a thread-local
 * block grown to the largest request seen and kept, so steady-state training allocates nothing
 * (and first-touch page faults are paid once). One acquisition per thread at a time. */
ck_status ck_scratch_acquire(ck_scratch *s, void *user, size_t user_bytes, size_t need);

/* Ends the acquisition (the thread-local block stays cached). */
void ck_scratch_release(ck_scratch *s);

#pragma GCC visibility pop
#endif
