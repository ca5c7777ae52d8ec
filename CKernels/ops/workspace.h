/*
 * workspace.h — caller-provided or library-allocated scratch memory for one kernel call
 * (internal). Allocation happens once, before the loops; never inside them.
 */
#ifndef CK_WORKSPACE_H
#define CK_WORKSPACE_H

#include <stddef.h>
#include <stdlib.h>
#include "ck_runtime.h"

typedef struct ck_scratch {
    void *base;     /* 64-byte aligned */
    void *owned;    /* what to free, or NULL when the caller owns it */
} ck_scratch;

/* Rounds a byte count up so that sub-buffers stay 64-byte aligned. */
static inline size_t ck_round64(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

/* Use the caller's buffer (aligned up to 64 bytes: the size queries include that slack) or
 * allocate `need` bytes when the caller passed NULL. */
static inline ck_status ck_scratch_acquire(ck_scratch *s, void *user, size_t user_bytes, size_t need) {
    s->base = s->owned = NULL;
    if (need == 0) return CK_OK;
    if (user) {
        uintptr_t a = ((uintptr_t)user + 63) & ~(uintptr_t)63;
        size_t lost = (size_t)(a - (uintptr_t)user);
        if (user_bytes < lost || user_bytes - lost < need - 64) return CK_ERR_WORKSPACE_TOO_SMALL;
        s->base = (void *)a;
        return CK_OK;
    }
    void *p = NULL;
    if (posix_memalign(&p, 64, need)) return CK_ERR_OUT_OF_MEMORY;
    s->base = s->owned = p;
    return CK_OK;
}

static inline void ck_scratch_release(ck_scratch *s) { free(s->owned); s->owned = s->base = NULL; }

#endif
