/*
 * thread_default.c — the default thread count: the CPUs this process may actually use.
 *
 * Why not the OpenMP runtime's default: it counts every logical CPU of the affinity mask, so
 * a container limited by a cgroup CPU quota (which still shows all the host's cores) would
 * start dozens of threads that then wait for each other's time slices, and SMT siblings share
 * one core's FMA units, which our compute-bound kernels already saturate with one thread.
 * Order: OMP_NUM_THREADS when set; else the physical cores (SMT sibling groups) among the
 * CPUs of the affinity mask, lowered to a cgroup v2 `cpu.max` or v1 CFS quota if smaller.
 * Computed once per process.
 */
#include "ck_runtime.h"
#include "thread_default.h"

#include <ctype.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parsers (pure functions of a file's text) ---- */

static const char *skip_space(const char *s) {
    while (*s && isspace((unsigned char)*s)) ++s;
    return s;
}

/* Reads a non-negative decimal number; NULL when there is none. */
static const char *read_number(const char *s, long long *out) {
    if (!isdigit((unsigned char)*s)) return NULL;
    long long v = 0;
    while (isdigit((unsigned char)*s)) {
        if (v > (1LL << 40)) return NULL; /* absurd: not a CPU number or a quota */
        v = v * 10 + (*s++ - '0');
    }
    *out = v;
    return s;
}

/* Walks "a-b,c,…": returns the count of CPUs (and the lowest in *first), or -1. */
static int cpulist_scan(const char *list, int *first) {
    if (!list) return -1;
    const char *s = skip_space(list);
    long long count = 0, lowest = -1;
    if (!*s) return -1;
    for (;;) {
        long long a, b;
        s = read_number(s, &a);
        if (!s) return -1;
        b = a;
        if (*s == '-') {
            s = read_number(s + 1, &b);
            if (!s || b < a) return -1;
        }
        count += b - a + 1;
        if (lowest < 0 || a < lowest) lowest = a;
        if (count > (1 << 20)) return -1;
        if (*s == ',') { ++s; continue; }
        if (*skip_space(s)) return -1;
        break;
    }
    if (first) *first = (int)lowest;
    return (int)count;
}

int ck_cpulist_count(const char *list) { return cpulist_scan(list, NULL); }

int ck_cpulist_first(const char *list) {
    int first = -1;
    return cpulist_scan(list, &first) < 0 ? -1 : first;
}

/* ceil(quota / period) as a CPU count (at least 1), or -1 for nonsense. */
static int quota_cpus(long long quota, long long period) {
    if (quota <= 0 || period <= 0) return -1;
    long long cpus = (quota + period - 1) / period;
    return cpus > (1 << 20) ? (1 << 20) : (int)cpus;
}

int ck_cgroup2_cpu_limit(const char *cpu_max) {
    if (!cpu_max) return -1;
    const char *s = skip_space(cpu_max);
    long long quota, period;
    if (strncmp(s, "max", 3) == 0) {
        s += 3;
        quota = -1;
    } else if (!(s = read_number(s, &quota))) {
        return -1;
    }
    if (!isspace((unsigned char)*s)) return -1;
    s = read_number(skip_space(s), &period);
    if (!s || *skip_space(s) || period <= 0) return -1;
    return quota < 0 ? 0 : quota_cpus(quota, period);
}

int ck_cgroup1_cpu_limit(const char *quota_us, const char *period_us) {
    if (!quota_us || !period_us) return -1;
    const char *q = skip_space(quota_us), *p = skip_space(period_us);
    long long quota, period;
    if (strncmp(q, "-1", 2) == 0 && !*skip_space(q + 2)) return 0;
    q = read_number(q, &quota);
    p = read_number(p, &period);
    if (!q || !p || *skip_space(q) || *skip_space(p)) return -1;
    return quota_cpus(quota, period);
}

/* The path of the line "<id>:<controllers>:<path>" whose controller list contains `want`
 * ("" for the cgroup v2 line "0::<path>"). */
static int cgroup_line_path(const char *text, const char *want, char *out, size_t out_len) {
    if (!text || !out || out_len == 0) return -1;
    const char *line = text;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *c1 = memchr(line, ':', len);
        const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
        if (c2) {
            size_t clen = (size_t)(c2 - c1 - 1);
            int match = 0;
            if (!*want) match = clen == 0;
            else { /* comma-separated controllers */
                const char *c = c1 + 1;
                while (c < c2) {
                    const char *comma = memchr(c, ',', (size_t)(c2 - c));
                    const char *stop = comma ? comma : c2;
                    if ((size_t)(stop - c) == strlen(want) && strncmp(c, want, (size_t)(stop - c)) == 0) match = 1;
                    c = stop + 1;
                }
            }
            size_t plen = len - (size_t)(c2 + 1 - line);
            if (match && plen > 0 && plen < out_len) {
                memcpy(out, c2 + 1, plen);
                out[plen] = 0;
                return 0;
            }
        }
        if (!end) break;
        line = end + 1;
    }
    return -1;
}

int ck_cgroup2_path(const char *proc_self_cgroup, char *out, size_t out_len) {
    return cgroup_line_path(proc_self_cgroup, "", out, out_len);
}

int ck_omp_num_threads_value(const char *text) {
    if (!text) return 0;
    long long v;
    const char *s = read_number(skip_space(text), &v);
    if (!s || v < 1 || v > 1 << 16) return 0;
    s = skip_space(s);
    return (*s == 0 || *s == ',') ? (int)v : 0;
}

