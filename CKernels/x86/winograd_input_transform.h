/*
 * winograd_input_transform.h — F(2x2, 3x3)'s input transform Bᵀ d B over CK_VL channels, shared
 * by the forward / backward-data leaf (winograd_leaf.h) and the backward-weights leaf
 * (winograd_wgrad_leaf.h), which store the result in different layouts. Included inside an ISA
 * region (region_begin.h: V, v_add, v_sub).
 */
#ifndef CK_WINOGRAD_INPUT_TRANSFORM_H
#define CK_WINOGRAD_INPUT_TRANSFORM_H

/* r[4·i + j] = (Bᵀ d B)[i][j] for the CK_VL channels from `ch` of the 16 input pixels px[],
 * loaded by LOAD(pointer). The operations are the reference leaf's, in the same order. */
#define CK_WINO_INPUT_2X2(LOAD, r)                                                                \
    do {                                                                                          \
        V t[4][4];                                                                                \
        for (int j = 0; j < 4; ++j) {                                                             \
            V d0 = LOAD(px[j] + ch), d1 = LOAD(px[4 + j] + ch), d2 = LOAD(px[8 + j] + ch),        \
              d3 = LOAD(px[12 + j] + ch);                                                         \
            t[0][j] = v_sub(d0, d2);                                                              \
            t[1][j] = v_add(d1, d2);                                                              \
            t[2][j] = v_sub(d2, d1);                                                              \
            t[3][j] = v_sub(d1, d3);                                                              \
        }                                                                                         \
        for (int i = 0; i < 4; ++i) {                                                             \
            (r)[4 * i + 0] = v_sub(t[i][0], t[i][2]);                                             \
            (r)[4 * i + 1] = v_add(t[i][1], t[i][2]);                                             \
            (r)[4 * i + 2] = v_sub(t[i][2], t[i][1]);                                             \
            (r)[4 * i + 3] = v_sub(t[i][1], t[i][3]);                                             \
        }                                                                                         \
    } while (0)

#endif
