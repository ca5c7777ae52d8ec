/*
 * thread_cache.c — per-thread cached blocks, freed at thread exit (see thread_cache.h).
 * The blocks hang off a heap record that the thread-local pointer and a pthread key both
 * point to: the thread-local pointer is the fast path, the key's destructor frees the record
 * when the thread exits.
 */
#include "thread_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef struct cache_record {
    void *block[CK_CACHE_SLOTS];
    size_t bytes[CK_CACHE_SLOTS];
} cache_record;

static _Thread_local cache_record *own = NULL;
static _Atomic int64_t live_bytes = 0, live_records = 0; /* all threads, for the tests */
static pthread_key_t exit_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static int key_ok = 0;

static void free_record(void *p) {
    cache_record *r = p;
    if (!r) return;
    for (int s = 0; s < CK_CACHE_SLOTS; ++s) {
        free(r->block[s]);
        atomic_fetch_sub(&live_bytes, (int64_t)r->bytes[s]);
    }
    free(r);
    atomic_fetch_sub(&live_records, 1);
}

/* Runs at thread exit (only for threads that cached something). */
static void on_thread_exit(void *p) {
    free_record(p);
    own = NULL;
}

static void make_key(void) { key_ok = pthread_key_create(&exit_key, on_thread_exit) == 0; }

void *ck_thread_cache_get(ck_cache_slot slot, size_t bytes) {
    if (!own) {
        pthread_once(&key_once, make_key);
        cache_record *r = calloc(1, sizeof *r);
        if (!r) return NULL;
        if (key_ok && pthread_setspecific(exit_key, r) != 0) { free(r); return NULL; }
        own = r;
        atomic_fetch_add(&live_records, 1);
    }
    if (bytes == 0) bytes = 64;
    if (own->bytes[slot] < bytes) {
        void *p = NULL;
        bytes = (bytes + 63) & ~(size_t)63;
        if (posix_memalign(&p, 64, bytes) != 0) return NULL;
        free(own->block[slot]);
        atomic_fetch_add(&live_bytes, (int64_t)bytes - (int64_t)own->bytes[slot]);
        own->block[slot] = p;
        own->bytes[slot] = bytes;
    }
    return own->block[slot];
}

void ck_thread_cache_free_own(void) {
    if (!own) return;
    if (key_ok) pthread_setspecific(exit_key, NULL);
    free_record(own);
    own = NULL;
}

void ck_thread_cache_stats(int64_t *bytes, int64_t *threads) {
    *bytes = atomic_load(&live_bytes);
    *threads = atomic_load(&live_records);
}
