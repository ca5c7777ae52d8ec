/*
 * sgemm_check.c — the smallest C consumer of libckernels.
 *
 * Multiplies two small matrices with ck_sgemm on every ISA this CPU has, checks each result
 * against a naive double-precision loop, prints the ISA and the SGEMM implementation used,
 * and exits non-zero on any mismatch. Built by examples/c/Makefile (pkg-config) and
 * examples/cmake-consumer (find_package).
 */
#include <ckernels/ckernels.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Sizes that are not multiples of any register tile, so edge code runs too. */
enum { M = 37, N = 29, K = 41 };

/* Deterministic values in [-1, 1). */
static float value_at(int64_t i, int64_t salt) {
    uint32_t x = (uint32_t)(i * 2654435761u + (uint64_t)salt * 40503u);
    x ^= x >> 13; x *= 0x5bd1e995u; x ^= x >> 15;
    return (float)(x & 0xffff) / 32768.0f - 1.0f;
}

int main(void) {
    static float a[M * K], b[K * N], c0[M * N], c[M * N]; /* a is (M,K), b (K,N), c (M,N), row-major */
    const float alpha = 1.5f, beta = 0.5f;
    for (int64_t i = 0; i < M * K; i++) a[i] = value_at(i, 1);
    for (int64_t i = 0; i < K * N; i++) b[i] = value_at(i, 2);
    for (int64_t i = 0; i < M * N; i++) c0[i] = value_at(i, 3);

    printf("ckernels %s, detected ISA %s\n", ck_version(), ck_isa_name(ck_isa_detected()));
    printf("build: %s\n", ck_build_info());
    int failures = 0;
    if (strcmp(ck_version(), CK_VERSION_STRING) != 0) { /* headers and library from one install */
        printf("FAIL headers are version %s, the library is %s\n", CK_VERSION_STRING, ck_version());
        failures++;
    }
    for (int isa = CK_ISA_REF; isa <= (int)ck_isa_detected(); isa++) {
        if (ck_set_max_isa((ck_isa)isa) != CK_OK) continue;
        memcpy(c, c0, sizeof c);
        ck_status st = ck_sgemm(CK_ROW_MAJOR, CK_NO_TRANS, CK_NO_TRANS, M, N, K,
                                alpha, a, K, b, N, beta, c, N);
        if (st != CK_OK) {
            printf("FAIL isa=%s: ck_sgemm returned %s\n", ck_isa_name(ck_isa_active()), ck_status_string(st));
            failures++;
            continue;
        }
        double worst = 0.0;
        int bad = 0;
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double sum = 0.0, magnitude = 0.0;
                for (int p = 0; p < K; p++) {
                    sum += (double)a[i * K + p] * b[p * N + j];
                    magnitude += fabs((double)a[i * K + p] * b[p * N + j]);
                }
                double expect = alpha * sum + beta * (double)c0[i * N + j];
                /* float accumulation over K terms in any order: error <= K·eps·Σ|terms|
                 * (standard dot-product bound); 2x slack for the alpha/beta roundings. */
                double tol = 2.0 * K * FLT_EPSILON * (fabs(alpha) * magnitude + fabs(beta * c0[i * N + j]));
                double err = fabs(c[i * N + j] - expect);
                if (err > tol) bad++;
                if (err > worst) worst = err;
            }
        }
        printf("%s isa=%s impl=\"%s\" %dx%dx%d max|err|=%.3g\n", bad ? "FAIL" : "ok  ",
               ck_isa_name(ck_isa_active()), ck_impl_name(CK_OP_SGEMM), M, N, K, worst);
        failures += bad != 0;
    }
    ck_set_max_isa(ck_isa_detected());
    return failures ? 1 : 0;
}
