/*
 * channel_loop.h — the loop every channel-vectorised transform leaf runs (Winograd leaves):
 * full CK_VL-wide steps with unaligned loads and stores, then one masked step for the rest.
 * Included by a leaf header inside an ISA region (region_begin.h), which defines CK_VL, v_loadu,
 * v_storeu, v_load_n and v_store_n.
 */
#ifndef CK_CHANNEL_LOOP_H
#define CK_CHANNEL_LOOP_H

/* Runs BODY(LOAD, STORE) for channels [0, count): `ch` is the step's first channel, LOAD(p) and
 * STORE(p, x) load and store the step's lanes (all CK_VL of them, or the `n` left at the end). */
#define CK_CHANNEL_LOOP(count, BODY)                                                              \
    do {                                                                                          \
        int64_t ch = 0;                                                                           \
        for (; ch + CK_VL <= (count); ch += CK_VL) BODY(CK_CHANNELS_LOADU, CK_CHANNELS_STOREU);   \
        if (ch < (count)) {                                                                       \
            const int n = (int)((count) - ch);                                                    \
            BODY(CK_CHANNELS_LOAD_N, CK_CHANNELS_STORE_N);                                        \
        }                                                                                         \
    } while (0)
#define CK_CHANNELS_LOADU(p) v_loadu(p)
#define CK_CHANNELS_STOREU(p, x) v_storeu(p, x)
#define CK_CHANNELS_LOAD_N(p) v_load_n(p, n)
#define CK_CHANNELS_STORE_N(p, x) v_store_n(p, x, n)

#endif
