/*
 * loss_ref.c — softmax cross-entropy of one row, numerically stable: max-subtraction and
 * log-sum-exp accumulated in double. One row is a few hundred classes at most: no SIMD leaf.
 */
#include <math.h>
#include "ref_leaves.h"

double ck_xent_row_ref(int64_t classes, const float *z, int32_t label, float scale, float *grad) {
    float m = z[0];
    for (int64_t j = 1; j < classes; ++j) if (z[j] > m) m = z[j];
    double sum = 0.0;
    for (int64_t j = 0; j < classes; ++j) sum += exp((double)z[j] - (double)m);
    double lse = (double)m + log(sum);
    double loss = lse - (double)z[label];
    if (grad) {
        /* grad may alias z: read z[j] before writing grad[j] */
        for (int64_t j = 0; j < classes; ++j) {
            double pj = exp((double)z[j] - lse);
            grad[j] = (float)((double)scale * (pj - (j == label ? 1.0 : 0.0)));
        }
    }
    return loss;
}
