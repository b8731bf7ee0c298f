#include "wd/view.h"

#include <dirent.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "wd/channel.h"
#include "wd/dashboard.h"
#include "wd/http.h"
#include "wd/log.h"
#include "wd/pipeline.h"
#include "wd/publish.h"
#include "wd/store.h"
#include "wd/storeprobe.h"
#include "wd/text.h"
#include "wiredesk.pb-c.h"

/* Counts a message on its channel (bounded table: channels beyond it are
 * counted in their family only, through the totals). */
void
wd_view_count(struct wd_view *v, const char *channel)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = channel; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    for (size_t i = 0; i < WD_VIEW_CHANNELS; i++) {
        struct wd_channel_count *c =
            &v->channels[(h + i) & (WD_VIEW_CHANNELS - 1)];
        if (c->name[0] == '\0') {
            if (v->n_channels >= WD_VIEW_CHANNELS / 2)
                return;
            wd_text_copy(c->name, sizeof c->name, channel);
            v->n_channels++;
        }
        if (strcmp(c->name, channel) == 0) {
            c->messages++;
            return;
        }
    }
}

/* The counters of one WorkerStats message. */
enum {
    N_COUNTERS = WD_C__COUNT + WD_REJECT__COUNT + WD_DEDUP_KIND__COUNT +
                 WD_REFUSE__COUNT + WD_EMPTY__COUNT
};
struct ws_counters {
    Wiredesk__V1__WorkerStats__Counter c[N_COUNTERS], *ptrs[N_COUNTERS];
    char labels[N_COUNTERS][48];
    size_t n;
};

/* Appends counter name, labelled key=value unless key is NULL. */
static void
add_counter(struct ws_counters *w, const char *name, const char *key,
            const char *value, uint64_t v)
{
    size_t n = w->n++;
    wiredesk__v1__worker_stats__counter__init(&w->c[n]);
    w->labels[n][0] = '\0';
    if (key)
        snprintf(w->labels[n], sizeof w->labels[n], "%s=%s", key, value);
    w->c[n].name = (char *)name;
    w->c[n].label = w->labels[n];
    w->c[n].value = v;
    w->ptrs[n] = &w->c[n];
}

void
wd_view_publish_stats(struct wd_view *v, struct wd_publish *pub)
{
    Wiredesk__V1__WorkerStats ws;
    wiredesk__v1__worker_stats__init(&ws);
    ws.worker = (char *)v->worker; /* protobuf-c does not write it */
    ws.version = WD_VERSION;
    ws.at_ms = wd_now_ms();
    ws.started_at_ms = v->stats->started_at_ms;
    ws.pages_received = v->stats->c[WD_C_PAGES_RECEIVED];
    ws.pages_accepted = v->stats->c[WD_C_PAGES_ACCEPTED];
    ws.pages_rejected = v->stats->c[WD_C_PAGES_REJECTED];
    ws.articles_published = v->stats->c[WD_C_ARTICLES_PUBLISHED];
    ws.messages_published = v->stats->c[WD_C_MESSAGES_PUBLISHED];
    ws.publish_dropped = v->stats->c[WD_C_PUBLISH_DROPPED];
    ws.duplicates = v->stats->c[WD_C_ARTICLES_DUPLICATE];

    struct ws_counters wc = {.n = 0};
    for (int i = 0; i < WD_C__COUNT; i++)
        add_counter(&wc, wd_counter_name(i), NULL, NULL, v->stats->c[i]);
    for (int r = 0; r < WD_REJECT__COUNT; r++)
        add_counter(&wc, "pages_rejected", "reason", wd_reject_name(r),
                    v->stats->rejected[r]);
    for (int e = 1; e < WD_EMPTY__COUNT; e++)
        add_counter(&wc, "pages_without_articles", "reason", wd_empty_name(e),
                    v->stats->empty[e]);
    for (int k = 0; k < WD_DEDUP_KIND__COUNT; k++)
        add_counter(&wc, "dedup_decisions", "kind", wd_dedup_kind_name(k),
                    v->stats->dedup[k]);
    for (int r = 0; r < WD_REFUSE__COUNT; r++)
        add_counter(&wc, "clients_refused", "reason", wd_refuse_name(r),
                    v->stats->refused[r]);
    ws.n_counters = wc.n;
    ws.counters = wc.ptrs;
    uint8_t buf[4096];
    size_t len = wiredesk__v1__worker_stats__get_packed_size(&ws);
    if (len > sizeof buf)
        return;
    wiredesk__v1__worker_stats__pack(&ws, buf);
    /* Stats messages are not articles: they go out directly, uncounted. */
    wd_publish_send(pub, WD_CHANNEL_STATS, buf, len, NULL);
}

