/*
 * bench.c — GFLOP/s of one 8x48 SGEMM tile (k = 512, packed A and B, beta = 1), timed in CPU
 * time of the thread (a busy shared machine distorts it less than wall time), three ways: the
 * library's C micro-kernel compiled at -O0 (what a SwiftPM debug build runs) and at -O3, and the
 * same tile with its k loop in inline assembly compiled at -O0 (asm_kernel.c, written by
 * gen_asm_kernel.py). Also checks that the three results are bitwise equal. Run: run.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
void asm_8x48(int64_t k, float alpha, const float *ap, const float *bp, float beta, float *c, int64_t ldc);
void k_O0(int64_t, float, const float *, const float *, float, float *, int64_t, int, int, const void *);
void k_O3(int64_t, float, const float *, const float *, float, float *, int64_t, int, int, const void *);
static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
int main(void) {
    enum { K = 512, REPS = 2000 };
    float *a = aligned_alloc(64, K * 8 * 4), *b = aligned_alloc(64, K * 48 * 4);
    float c[3][8 * 48];
    for (int i = 0; i < K * 8; ++i) a[i] = (float)((i * 37) % 101) / 101.0f - 0.5f;
    for (int i = 0; i < K * 48; ++i) b[i] = (float)((i * 53) % 97) / 97.0f - 0.5f;
    char pf[64]; memset(pf, 0, sizeof pf); /* a ck_gemm_prefetch with no rows (count 0) */
    const char *names[3] = {"C kernel -O0", "C kernel -O3", "asm k-loop -O0"};
    for (int round = 0; round < 2; ++round)
    for (int which = 0; which < 3; ++which) {
        memset(c[which], 0, sizeof c[which]);
        double t0 = now();
        for (int r = 0; r < REPS; ++r) {
            if (which == 0) k_O0(K, 1.0f, a, b, 1.0f, c[0], 48, 8, 48, pf);
            else if (which == 1) k_O3(K, 1.0f, a, b, 1.0f, c[1], 48, 8, 48, pf);
            else asm_8x48(K, 1.0f, a, b, 1.0f, c[2], 48);
        }
        double t = now() - t0;
        printf("%-16s %7.2f GFLOP/s\n", names[which], 2.0 * 8 * 48 * K * REPS / t * 1e-9);
    }
    printf("bitwise equal: O0 vs O3 %s, asm vs O3 %s\n", memcmp(c[0], c[1], sizeof c[0]) ? "NO" : "yes",
           memcmp(c[2], c[1], sizeof c[0]) ? "NO" : "yes");
    return 0;
}
