/*
 * ck_conv.h — 2-D convolution of batched images: forward, backward-data (the transposed
 * convolution), backward-weights, bias backward, and weight-layout conversion.
 *
 * Layouts (one of each, everywhere in this library):
 *   activations  NHWC  x[n][h][w][c]   (channels contiguous: a batch of images is the
 *                                       (N·H·W, C) matrix a 1x1 convolution multiplies directly)
 *   weights      RSCK  w[r][s][c][k]   (= TensorFlow's HWIO: the (R·S·C, K) matrix that
 *                                       multiplies im2col rows; output channels contiguous)
 *   bias         b[k]
 * PyTorch stores activations NCHW and weights OIHW (= KCRS); convert weights with
 * ck_conv2d_weights_to_oihw / ck_conv2d_weights_from_oihw.
 *
 * Geometry: output size P = (H + 2·pad_h − R) / stride_h + 1, Q likewise (floor), zero padding.
 *   y[n,p,q,k] = b[k] + Σ_{r,s,c} x[n, p·stride_h − pad_h + r, q·stride_w − pad_w + s, c] · w[r,s,c,k]
 * with x taken as 0 outside [0,H)×[0,W) (cross-correlation, as in PyTorch's Conv2d).
 *
 * Workspace: every pass takes `workspace` / `workspace_bytes`. Either query
 * ck_conv2d_workspace_size and pass a buffer at least that large (any alignment: the size
 * includes 64 bytes of slack for aligning it), or pass NULL (and 0) to use the library-managed
 * workspace: one block per calling thread, grown to the largest request and kept for the
 * thread's lifetime, so steady-state training allocates nothing. Nothing is allocated inside loops.
 * Threads: ck_get_num_threads(); results are deterministic for a fixed ISA and thread count.
 */
#ifndef CK_CONV_H
#define CK_CONV_H

#include "ck_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Convolution geometry. All fields must be >= 0, n,h,w,c,k,r,s,stride >= 1 (n may be 0). */
typedef struct ck_conv2d_params {
    int64_t n, h, w, c;          /**< input batch, height, width, channels (NHWC) */
    int64_t k;                   /**< output channels */
    int64_t r, s;                /**< kernel height, width */
    int64_t stride_h, stride_w;  /**< strides (>= 1) */
    int64_t pad_h, pad_w;        /**< zero padding on each side (>= 0, < kernel size) */
} ck_conv2d_params;

/** The pass a workspace is queried for. */
typedef enum ck_conv2d_pass {
    CK_CONV2D_FWD = 0,
    CK_CONV2D_BWD_DATA = 1,
    CK_CONV2D_BWD_WEIGHTS = 2
} ck_conv2d_pass;

/** Output height P and width Q of `params`. Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION
 *  (a negative or zero size where one is required, pad >= kernel size, or P or Q < 1). */
CK_API ck_status ck_conv2d_output_size(const ck_conv2d_params *params, int64_t *p, int64_t *q);

/** Bytes of workspace the given pass needs (0 when it needs none, also for invalid params). */
CK_API size_t ck_conv2d_workspace_size(const ck_conv2d_params *params, ck_conv2d_pass pass);

/**
 * Forward: y = conv(x, w) + b.
 * x is (N,H,W,C), w is (R,S,C,K), bias is (K) or NULL (no bias), y is (N,P,Q,K) (overwritten).
 * Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION, CK_ERR_WORKSPACE_TOO_SMALL,
 * CK_ERR_OUT_OF_MEMORY.
 */
CK_API ck_status ck_conv2d_fwd(const ck_conv2d_params *params, const float *x, const float *w,
                               const float *bias, float *y, void *workspace, size_t workspace_bytes);

/**
 * Backward-data, the transposed convolution: dx = Wᵀ dy, i.e.
 *   dx[n,h,w,c] = Σ_{p,q,r,s,k : p·sh−ph+r = h, q·sw−pw+s = w} dy[n,p,q,k] · w[r,s,c,k].
 * dy is (N,P,Q,K), w is (R,S,C,K), dx is (N,H,W,C) (overwritten; input pixels that no
 * window covers get 0). Errors as ck_conv2d_fwd.
 */
CK_API ck_status ck_conv2d_bwd_data(const ck_conv2d_params *params, const float *dy, const float *w,
                                    float *dx, void *workspace, size_t workspace_bytes);

/**
 * Backward-weights: dw[r,s,c,k] = Σ_{n,p,q} x[n, p·sh−ph+r, q·sw−pw+s, c] · dy[n,p,q,k]
 * (+ beta · dw). x is (N,H,W,C), dy is (N,P,Q,K), dw is (R,S,C,K). beta = 0 overwrites dw
 * (dw is then not read); beta = 1 accumulates. Errors as ck_conv2d_fwd.
 */
CK_API ck_status ck_conv2d_bwd_weights(const ck_conv2d_params *params, const float *x, const float *dy,
                                       float beta, float *dw, void *workspace, size_t workspace_bytes);

