/* Small helpers shared by the benchmark and evaluation tools. */
#ifndef WD_BENCHUTIL_H
#define WD_BENCHUTIL_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

/* A 64-bit mix (MurmurHash3's finaliser): random-looking, reproducible
 * numbers for synthetic keys. */
static inline uint64_t
bench_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Seconds of the monotonic clock. */
static inline double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A whole file, NUL-terminated, in a malloc'd buffer; NULL when it cannot
 * be read. */
static inline char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    *len = b ? fread(b, 1, (size_t)n, f) : 0;
    if (b)
        b[*len] = '\0';
    fclose(f);
    return b;
}

/* A file read whole (slurp()). */
struct bench_file {
    char *data;
    size_t len;
};

/* The files of dir whose names end in suffix (and are longer), read into
 * files[0..max), in the directory's order; returns how many (those that
 * cannot be read are left out). */
static inline int
bench_load_dir(const char *dir, const char *suffix, struct bench_file *files,
               int max)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    size_t sl = strlen(suffix);
    while (d && (e = readdir(d)) != NULL && n < max) {
        size_t l = strlen(e->d_name);
        if (l <= sl || strcmp(e->d_name + l - sl, suffix) != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if ((files[n].data = slurp(path, &files[n].len)) != NULL)
            n++;
    }
    if (d)
        closedir(d);
    return n;
}

/* A "Field:  N kB" value of /proc/PID/status (pid 0: this process), or
 * -1. */
static inline long
proc_status_kb(int pid, const char *field)
{
    char path[64], line[256];
    if (pid)
        snprintf(path, sizeof path, "/proc/%d/status", pid);
    else
        snprintf(path, sizeof path, "/proc/self/status");
    FILE *f = fopen(path, "r");
    long v = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0)
            v = strtol(line + n + 1, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

/* Milliseconds of the wall clock (what RawPage.fetched_at_ms holds, so that
 * latency can be read off published articles). */
static inline int64_t
wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* CPU seconds (user + system, all threads) process pid has used so far. */
static inline double
cpu_seconds(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    unsigned long ut = 0, st = 0;
    if (f) {
        /* Fields 14 and 15: utime, stime (after the ")" of the name). */
        char buf[1024];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        if (p)
            sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                   &ut, &st);
        fclose(f);
    }
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Removes the directory dir and all under it (a run's state); says so on
 * stderr when it cannot. Returns 0 or -1. */
static inline int
bench_remove_dir(const char *dir)
{
    char cmd[4200];
    if (snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir) >= (int)sizeof cmd ||
        system(cmd) != 0) {
        fprintf(stderr, "cannot remove %s\n", dir);
        return -1;
    }
    return 0;
}

/* Reads and drops the rest of a message: the frames after [channel, bytes]
 * (sequence number and epoch, docs/PROTOCOL.md). */
static inline void
bench_skip_frames(void *sock)
{
    int more = 0;
    size_t sz = sizeof more;
    while (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        zmq_msg_recv(&m, sock, 0);
        zmq_msg_close(&m);
        sz = sizeof more;
    }
}

#endif
