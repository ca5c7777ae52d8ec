/*
 * workspace.c — the library-managed workspace: one cached, grow-only block per calling
 * thread (runtime/thread_cache.c), freed when the thread exits.
 */
#include "workspace.h"
#include "../runtime/thread_cache.h"

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
    s->base = ck_thread_cache_get(CK_CACHE_SCRATCH, need);
    return s->base ? CK_OK : CK_ERR_OUT_OF_MEMORY;
}

void ck_scratch_release(ck_scratch *s) { s->owned = s->base = NULL; }