static int
by_messages(const void *a, const void *b)
{
    const struct wd_channel_count *x = a, *y = b;
    if (x->messages != y->messages)
        return x->messages < y->messages ? 1 : -1;
    return strcmp(x->name, y->name);
}

static uint64_t
rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0, rss = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* The process figures: CPU time, virtual size, file descriptors. */
static void
process_figures(struct wd_snapshot *s)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        s->cpu_seconds =
            (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
            (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    s->virtual_bytes = (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    if (d) {
        closedir(d);
        n--; /* the directory's own descriptor */
    }
    s->open_fds = n;
    struct rlimit rl;
    s->max_fds = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < INT32_MAX
                     ? (int)rl.rlim_cur
                     : 0;
}

/* Gathers the figures of the operator's view. channels and latest are
 * caller storage. */
void
wd_view_figures(struct wd_view *v, struct wd_snapshot *s, const char **latest)
{
    memset(s, 0, sizeof *s);
    s->stats = v->stats;
    s->version = WD_VERSION;
    s->worker = v->worker;
    s->now_ms = wd_now_ms();
    s->rss_bytes = rss_bytes();
    process_figures(s);
    s->start_time_s = (double)v->stats->started_at_ms / 1000.0;
    s->loop_idle_s = (double)uv_metrics_idle_time(v->timer.loop) / 1e9;
    /* A shared store's figures come from the probe's thread: the loop
     * never waits on a server for them (LMDB's are local reads). */
    bool answering = true;
    if (v->probe) {
        struct wd_storeprobe_figures f;
        wd_storeprobe_read(v->probe, &f);
        s->store_stories = f.stories;
        s->store_bytes = f.bytes;
        answering =
            f.answering && wd_mono_ms() - f.answered_ms <
                               WD_STOREPROBE_MS + WD_STOREPROBE_SILENT_MS;
    } else {
        s->store_stories = wd_pipeline_dedup_count(v->pipeline);
        v->store->ops->size(v->store->impl, &s->store_bytes);
    }
    s->http_connections = wd_http_connections(v->http);
    for (int i = 0; i < WD_SOCKET__COUNT; i++) {
        s->peers[i] = v->peers ? wd_peers_connected(&v->peers[i]) : -1;
        if (v->peers)
            wd_peers_send_queue(&v->peers[i], &s->send_queue[i],
                                &s->send_queue_max[i]);
    }
    s->ready = !*v->stopping && wd_pipeline_store_ok(v->pipeline) && answering;
    s->not_ready = *v->stopping ? "stopping"
                   : !answering ? "the store does not answer"
                                : "the store cannot remember "
                                  "pages (full or failing)";
    size_t n = 0;
    for (size_t i = 0; i < WD_VIEW_CHANNELS; i++)
        if (v->channels[i].name[0])
            v->sorted[n++] = v->channels[i];
    qsort(v->sorted, n, sizeof v->sorted[0], by_messages);
    s->channels = v->sorted;
    s->n_channels = n;
    size_t k = v->n_latest < WD_VIEW_LATEST ? v->n_latest : WD_VIEW_LATEST;
    for (size_t i = 0; i < k; i++)
        latest[i] = v->latest[(v->n_latest - 1 - i) % WD_VIEW_LATEST];
    s->latest = latest;
    s->n_latest = k;
    size_t live, bytes;
    wd_pipeline_events_usage(v->pipeline, &live, &bytes);
    s->events_live = live;
    s->events_bytes = bytes;
    s->n_events = 0; /* busiest_events(), for the routes that show them */
    s->events = v->busiest;
}

/* The busiest events into the figures: a walk over the live events, done
 * only for what shows them (/stats, /events, the dashboard's push), not
 * for /metrics or /readyz. */
static void
busiest_events(struct wd_view *v, struct wd_snapshot *s)
{
    s->n_events =
        wd_pipeline_busiest_events(v->pipeline, v->busiest, WD_VIEW_EVENTS);
}

static char *
dup_text(const char *s, size_t *len)
{
    *len = strlen(s);
    char *p = malloc(*len + 1);
    if (p)
        memcpy(p, s, *len + 1);
    return p;
}

void
wd_view_on_http(void *ctx, const char *path, struct wd_http_reply *r)
{
    struct wd_view *v = ctx;
    const char *latest[WD_VIEW_LATEST];
    struct wd_snapshot s;
    char route[64];
    size_t i = 0;
    while (path[i] && path[i] != '?' && i + 1 < sizeof route) {
        route[i] = path[i];
        i++;
    }
    route[i] = '\0';
    if (strcmp(route, "/metrics") == 0) {
        wd_view_figures(v, &s, latest);
        r->content_type = "text/plain; version=0.0.4; charset=utf-8";
        r->body = wd_metrics_prometheus(&s, &r->len);
    } else if (strcmp(route, "/stats") == 0) {
        wd_view_figures(v, &s, latest);
        busiest_events(v, &s);
        r->content_type = "application/json";
        r->body = wd_metrics_json(&s, &r->len);
    } else if (strcmp(route, "/events") == 0) {
        wd_view_figures(v, &s, latest);
        busiest_events(v, &s);
        r->event_stream = true;
        r->body = wd_metrics_json(&s, &r->len);
    } else if (strcmp(route, "/healthz") == 0) {
        r->body = dup_text("ok\n", &r->len);
    } else if (strcmp(route, "/readyz") == 0) {
        wd_view_figures(v, &s, latest);
        if (s.ready) {
            r->body = dup_text("ready\n", &r->len);
        } else {
            char msg[160];
            snprintf(msg, sizeof msg, "not ready: %s\n", s.not_ready);
            r->status = 503;
            r->body = dup_text(msg, &r->len);
        }
    } else if (strcmp(route, "/") == 0) {
        r->content_type = "text/html; charset=utf-8";
        r->body = dup_text(wd_dashboard_html, &r->len);
    } else {
        r->status = 404;
        r->body = dup_text("not found\n", &r->len);
    }
}

#ifdef __GLIBC__
/* Free memory malloc may keep before it is handed back ... */
#define TRIM_HELD (16u << 20)
/* ... at once when no page came in the last second, else once it has been
 * held this many seconds in a row. */
#define TRIM_BUSY_S 30

static void
trim_work(uv_work_t *req)
{
    (void)req;
    malloc_trim(0);
}

static void
trim_done(uv_work_t *req, int status)
{
    (void)status;
    struct wd_view *v = req->data;
    v->trimming = false;
}
#endif

/* Pushes the figures to every dashboard once a second. */
static void
on_view_timer(uv_timer_t *t)
{
    struct wd_view *v = t->data;
    const char *latest[WD_VIEW_LATEST];
    struct wd_snapshot s;
    wd_view_figures(v, &s, latest);
    busiest_events(v, &s);
    size_t len;
    char *json = wd_metrics_json(&s, &len);
    if (json)
        wd_http_broadcast(v->http, json, len);
    free(json);
#ifdef __GLIBC__
    /* Memory freed in bulk (a slow subscriber's queue, gone with it; a
     * backlog of pages worked off) goes back to the system: glibc keeps it
     * otherwise (a review saw 380-475 MB stay after such a subscriber
     * left). Only once malloc holds TRIM_HELD bytes free, and on a libuv
     * worker thread: a trim walks every arena, 1-9 ms with each of them
     * locked in turn; done every second on the loop, it stalled the pages
     * behind it. And while pages come in, only once that much has stayed
     * free for TRIM_BUSY_S seconds: in a flood the pages' memory churns
     * (the queue's frames, the parse arenas) and whatever a trim hands
     * back is faulted in again at once (a trim a second in a flood of
     * seed-like pages: a third more page faults and about a tenth
     * more CPU a page, bench/RESULTS.md). Asking costs microseconds. */
    uint64_t pages = v->stats->c[WD_C_PAGES_RECEIVED];
    bool quiet = pages == v->trim_pages;
    v->trim_pages = pages;
    bool held = mallinfo2().fordblks >= TRIM_HELD;
    v->trim_held_s = held ? v->trim_held_s + 1 : 0;
    if (!v->trimming && held && (quiet || v->trim_held_s >= TRIM_BUSY_S)) {
        v->trim_held_s = 0;
        v->trimming = true;
        v->trim.data = v;
        if (uv_queue_work(t->loop, &v->trim, trim_work, trim_done) != 0)
            v->trimming = false;
    }
#endif
}

void
wd_view_published(struct wd_view *v, const char *title)
{
    wd_text_copy(v->latest[v->n_latest % WD_VIEW_LATEST], sizeof v->latest[0],
                 title);
    v->n_latest++;
}

int
wd_view_start(struct wd_view *v, uv_loop_t *loop)
{
    int rc = uv_timer_init(loop, &v->timer);
    if (rc)
        return rc;
    v->timer.data = v;
    v->timer_open = true;
    return uv_timer_start(&v->timer, on_view_timer, 1000, 1000);
}

void
wd_view_close(struct wd_view *v)
{
    if (!v->timer_open)
        return;
    uv_timer_stop(&v->timer);
    uv_close((uv_handle_t *)&v->timer, NULL);
    v->timer_open = false;
}