/**
 * Bias backward: db[k] = Σ_{i < rows} dy[i,k] (+ beta · db). dy is (rows, K) — for a
 * convolution rows = N·P·Q — db is (K). beta = 0 overwrites db.
 * Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION.
 */
CK_API ck_status ck_conv2d_bias_bwd(int64_t rows, int64_t k, const float *dy, float beta, float *db);

/** Convert weights RSCK (this library) → OIHW (PyTorch, = KCRS): dst[k][c][r][s] = src[r][s][c][k].
 *  src and dst must not overlap. Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION. */
CK_API ck_status ck_conv2d_weights_to_oihw(int64_t r, int64_t s, int64_t c, int64_t k,
                                           const float *src_rsck, float *dst_oihw);

/** Convert weights OIHW (PyTorch) → RSCK: dst[r][s][c][k] = src[k][c][r][s]. No overlap. */
CK_API ck_status ck_conv2d_weights_from_oihw(int64_t r, int64_t s, int64_t c, int64_t k,
                                             const float *src_oihw, float *dst_rsck);

/** Name of the algorithm ck_conv2d_fwd would use for `params` (e.g. "im2col+sgemm",
 *  "1x1 sgemm", "direct 3x3 avx512"): a static string, for benchmarks and logs. */
CK_API const char *ck_conv2d_algorithm_name(const ck_conv2d_params *params, ck_conv2d_pass pass);

/** What ck_conv2d_fwd_epilogue applies to the convolution's output z = conv(x, w) + bias. */
typedef struct ck_conv2d_epilogue {
    bool relu;             /**< y = (z <= 0 ? 0 : z) instead of y = z: NaN kept, as CK_ACT_RELU's f */
    float *pre_activation; /**< if not NULL: also receives z, (N,P,Q,K), not overlapping y */
} ck_conv2d_epilogue;

/**
 * Forward with a fused epilogue: z = conv(x, w) + bias, y = relu ? max(z, 0) : z, and z also
 * stored in epilogue->pre_activation when that is not NULL. Where the Winograd path runs, the
 * epilogue is applied in its output transform (the output is written once); on the other paths
 * it is a pass over the output after the convolution. Results equal ck_conv2d_fwd followed by
 * the ReLU activation (ck_activation_apply with CK_ACT_RELU, CK_ACT_F) bit for bit. epilogue NULL = plain ck_conv2d_fwd. Workspace: as ck_conv2d_fwd
 * (ck_conv2d_workspace_size with CK_CONV2D_FWD). Errors as ck_conv2d_fwd.
 */
CK_API ck_status ck_conv2d_fwd_epilogue(const ck_conv2d_params *params, const float *x, const float *w,
                                 const float *bias, const ck_conv2d_epilogue *epilogue, float *y,
                                 void *workspace, size_t workspace_bytes);

/** Which algorithm 3x3 / stride 1 / pad 1 convolutions use for forward, backward-data and
 *  backward-weights (other geometries are unaffected). */
typedef enum ck_conv_algo {
    CK_CONV_ALGO_AUTO = 0,     /**< per layer and pass, by a rule measured on the VGG16 shapes */
    CK_CONV_ALGO_DIRECT = 1,   /**< never Winograd: the direct 3x3 leaf, or im2col+sgemm */
    CK_CONV_ALGO_WINOGRAD = 2, /**< Winograd wherever it applies; for forward and backward-data
                                    the tile size F(4x4, 3x3) or F(2x2, 3x3) of auto mode's
                                    measured rule (F(2x2) where auto would run direct);
                                    backward-weights has F(2x2, 3x3) only */
    CK_CONV_ALGO_WINOGRAD_2X2 = 3, /**< Winograd F(2x2, 3x3) wherever it applies */
    CK_CONV_ALGO_WINOGRAD_4X4 = 4  /**< Winograd wherever it applies, F(4x4, 3x3) for forward and
                                        backward-data (its float32 error bound is ≈ 36× looser
                                        than F(2x2)'s, measured errors 10–23× larger:
                                        Benchmarks/README.md), F(2x2, 3x3) for backward-weights */
} ck_conv_algo;

/** Set the convolution algorithm for subsequent calls (process-wide). Overrides the
 *  CK_CONV_ALGO environment variable (direct | winograd | winograd2x2 | winograd4x4 |
 *  auto), which is read at the first convolution otherwise. Not thread-safe with respect to convolutions running concurrently.
 *  Errors: CK_ERR_BAD_ARGUMENT for a value outside ck_conv_algo. */
CK_API ck_status ck_conv_set_algorithm(ck_conv_algo algo);

/** The algorithm setting now in force (CK_CONV_ALGO_AUTO unless set or given by CK_CONV_ALGO). */
CK_API ck_conv_algo ck_conv_get_algorithm(void);

#ifdef __cplusplus
}
#endif
#endif /* CK_CONV_H */
