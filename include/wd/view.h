/* The operator's view of a running worker: its figures (counters, the
 * busiest channels, the latest titles, the store's size and health), the
 * HTTP routes that show them (/metrics, /stats, /events, /healthz,
 * /readyz, the dashboard at /), the once-a-second push to open dashboards,
 * and the $stats WorkerStats message. Loop thread only. */
#ifndef WD_VIEW_H
#define WD_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "wd/metrics.h"
#include "wd/peers.h"
#include "wd/stats.h"

struct wd_http;
struct wd_http_reply;
struct wd_pipeline;
struct wd_publish;
struct wd_store;
struct wd_storeprobe;

#define WD_VIEW_CHANNELS 1024 /* channels counted by name (then families) */
#define WD_VIEW_LATEST 10     /* titles shown */
#define WD_VIEW_EVENTS 8      /* busiest events shown */

struct wd_view {
    /* What the figures are read from: the worker's, borrowed. */
    const struct wd_stats *stats;
    const char *worker; /* host:pid */
    struct wd_pipeline *pipeline;
    struct wd_store *store;
    struct wd_storeprobe *probe; /* NULL: a local store (LMDB) */
    const bool *stopping;
    struct wd_http *http;         /* where the dashboards are */
    const struct wd_peers *peers; /* [WD_SOCKET__COUNT], NULL: none */
    /* Its own. */
    uv_timer_t timer;
    bool timer_open;
    uv_work_t trim; /* memory handed back, off the loop */
    bool trimming;
    uint64_t trim_pages;  /* pages received at the last look */
    unsigned trim_held_s; /* seconds in a row with memory held free */
    struct wd_channel_count channels[WD_VIEW_CHANNELS]; /* open addressing */
    size_t n_channels;
    struct wd_channel_count sorted[WD_VIEW_CHANNELS]; /* for one view */
    char latest[WD_VIEW_LATEST][160];                 /* ring of titles */
    size_t n_latest;
    struct wd_cluster_event busiest[WD_VIEW_EVENTS]; /* the figures' */
};

/* Counts a message published on channel. */
void wd_view_count(struct wd_view *v, const char *channel);

/* Notes the title of a story published. */
void wd_view_published(struct wd_view *v, const char *title);

/* The figures now; latest is caller storage for WD_VIEW_LATEST titles.
 * The store's come from the probe for a shared store: never a wait. */
void wd_view_figures(struct wd_view *v, struct wd_snapshot *s,
                     const char **latest);

/* The HTTP routes (a wd_http callback; ctx is the view). */
void wd_view_on_http(void *ctx, const char *path, struct wd_http_reply *r);

/* Starts and stops the dashboards' once-a-second push. */
int wd_view_start(struct wd_view *v, uv_loop_t *loop);
void wd_view_close(struct wd_view *v);

/* Publishes the figures as one WorkerStats message on $stats. */
void wd_view_publish_stats(struct wd_view *v, struct wd_publish *pub);

#endif