/* ---- reading the machine ---- */

/* The text of a small file into buf; 0 on success. */
static int read_text(const char *path, char *buf, size_t len) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t got = fread(buf, 1, len - 1, f);
    fclose(f);
    buf[got] = 0;
    return got > 0 ? 0 : -1;
}

/* The smallest positive CPU limit found in the cgroup folders from `dir` up to `root`
 * (a quota on any ancestor applies too); 0 when none. */
static int cgroup_limit_upwards(const char *root, const char *path, int v2) {
    char dir[1024], file[1200], a[128], b[128];
    int best = 0;
    if (snprintf(dir, sizeof dir, "%s%s", root, strcmp(path, "/") == 0 ? "" : path) >= (int)sizeof dir) return 0;
    for (;;) {
        int lim = -1;
        if (v2) {
            snprintf(file, sizeof file, "%s/cpu.max", dir);
            if (read_text(file, a, sizeof a) == 0) lim = ck_cgroup2_cpu_limit(a);
        } else {
            snprintf(file, sizeof file, "%s/cpu.cfs_quota_us", dir);
            int ok = read_text(file, a, sizeof a) == 0;
            snprintf(file, sizeof file, "%s/cpu.cfs_period_us", dir);
            if (ok && read_text(file, b, sizeof b) == 0) lim = ck_cgroup1_cpu_limit(a, b);
        }
        if (lim > 0 && (best == 0 || lim < best)) best = lim;
        if (strlen(dir) <= strlen(root)) break;
        char *slash = strrchr(dir, '/');
        if (!slash || slash < dir + strlen(root)) break;
        *slash = 0;
    }
    return best;
}

/* CPUs allowed by the cgroup CPU quota of this process (v2, then v1); 0 when unlimited. */
static int cgroup_cpu_limit(const char **kind) {
    char self[4096], path[1024];
    if (read_text("/proc/self/cgroup", self, sizeof self) != 0) return 0;
    if (ck_cgroup2_path(self, path, sizeof path) == 0) {
        static const char *roots[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
        for (int i = 0; i < 2; ++i) {
            int lim = cgroup_limit_upwards(roots[i], path, 1);
            if (lim > 0) { *kind = "cgroup v2 cpu.max"; return lim; }
        }
    }
    if (cgroup_line_path(self, "cpu", path, sizeof path) == 0) {
        static const char *roots[] = {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"};
        for (int i = 0; i < 2; ++i) {
            int lim = cgroup_limit_upwards(roots[i], path, 0);
            if (lim > 0) { *kind = "cgroup v1 CFS quota"; return lim; }
        }
    }
    return 0;
}

enum { CK_MAX_CPUS = 8192 };

/* Logical CPUs in the affinity mask and the physical cores they belong to. */
static void affinity_cpus(int *logical, int *cores) {
    *logical = *cores = 0;
    cpu_set_t *mask = CPU_ALLOC(CK_MAX_CPUS), *seen = CPU_ALLOC(CK_MAX_CPUS);
    size_t size = CPU_ALLOC_SIZE(CK_MAX_CPUS);
    if (!mask || !seen || sched_getaffinity(0, size, mask) != 0) {
        CPU_FREE(mask);
        CPU_FREE(seen);
        return;
    }
    CPU_ZERO_S(size, seen);
    for (int cpu = 0; cpu < CK_MAX_CPUS; ++cpu) {
        if (!CPU_ISSET_S(cpu, size, mask)) continue;
        ++*logical;
        char file[128], text[256];
        snprintf(file, sizeof file, "/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", cpu);
        int core = read_text(file, text, sizeof text) == 0 ? ck_cpulist_first(text) : -1;
        if (core < 0 || core >= CK_MAX_CPUS) core = cpu; /* unknown topology: its own core */
        if (!CPU_ISSET_S(core, size, seen)) {
            CPU_SET_S(core, size, seen);
            ++*cores;
        }
    }
    CPU_FREE(mask);
    CPU_FREE(seen);
}

static int default_count = 1;
static char default_reason[256] = "";
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void compute_default(void) {
    int omp = ck_omp_num_threads_value(getenv("OMP_NUM_THREADS"));
    if (omp > 0) {
        default_count = omp;
        snprintf(default_reason, sizeof default_reason, "OMP_NUM_THREADS=%d", omp);
        return;
    }
    int logical, cores;
    affinity_cpus(&logical, &cores);
    if (logical <= 0) logical = cores = 1;
    const char *kind = NULL;
    int quota = cgroup_cpu_limit(&kind);
    int n = cores;
    int len = snprintf(default_reason, sizeof default_reason, "%d CPUs in the affinity mask", logical);
    if (cores < logical)
        len += snprintf(default_reason + len, sizeof default_reason - (size_t)len,
                        ", %d physical cores (SMT siblings not counted)", cores);
    if (quota > 0 && quota < n) {
        n = quota;
        snprintf(default_reason + len, sizeof default_reason - (size_t)len, ", %s allows %d", kind, quota);
    } else if (quota > 0) {
        snprintf(default_reason + len, sizeof default_reason - (size_t)len, ", %s allows %d (not fewer)", kind, quota);
    } else {
        snprintf(default_reason + len, sizeof default_reason - (size_t)len, ", no cgroup CPU quota");
    }
    default_count = n > 0 ? n : 1;
}

int ck_default_num_threads(char *why, size_t why_len) {
    pthread_once(&default_once, compute_default);
    if (why && why_len > 0) snprintf(why, why_len, "%s", default_reason);
    return default_count;
}
