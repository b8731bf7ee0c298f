/* The worker's figures as text: Prometheus exposition format for /metrics
 * and JSON for /stats, the dashboard and `wiredesk stats`. Pure functions
 * over a snapshot; the shell (app.c) gathers it. */
#ifndef WD_METRICS_H
#define WD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wd/cluster.h"
#include "wd/stats.h"

struct wd_channel_count {
    char name[64];
    uint64_t messages;
};

struct wd_snapshot {
    const struct wd_stats *stats;
    const char *version;
    const char *worker; /* host:pid */
    int64_t now_ms;
    uint64_t rss_bytes;
    /* The process, as Prometheus' client libraries name it (process_*). */
    uint64_t virtual_bytes;
    double cpu_seconds;  /* user + system */
    double start_time_s; /* since the Unix epoch */
    int open_fds, max_fds;
    double loop_idle_s; /* the event loop's time waiting for events */
    uint64_t store_stories;
    uint64_t store_bytes;
    int http_connections;
    /* ZeroMQ connections per socket now (publish: the subscribers); -1
     * for a socket not bound or not monitored. */
    int64_t peers[WD_SOCKET__COUNT];
    /* Bytes unsent in the kernel on those connections: all, the fullest. */
    uint64_t send_queue[WD_SOCKET__COUNT], send_queue_max[WD_SOCKET__COUNT];
    bool ready;
    const char *not_ready;                   /* reason, when !ready */
    const struct wd_channel_count *channels; /* top channels, most first */
    size_t n_channels;
    const char *const *latest; /* latest published titles, newest first */
    size_t n_latest;
    /* Events: live, the clusterer's bytes, the busiest (most first). */
    uint64_t events_live, events_bytes;
    const struct wd_cluster_event *events;
    size_t n_events;
};

/* Renders the Prometheus text format. Returns a malloc'd string (caller
 * frees) and its length, or NULL when out of memory. */
char *wd_metrics_prometheus(const struct wd_snapshot *s, size_t *len);

/* Renders the same figures as one JSON object (one line). */
char *wd_metrics_json(const struct wd_snapshot *s, size_t *len);

/* The Prometheus text writer behind wd_metrics_prometheus, for other
 * expositions (the proxy's /metrics): init, families and samples, finish
 * (the malloc'd text, or NULL when memory ran out; the writer is done). */
struct wd_metrics_out {
    char *p;
    size_t len, cap;
    bool failed;
};

bool wd_metrics_init(struct wd_metrics_out *o);

void wd_metrics_put(struct wd_metrics_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "# HELP wiredesk_NAME HELP" and "# TYPE wiredesk_NAME TYPE". */
void wd_metrics_family(struct wd_metrics_out *o, const char *name,
                       const char *type, const char *help);

char *wd_metrics_finish(struct wd_metrics_out *o, size_t *len);

#endif
