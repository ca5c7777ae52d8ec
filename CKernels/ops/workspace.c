/*
 * workspace.c — the library-managed workspace: one cached, grow-only block per calling thread.
 */
#include "workspace.h"

static _Thread_local void *cached_block = NULL;
static _Thread_local size_t cached_bytes = 0;

ck_status ck_scratch_acquire(ck_scratch *s, void *user, size_t user_bytes, size_t need) {
    s->base = s->owned = NULL;
    if (need == 0) return CK_OK;
    if (user) {
        uintptr_t a = ((uintptr_t)user + 63) & ~(uintptr_t)63;
        size_t lost = (size_t)(a - (uintptr_t)user);
        if (user_bytes < lost || user_bytes - lost + 64 < need) return CK_ERR_WORKSPACE_TOO_SMALL;
        s->base = (void *)a;
        return CK_OK;
    }
    if (cached_bytes < need) {
        void *p = NULL;
        if (posix_memalign(&p, 64, need)) return CK_ERR_OUT_OF_MEMORY;
        free(cached_block);
        cached_block = p;
        cached_bytes = need;
    }
    s->base = cached_block;
    return CK_OK;
}

void ck_scratch_release(ck_scratch *s) { s->owned = s->base = NULL; }
