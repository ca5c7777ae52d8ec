/* lifted_ref.c — the scalar leaf of lifted coordinate descent: the fallback and the oracle. */
#include "../ops/lifted_kernels.h"

void ck_lifted_layer_sweep_ref(int64_t n, int64_t m, const float *w, const float *row_norm,
                               int set, float gamma, float *z, float *residual, float *above) {
    for (int64_t j = 0; j < n; ++j) {
        const float *wj = w + j * m;
        float dot = 0.0f;
        for (int64_t o = 0; o < m; ++o) dot += wj[o] * above[o];
        float old = z[j], a = old - residual[j], nn = row_norm[j];
        float updated = ck_lifted_project(set, (a + gamma * dot + gamma * nn * old) / (1.0f + gamma * nn));
        float d = updated - old;
        if (d == 0.0f) continue;
        z[j] = updated;
        residual[j] += d;
        for (int64_t o = 0; o < m; ++o) above[o] -= d * wj[o];
    }
}
