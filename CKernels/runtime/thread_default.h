/*
 * thread_default.h — the parsers behind the default thread count (internal; tested with
 * fixture strings by Tests/threads/thread_default_test.c). Each takes the text of one file.
 */
#ifndef CK_THREAD_DEFAULT_H
#define CK_THREAD_DEFAULT_H

#include <stddef.h>
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

/** CPUs in a Linux CPU list such as "0-3,8,10-11\n"; -1 when the text is not a CPU list. */
int ck_cpulist_count(const char *list);

/** The lowest CPU in a CPU list (the id of an SMT sibling group); -1 when not a CPU list. */
int ck_cpulist_first(const char *list);

/** CPUs allowed by a cgroup v2 `cpu.max` ("max 100000" or "<quota> <period>"): the quota
 *  rounded up to whole CPUs, 0 for no limit, -1 when the text is malformed. */
int ck_cgroup2_cpu_limit(const char *cpu_max);

/** The same for cgroup v1 `cpu.cfs_quota_us` ("-1" = no limit) and `cpu.cfs_period_us`. */
int ck_cgroup1_cpu_limit(const char *quota_us, const char *period_us);

/** The cgroup v2 path of the process from /proc/self/cgroup (the "0::<path>" line) into out;
 *  0 when found, -1 otherwise (a pure cgroup v1 system). */
int ck_cgroup2_path(const char *proc_self_cgroup, char *out, size_t out_len);

/** A positive thread count from OMP_NUM_THREADS's text (its first, outermost level, e.g.
 *  "8" or "8,2"); 0 when the text is not one. */
int ck_omp_num_threads_value(const char *text);

#pragma GCC visibility pop
#endif
