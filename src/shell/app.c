#include "wd/app.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>
#include <zmq.h>

#include "wd/curve.h"
#include "wd/dupindex.h"
#include "wd/http.h"
#include "wd/err.h"
#include "wd/ingest.h"
#include "wd/channel.h"
#include "wd/events.h"
#include "wd/journaling.h"
#include "wd/log.h"
#include "wd/peers.h"
#include "wd/pipeline.h"
#include "wd/prep.h"
#include "wd/publish.h"
#include "wd/snapshot.h"
#include "wd/cluster.h"
#include "wd/statedir.h"
#include "wd/stats.h"
#include "wd/store.h"
#include "wd/storeprobe.h"
#include "wd/tag.h"
#include "wd/text.h"
#include "wd/view.h"
#include "wd/zsock.h"

/* One page in hand. */
struct job {
    struct wd_prepared *pp;
    struct wd_ingest_ack ack; /* whom to answer, if acked */
    bool acked;
    uint64_t received_ns; /* uv_hrtime() when the page came in */
};

struct app {
    struct wd_http *http;
    struct wd_view view; /* figures, HTTP routes, dashboard push, $stats */
    struct wd_journaling journal; /* published stories, for RESUME */
    bool journaling;
    const struct wd_app_config *cfg;
    uv_loop_t loop;
    void *zctx;
    struct wd_ingest ingest;
    struct wd_ingest ingest_ack; /* --ingest-ack: answers each page */
    struct wd_publish pub;
    struct wd_pipeline *pipeline;
    struct wd_store store;
    struct wd_storeprobe *probe; /* a shared store's figures, off the loop */
    uv_timer_t sync_timer;
    uv_work_t sync_req; /* the once-a-second sync, off the loop */
    int sync_rc;
    bool syncing;
    struct wd_stats stats;
    uv_timer_t stats_timer;
    uv_signal_t sigint, sigterm, sighup;
    /* SIGHUP: the tagger's files are read and compiled off the loop, then
     * swapped in between two pages. */
    const char *data_dir;
    uv_work_t reload;
    struct wd_tagger *reloaded;
    int reload_rc;
    char reload_err[512];
    bool reloading, reload_again;
    /* Pages in hand, in arrival order: jobs[head .. head + n). The prepare
     * thread parses and fingerprints them (the loop helps:
     * wd_prep_head_ready()),
     * and the loop finishes them in order. The head is held when the store
     * could not take it (a shared store that is down, or a claim another
     * worker holds): retried with back-off, the pages behind it wait. */
    struct job jobs[WD_PREP_JOBS];
    unsigned head, n;
    bool ack_first;      /* which ingest refills a finished page's slot first */
    struct wd_prep prep; /* the prepare thread */
    /* A page the store could not take (a shared store that is down): held,
     * ingest paused, retried with back-off until the store answers. */
    bool held; /* the head job waits for a retry */
    uv_timer_t retry_timer;
    uv_timer_t stop_timer; /* the deadline of a stop that waits for it */
    unsigned retry_ms;
    bool held_contended; /* held for a claim, not for a store that is down */
    bool store_was_down; /* since the page was first held */
    struct wd_ratelimit reject_log[WD_REJECT__COUNT];
    /* CURVE (cfg->curve_secret): the server's key, the clients admitted,
     * the ZAP handler and the refusals' log limits. */
    struct wd_curve_key curve_key;
    struct wd_curve_allow curve_allow;
    struct wd_curve_zap zap;
    struct wd_ratelimit refuse_log[WD_REFUSE__COUNT];
    /* The peers of each bound socket (monitors): connections now, and
     * failed handshakes said with their address. */
    struct wd_peers peers[WD_SOCKET__COUNT];
    struct wd_statedir state; /* --state, locked */
    char worker_name[128];
    bool stopping;
    bool stopped;      /* finish_stop() ran */
    bool clean_marker; /* the state dir gets its clean-stop mark at exit */
    bool was_clean;    /* the last run had stopped cleanly */
};

/* Stories published this long before a crash are published again when
 * their pages come again (see wd_statedir_unclean_stop_ms()). */
#define REPUBLISH_MARGIN_MS 2000

static int
emit(void *ctx, const char *channel, const uint8_t *buf, size_t len)
{
    struct app *app = ctx;
    uint64_t seq = 0;
    int rc = wd_publish_send(&app->pub, channel, buf, len, &seq);
    /* Journaled whether ZeroMQ took it or not: a subscriber that lost it
     * asks for it again. */
    if (app->journaling)
        wd_journaling_sent(&app->journal, channel, seq, app->pub.epoch, buf,
                           len);
    if (strcmp(channel, WD_CHANNEL_DEDUP) == 0)
        wd_events_dedup(buf, len);
    if (rc == 0) {
        wd_view_count(&app->view, channel);
        app->stats.c[WD_C_MESSAGES_PUBLISHED]++;
        app->stats.c[WD_C_BYTES_OUT] += strlen(channel) + len;
    } else {
        app->stats.c[WD_C_PUBLISH_DROPPED]++;
    }
    return rc;
}

static void
log_reject(struct app *app, const struct wd_page_outcome *o)
{
    uint64_t suppressed = 0;
    if (!wd_ratelimit_allow(&app->reject_log[o->reason], wd_mono_ms(),
                            &suppressed))
        return;
    wd_events_rejected(o, app->stats.rejected[o->reason], suppressed);
}

static void finish_stop(struct app *app);
static void on_retry(uv_timer_t *t);
static void run_jobs(struct app *app);

static void
on_prepared(void *ctx)
{
    run_jobs(ctx);
}

static void
answer(struct app *app, const struct wd_page_outcome *o,
       const struct wd_ingest_ack *ack)
{
    char buf[64];
    const char *status = ack ? wd_pipeline_answer(o, buf, sizeof buf) : NULL;
    if (status)
        wd_ingest_reply(&app->ingest_ack, ack, status);
}

/* Ingest reads while there is room for pages and nothing is held. */
static void
update_ingest(struct app *app)
{
    if (app->held || app->n >= WD_PREP_JOBS || app->stopping) {
        wd_ingest_pause(&app->ingest);
        wd_ingest_pause(&app->ingest_ack);
    } else {
        wd_ingest_resume(&app->ingest);
        wd_ingest_resume(&app->ingest_ack);
    }
}

static void
on_message(struct wd_ingest *in, const void *data, size_t len, int frames,
           size_t total, const struct wd_ingest_ack *ack)
{
    struct app *app = in->data;
    if (frames != 1) {
        struct wd_page_outcome o;
        wd_pipeline_refuse(app->pipeline, WD_REJECT_MULTIPART, total, &o);
        log_reject(app, &o);
        answer(app, &o, ack);
        return;
    }
    struct wd_prepared *pp =
        wd_prepared_get(app->pipeline, data, len, wd_now_ms());
    if (!pp) {
        struct wd_page_outcome o;
        wd_pipeline_refuse(app->pipeline, WD_REJECT_INTERNAL, total, &o);
        log_reject(app, &o);
        return; /* unanswered: the client resends it */
    }
    struct job *j = &app->jobs[(app->head + app->n) % WD_PREP_JOBS];
    j->pp = pp;
    j->acked = ack != NULL;
    j->received_ns = uv_hrtime();
    if (ack)
        j->ack = *ack;
    app->n++;
    wd_prep_push(&app->prep, pp);
    update_ingest(app);
}

/* Finishes the head job: 0 when it is done (answered, freed), 1 when it is
 * held for a retry. */
static int
finish_head(struct app *app)
{
    struct job *j = &app->jobs[app->head];
    struct wd_page_outcome o;
    wd_pipeline_finish(app->pipeline, j->pp, emit, app, &o);
    if (!o.commit_failed) /* else its stories are staged again on retry */
        wd_journaling_done(&app->journal);
    if (o.rc)
        log_reject(app, &o);
    if (o.sent)
        wd_view_published(&app->view, o.last_title);
    if (o.retry) {
        if (o.contended)
            app->stats.c[WD_C_CLAIM_WAITS]++;
        bool first = !app->held;
        app->held = true;
        if (first || o.contended != app->held_contended) {
            /* Another worker publishing the same story commits within a
             * page's time: look again soon. A store that is down: back
             * off, to once a second, so that the worker is ready again
             * within a second of the store. */
            app->retry_ms = o.contended ? 10 : 100;
            app->store_was_down = !o.contended;
            if (o.commit_failed)
                wd_events_commit_failed(&o);
            else if (!o.contended)
                wd_log(WD_LOG_WARN, "store unreachable: ingest paused, the "
                                    "page is held and retried");
        } else if (app->retry_ms < 1000) {
            app->retry_ms = app->retry_ms * 2 < 1000 ? app->retry_ms * 2 : 1000;
        }
        app->held_contended = o.contended;
        uv_timer_start(&app->retry_timer, on_retry, app->retry_ms, 0);
        return 1;
    }
    if (app->held && app->store_was_down)
        wd_log(WD_LOG_INFO, "store reachable again: ingest resumed");
    if (app->held && app->stopping)
        wd_log(WD_LOG_INFO, "the held page is processed");
    app->held = false;
    app->store_was_down = false;
    /* From the page received to its articles handed over: the wait for the
     * prepare thread, the parse there and the finish here. */
    wd_stats_latency(&app->stats, (double)(uv_hrtime() - j->received_ns) / 1e9);
    wd_events_page(&o);
    answer(app, &o, j->acked ? &j->ack : NULL);
    wd_prepared_put(app->pipeline, j->pp);
    j->pp = NULL;
    app->head = (app->head + 1) % WD_PREP_JOBS;
    app->n--;
    wd_prep_pop(&app->prep);
    return 0;
}

/* Pages finished at most in one loop iteration: then the loop's timers,
 * HTTP and signals run, and the next iteration goes on. */
#define TURN_PAGES 8

/* Finishes, in order, the prepared pages at the head. Each finished page's
 * slot is refilled from ingest at once, so that the prepare threads parse
 * the next page while the loop finishes this one (refilled only between
 * iterations, the loop finished a ring of pages while the threads had
 * nothing queued, then waited for them to parse the next ring's first). */
static void
run_jobs(struct app *app)
{
    if (app->stopped)
        return;
    for (int done = 0;
         app->n > 0 && !app->held && wd_prep_head_ready(&app->prep); done++) {
        if (done == TURN_PAGES) {
            wd_prep_again(&app->prep);
            break;
        }
        if (finish_head(app) != 0)
            break;
        if (app->held || app->stopping || app->n >= WD_PREP_JOBS)
            continue;
        /* Either ingest first, in turns: neither waits behind a flood of
         * the other. (Read while paused: a ring kept full stays paused, no
         * poll started and stopped a page.) */
        app->ack_first = !app->ack_first;
        struct wd_ingest *a = app->ack_first ? &app->ingest_ack : &app->ingest,
                         *b = app->ack_first ? &app->ingest : &app->ingest_ack;
        if (!wd_ingest_read_now(a))
            wd_ingest_read_now(b);
    }
    update_ingest(app);
    if (app->stopping && app->n == 0) {
        wd_log(WD_LOG_INFO, "the pages in hand are processed: stopping");
        finish_stop(app);
    }
}

static void
on_retry(uv_timer_t *t)
{
    struct app *app = t->data;
    if (!app->held || app->stopped)
        return;
    if (finish_head(app) == 0)
        run_jobs(app);
}

static void
on_stats_timer(uv_timer_t *t)
{
    struct app *app = t->data;
    wd_view_publish_stats(&app->view, &app->pub);
}

/* Commits survive a crash of the process at once; this makes them survive
 * a crash of the machine too, once a second. */
static void
sync_work(uv_work_t *req)
{
    struct app *app = req->data;
    app->sync_rc = app->store.ops->sync(app->store.impl);
}

static void
sync_done(uv_work_t *req, int status)
{
    struct app *app = req->data;
    app->syncing = false;
    if (status == 0 && app->sync_rc != 0)
        app->stats.c[WD_C_STORE_ERRORS]++;
}

/* Once a second the store's writes go to disk, on a libuv worker thread:
 * an fsync takes milliseconds, which the loop would otherwise add to the
 * latency of the pages behind it. (LMDB's sync only flushes the file; the
 * loop thread's write transactions go on meanwhile.) */
static void
on_sync_timer(uv_timer_t *t)
{
    struct app *app = t->data;
    if (app->syncing)
        return;
    app->syncing = true;
    app->sync_req.data = app;
    if (uv_queue_work(&app->loop, &app->sync_req, sync_work, sync_done) != 0)
        app->syncing = false;
}

static void
on_ingest_closed(struct wd_ingest *in)
{
    /* Nothing: the loop ends once every handle is closed. */
}

/* Closes everything left on the loop, so that it ends. */
static void
finish_stop(struct app *app)
{
    if (app->stopped)
        return;
    app->stopped = true;
    wd_prep_close(&app->prep);
    wd_ingest_close(&app->ingest_ack, on_ingest_closed);
    wd_publish_snapshot_close(&app->pub);
    wd_curve_zap_close(&app->zap);
    for (int i = 0; i < WD_SOCKET__COUNT; i++)
        wd_peers_close(&app->peers[i]);
    uv_timer_stop(&app->stats_timer);
    uv_close((uv_handle_t *)&app->stats_timer, NULL);
    uv_timer_stop(&app->sync_timer);
    uv_close((uv_handle_t *)&app->sync_timer, NULL);
    wd_view_close(&app->view);
    uv_timer_stop(&app->retry_timer);
    uv_close((uv_handle_t *)&app->retry_timer, NULL);
    uv_timer_stop(&app->stop_timer);
    uv_close((uv_handle_t *)&app->stop_timer, NULL);
    wd_http_close(app->http);
    app->http = NULL;
    uv_close((uv_handle_t *)&app->sigint, NULL);
    uv_close((uv_handle_t *)&app->sigterm, NULL);
    uv_close((uv_handle_t *)&app->sighup, NULL);
}

static void
on_stop_deadline(uv_timer_t *t)
{
    struct app *app = t->data;
    if (app->n)
        wd_log(WD_LOG_WARN,
               "stop deadline (%u ms) reached: %u page%s in hand not "
               "processed%s (acknowledged ones stay unanswered: their "
               "clients send them again)",
               app->cfg->stop_timeout_ms, app->n, app->n == 1 ? "" : "s",
               app->held ? ", the held one first" : "");
    finish_stop(app);
}

/* SIGTERM/SIGINT: ingest stops at once (what ZeroMQ queued and was not
 * read stays unanswered on an acknowledged socket, and is lost on PULL);
 * the pages in hand are finished, a page held for the store retried, until
 * they are done or the stop deadline passes; then everything closes, the
 * final $stats goes out and the store is synced as it closes. A second
 * signal stops at once. */
static void
stop(struct app *app, const char *why)
{
    if (app->stopping) {
        wd_log(WD_LOG_INFO, "stopping now (%s again)", why);
        finish_stop(app);
        return;
    }
    app->stopping = true;
    wd_log(WD_LOG_INFO, "stopping (%s)", why);
    /* The monitors first, while every socket is open (wd_peers_stop). */
    for (int i = 0; i < WD_SOCKET__COUNT; i++)
        wd_peers_stop(&app->peers[i]);
    /* Nothing more is read; the acknowledged socket stays open (paused) to
     * answer the pages in hand. */
    wd_ingest_close(&app->ingest, on_ingest_closed);
    wd_ingest_pause(&app->ingest_ack);
    if (app->n > 0 && app->cfg->stop_timeout_ms > 0) {
        wd_log(WD_LOG_INFO,
               "stopping: %u page%s in hand finished first%s, for up to %u "
               "ms",
               app->n, app->n == 1 ? "" : "s",
               app->held ? " (the held page is retried)" : "",
               app->cfg->stop_timeout_ms);
        uv_timer_start(&app->stop_timer, on_stop_deadline,
                       app->cfg->stop_timeout_ms, 0);
        return;
    }
    finish_stop(app);
}

static void
reload_work(uv_work_t *req)
{
    struct app *app = req->data;
    app->reload_rc = wd_tagger_load(app->data_dir, &app->reloaded,
                                    app->reload_err, sizeof app->reload_err);
}

static void start_reload(struct app *app);

static void
reload_done(uv_work_t *req, int status)
{
    struct app *app = req->data;
    app->reloading = false;
    if (status == 0 && app->reload_rc == 0 && !app->stopping) {
        size_t names, slots;
        wd_tagger_size(app->reloaded, &names, &slots);
        wd_tagger_free(wd_pipeline_swap_tagger(app->pipeline, app->reloaded));
        app->stats.c[WD_C_TAGGER_RELOADS]++;
        wd_log(WD_LOG_INFO, "tagger reloaded from %s: %zu names and phrases",
               app->data_dir, names);
    } else if (!app->stopping) {
        app->stats.c[WD_C_TAGGER_RELOAD_FAILURES]++;
        wd_log(WD_LOG_ERROR,
               "tagger reload refused, the data in force stays: %s",
               status ? uv_strerror(status) : app->reload_err);
    }
    if (app->stopping || app->reload_rc != 0 || status != 0)
        wd_tagger_free(app->reloaded);
    app->reloaded = NULL;
    if (app->reload_again && !app->stopping) {
        app->reload_again = false;
        start_reload(app);
    }
}

static void
start_reload(struct app *app)
{
    if (app->reloading) { /* a SIGHUP during a reload: one more after it */
        app->reload_again = true;
        return;
    }
    app->reloading = true;
    app->reload.data = app;
    int rc = uv_queue_work(&app->loop, &app->reload, reload_work, reload_done);
    if (rc) {
        app->reloading = false;
        app->stats.c[WD_C_TAGGER_RELOAD_FAILURES]++;
        wd_log(WD_LOG_ERROR, "tagger reload not started: %s", uv_strerror(rc));
    }
}

static void
on_sighup(uv_signal_t *s, int signum)
{
    struct app *app = s->data;
    wd_log(WD_LOG_INFO, "SIGHUP: reloading the tagger from %s", app->data_dir);
    start_reload(app);
}

static void
on_signal(uv_signal_t *s, int signum)
{
    stop(s->data, signum == SIGINT ? "SIGINT" : "SIGTERM");
}

/* Creates the state directory and takes its lock, so two workers never
 * share one state. */
/* A client the CURVE sockets refused: counted, logged within limits,
 * without its key. */
static void
on_refused(void *ctx, enum wd_refuse why, const char *domain,
           const char *address)
{
    struct app *app = ctx;
    app->stats.refused[why]++;
    uint64_t suppressed = 0;
    if (!wd_ratelimit_allow(&app->refuse_log[why], wd_mono_ms(), &suppressed))
        return;
    wd_events_refused(domain, why, address, app->stats.refused[why],
                      suppressed);
}

/* A handshake that failed before ZAP (a client without the server's key,
 * a plain client on a CURVE socket, a CURVE client on a plain one). */
static void
on_handshake_failed(void *ctx, const char *name, const char *address)
{
    on_refused(ctx, WD_REFUSE_HANDSHAKE, name, address);
}

/* Monitors socket i's peers; a socket without a monitor still works, so a
 * failure is only logged. */
static void
watch_peers(struct app *app, enum wd_socket i, void *sock)
{
    if (wd_peers_start(&app->peers[i], &app->loop, app->zctx, sock,
                       wd_socket_name(i), on_handshake_failed, app) != 0)
        wd_log(WD_LOG_WARN,
               "the %s socket's peers are not counted (no monitor): %s",
               wd_socket_name(i), zmq_strerror(errno));
}

/* Reads the server's secret key and the allow-list; 0 or -1 (logged). */
static int
load_curve(struct app *app)
{
    char err[512];
    if (wd_curve_read_secret(app->cfg->curve_secret, &app->curve_key, err,
                             sizeof err) != 0 ||
        wd_curve_read_allow(app->cfg->curve_allow, &app->curve_allow, err,
                            sizeof err) != 0) {
        wd_log(WD_LOG_ERROR, "CURVE refused: %s", err);
        return -1;
    }
    return 0;
}

/* Start-up failed after the loop was made: closes what is on it. */
static void
abandon_loop(struct app *app)
{
    for (int i = 0; i < WD_SOCKET__COUNT; i++)
        wd_peers_stop(&app->peers[i]);
    wd_ingest_close(&app->ingest, NULL);
    wd_ingest_close(&app->ingest_ack, NULL);
    wd_publish_snapshot_close(&app->pub);
    wd_curve_zap_close(&app->zap);
    for (int i = 0; i < WD_SOCKET__COUNT; i++)
        wd_peers_close(&app->peers[i]);
    uv_run(&app->loop, UV_RUN_DEFAULT);
    uv_loop_close(&app->loop);
}

#define EVENTS_DUMP "events.dump" /* the events at a clean stop */

static int
events_fill(void *ctx, wd_dump_write_fn write, void *io)
{
    return wd_cluster_dump(ctx, write, io);
}

static int
events_take(void *ctx, uint64_t size, wd_dump_read_fn read, void *io)
{
    return wd_cluster_restore(ctx, size, read, io);
}

static int
events_drop(void *ctx, uint64_t size, wd_dump_read_fn read, void *io)
{
    (void)ctx, (void)size, (void)read, (void)io;
    return 0;
}

/* The events of the last clean stop, so that a restart (a deploy) goes on
 * with them: the same event ids, the word frequencies the worker learnt.
 * After a crash there is none (read once, removed), and events start
 * afresh. */
static void
load_events(struct app *app)
{
    struct wd_cluster *c = wd_pipeline_cluster(app->pipeline);
    if (!c) {
        /* Events off: an older run's events are not for a later one
         * (taken, which removes them, and not read). */
        wd_statedir_take(app->cfg->state_dir, EVENTS_DUMP, events_drop, NULL);
        return;
    }
    int rc = wd_statedir_take(app->cfg->state_dir, EVENTS_DUMP, events_take, c);
    size_t live, bytes;
    wd_cluster_usage(c, &live, &bytes);
    if (rc == 0)
        wd_log(WD_LOG_INFO, "events: %zu live events of the last run", live);
    else if (rc != WD_ENOTFOUND)
        wd_log(WD_LOG_WARN,
               "events: the last run's events not read (%s): events start "
               "afresh",
               rc == WD_EPARSE ? "another --max-events, another build, or "
                                 "a damaged file"
                               : wd_strerror(rc));
}

static void
save_events(struct app *app)
{
    struct wd_cluster *c =
        app->pipeline ? wd_pipeline_cluster(app->pipeline) : NULL;
    if (!c)
        return;
    int rc = wd_statedir_save(app->cfg->state_dir, EVENTS_DUMP, events_fill, c);
    if (rc)
        wd_log(WD_LOG_WARN, "events: cannot save them for the next run: %s",
               wd_strerror(rc));
}

/* zmq_ctx_term waits for every socket of the context to be closed; one
 * left open would hold the stop for ever (seen, rarely, under tests;
 * wd_zsock names those still open). So it runs on a thread of its own, and the
 * worker goes on to exit when it has not returned within ms: the process's
 * end closes the sockets. Returns whether it returned in time. */
struct ctx_term {
    void *zctx;
    uv_mutex_t mu;
    uv_cond_t cv;
    bool done;
};

static void
ctx_term_main(void *arg)
{
    struct ctx_term *t = arg;
    zmq_ctx_term(t->zctx);
    uv_mutex_lock(&t->mu);
    t->done = true;
    uv_cond_signal(&t->cv);
    uv_mutex_unlock(&t->mu);
}

static bool
ctx_term_within(void *zctx, uint64_t ms)
{
    /* (On the heap: a thread that does not return keeps it.) */
    struct ctx_term *t = calloc(1, sizeof *t);
    bool mu = t && uv_mutex_init(&t->mu) == 0;
    bool cv = mu && uv_cond_init(&t->cv) == 0;
    uv_thread_t th;
    if (cv)
        t->zctx = zctx;
    if (!cv || uv_thread_create(&th, ctx_term_main, t) != 0) {
        if (cv)
            uv_cond_destroy(&t->cv);
        if (mu)
            uv_mutex_destroy(&t->mu);
        free(t);
        zmq_ctx_term(zctx); /* (no thread to spare: wait as before) */
        return true;
    }
    uint64_t end = uv_hrtime() + ms * 1000000;
    uv_mutex_lock(&t->mu);
    while (!t->done) {
        uint64_t now = uv_hrtime();
        if (now >= end || uv_cond_timedwait(&t->cv, &t->mu, end - now) != 0)
            break;
    }
    bool done = t->done;
    uv_mutex_unlock(&t->mu);
    if (!done)
        return false;
    uv_thread_join(&th);
    uv_cond_destroy(&t->cv);
    uv_mutex_destroy(&t->mu);
    free(t);
    return true;
}

static void
teardown(struct app *app)
{
    wd_prep_fini(&app->prep);
    /* Pages never finished (a stop past its deadline): dropped. */
    for (unsigned i = 0; i < WD_PREP_JOBS; i++)
        if (app->jobs[i].pp && app->pipeline)
            wd_prepared_put(app->pipeline, app->jobs[i].pp);
    wd_publish_close(&app->pub, app->cfg->linger_ms);
    for (int i = 0; i < WD_SOCKET__COUNT; i++)
        wd_peers_free(&app->peers[i]);
    wd_curve_zap_free(&app->zap); /* after the server sockets */
    wd_curve_key_wipe(&app->curve_key);
    wd_curve_allow_free(&app->curve_allow);
    wd_storeprobe_free(app->probe);
    /* A clean stop keeps the events for the next run. */
    if (app->clean_marker && app->stopped)
        save_events(app);
    wd_pipeline_free(app->pipeline);
    wd_journaling_fini(&app->journal);
    wd_store_close(&app->store);
    /* A clean stop marks the state clean; so does a start that failed
     * before any page came in, when it found the state clean. The state is
     * saved before the sockets' context ends, which may wait. */
    if (app->clean_marker &&
        (app->stopped ||
         (app->was_clean && app->stats.c[WD_C_PAGES_RECEIVED] == 0)))
        wd_statedir_mark_clean(&app->state);
    if (app->zctx && !ctx_term_within(app->zctx, 5000)) {
        char names[256];
        if (wd_zsock_open_names(names, sizeof names))
            wd_log(WD_LOG_WARN,
                   "stop: ZeroMQ's context did not end within 5 s (sockets "
                   "left open: %s); exiting without it",
                   names);
        else
            wd_log(WD_LOG_WARN,
                   "stop: ZeroMQ's context did not end within 5 s (every "
                   "socket was closed: libzmq's own end did not come); "
                   "exiting without it");
    } else if (app->stopped)
        wd_log(WD_LOG_INFO, "closed: store, events and sockets");
    wd_statedir_close(&app->state);
}

/* wd_tagger_load on a thread of its own (start-up). */
struct tagger_load {
    const char *dir;
    uv_thread_t th;
    struct wd_tagger *tagger;
    int rc;
    char err[512];
};

static void
tagger_load_main(void *arg)
{
    struct tagger_load *t = arg;
    t->rc = wd_tagger_load(t->dir, &t->tagger, t->err, sizeof t->err);
}

int
wd_app_run(const struct wd_app_config *cfg)
{
    struct app app;
    memset(&app, 0, sizeof app);
    app.cfg = cfg;
    app.state.lock_fd = -1;
    app.stats.started_at_ms = wd_now_ms();
    /* A viewer that goes away mid-write must cost an EPIPE, not the
     * process. */
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit reached (RLIMIT_FSIZE) is a failed write of the
     * store, EFBIG, held and retried like a full disk; not a death. */
    signal(SIGXFSZ, SIG_IGN);
    char host[64] = "localhost";
    gethostname(host, sizeof host - 1);
    snprintf(app.worker_name, sizeof app.worker_name, "%s:%d", host,
             (int)getpid());
    for (int r = 0; r < WD_REJECT__COUNT; r++)
        wd_ratelimit_init(&app.reject_log[r], 1, 5);
    for (int r = 0; r < WD_REFUSE__COUNT; r++)
        wd_ratelimit_init(&app.refuse_log[r], 1, 5);
    const struct wd_curve_key *curve =
        cfg->curve_secret ? &app.curve_key : NULL;
    if ((curve && load_curve(&app) != 0) ||
        wd_statedir_open(&app.state, cfg->state_dir) != 0) {
        teardown(&app);
        return 1;
    }
    /* Did the last run stop cleanly? (Before the store is opened: its
     * file's time is that of the last commit.) */
    int64_t crashed_at =
        cfg->store_url ? 0 : wd_statedir_unclean_stop_ms(&app.state);
    int rc = cfg->store_url ? wd_store_open_redis(&app.store, cfg->store_url)
                            : wd_store_open_lmdb(&app.store, cfg->state_dir,
                                                 cfg->store_map_mb);
    if (rc) {
        wd_log(WD_LOG_ERROR, "cannot open the store %s: %s",
               cfg->store_url ? cfg->store_url : cfg->state_dir,
               wd_strerror(rc));
        teardown(&app);
        return 1;
    }
    if (cfg->store_url && (rc = wd_storeprobe_new(&app.probe, cfg->store_url,
                                                  WD_STOREPROBE_MS))) {
        wd_log(WD_LOG_ERROR, "cannot watch the store %s: %s", cfg->store_url,
               wd_strerror(rc));
        teardown(&app);
        return 1;
    }
    app.data_dir = cfg->data_dir ? cfg->data_dir : wd_tagger_default_dir();
    /* The tagger is built on a thread of its own while this one reads the
     * store's look-ups back (or rebuilds them): the two are independent,
     * and a start-up takes the longer of them instead of their sum. */
    uint64_t t_index = uv_hrtime();
    struct tagger_load tl = {.dir = app.data_dir};
    bool apart = uv_thread_create(&tl.th, tagger_load_main, &tl) == 0;
    int index_rc = wd_dupindex_rebuild(&app.store);
    uint64_t index_ms = (uv_hrtime() - t_index) / 1000000;
    if (apart)
        uv_thread_join(&tl.th);
    else
        tagger_load_main(&tl);
    struct wd_tagger *tagger = tl.tagger;
    rc = tl.rc;
    wd_text_copy(app.reload_err, sizeof app.reload_err, tl.err);
    if (rc) {
        wd_log(WD_LOG_ERROR, "cannot load the tagger's data: %s",
               app.reload_err);
        teardown(&app);
        return 1;
    }
    /* The journal of published stories, for RESUME: with the snapshot
     * service, on a store of this worker's own. */
    app.journaling =
        cfg->snapshot && !cfg->store_url && cfg->journal_minutes > 0;
    wd_journaling_init(&app.journal, &app.store,
                       (int64_t)cfg->journal_minutes * 60000);
    /* By default one a core, less the loop thread's (which decides,
     * tags and publishes): on 2 cores a second parse thread only competes
     * with it (bench/RESULTS.md). */
    unsigned cores = (unsigned)uv_available_parallelism();
    unsigned threads = cfg->threads ? cfg->threads : cores > 1 ? cores - 1 : 1;
    if (threads > WD_PREP_THREADS_MAX)
        threads = WD_PREP_THREADS_MAX;
    struct wd_pipeline_config pc = {
        .shards = threads,
        .max_page_bytes = cfg->max_page_bytes,
        .store = &app.store,
        .dedup = {cfg->max_stories, cfg->max_age_ms, WD_NEAR_MINHASH},
        .tagger = tagger,
        .before_commit = app.journaling ? wd_journaling_stage : NULL,
        .hook_ctx = &app.journal,
        .events_off = cfg->max_events == 0,
        .events = {.max_events = cfg->max_events,
                   .window_ms = cfg->event_window_ms},
    };
    /* With LMDB the store's look-ups were read back above, or rebuilt from
     * the records after a crash (a failure there is met again here): said,
     * with how long it took. */
    rc = wd_pipeline_new(&app.pipeline, &pc, &app.stats);
    if (rc) {
        wd_log(WD_LOG_ERROR, "cannot start pipeline: %s", wd_strerror(rc));
        teardown(&app);
        return 1;
    }
    wd_log(WD_LOG_INFO,
           "store: %llu stories remembered, look-ups ready in %llu ms%s",
           (unsigned long long)wd_pipeline_dedup_count(app.pipeline),
           (unsigned long long)index_ms,
           index_rc ? " (a first attempt failed)" : "");
    load_events(&app);
    if (crashed_at) {
        /* What the dead process published last may have been in its PUB
         * socket's queue, never sent: if those pages come again (an
         * unanswered page resent), their stories go out again. */
        wd_pipeline_republish(app.pipeline, crashed_at - REPUBLISH_MARGIN_MS,
                              wd_now_ms());
        wd_log(WD_LOG_WARN,
               "the last run did not stop cleanly: stories it published in "
               "its last %d ms are published again if their pages come "
               "again",
               REPUBLISH_MARGIN_MS);
    }
    app.clean_marker = true;
    app.was_clean = crashed_at == 0;
    app.zctx = zmq_ctx_new();
    uv_loop_init(&app.loop);
    /* (for wiredesk_loop_idle_seconds_total: the loop's utilisation) */
    uv_loop_configure(&app.loop, UV_METRICS_IDLE_TIME);
    int zerr = 0;
    /* The ZAP handler is bound before the sockets it guards. */
    if (curve &&
        wd_curve_zap_start(&app.zap, &app.loop, app.zctx, &app.curve_allow,
                           on_refused, &app, &zerr) != 0) {
        wd_log(WD_LOG_ERROR, "cannot start the ZAP handler: %s",
               zmq_strerror(zerr));
        abandon_loop(&app);
        teardown(&app);
        return 1;
    }
    rc = wd_publish_open(&app.pub, app.zctx, cfg->publish, cfg->pub_hwm,
                         cfg->snapshot ? cfg->snapshot_depth : 0,
                         cfg->snapshot_mb << 20, curve, &zerr);
    if (rc) {
        wd_log(WD_LOG_ERROR, "cannot bind publish endpoint %s: %s",
               cfg->publish, zmq_strerror(zerr));
        abandon_loop(&app);
        teardown(&app);
        return 1;
    }
    app.ingest.data = &app;
    /* A frame a little over --max-page-bytes is read and refused
     * (too_large, counted); one far over it is never taken in. */
    int64_t max_frame = (int64_t)cfg->max_page_bytes + WD_INGEST_FRAME_SLACK;
    rc = wd_ingest_start(&app.ingest, &app.loop, app.zctx, cfg->ingest,
                         cfg->ingest_hwm, max_frame, curve, on_message, &zerr);
    if (rc) {
        wd_log(WD_LOG_ERROR, "cannot bind ingest endpoint %s: %s", cfg->ingest,
               zmq_strerror(zerr));
        abandon_loop(&app);
        teardown(&app);
        return 1;
    }
    app.ingest_ack.data = &app;
    if (cfg->ingest_ack) {
        rc = wd_ingest_start_acked(&app.ingest_ack, &app.loop, app.zctx,
                                   cfg->ingest_ack, cfg->ingest_hwm, max_frame,
                                   curve, on_message, &zerr);
        if (rc) {
            wd_log(WD_LOG_ERROR, "cannot bind ingest-ack endpoint %s: %s",
                   cfg->ingest_ack, zmq_strerror(zerr));
            abandon_loop(&app);
            teardown(&app);
            return 1;
        }
        watch_peers(&app, WD_SOCKET_INGEST_ACK, app.ingest_ack.sock);
    }
    watch_peers(&app, WD_SOCKET_INGEST, app.ingest.sock);
    watch_peers(&app, WD_SOCKET_PUBLISH, app.pub.sock);
    if (cfg->snapshot &&
        wd_publish_snapshot_start(&app.pub, &app.loop, app.zctx, cfg->snapshot,
                                  curve, &zerr) != 0) {
        wd_log(WD_LOG_ERROR, "cannot bind snapshot endpoint %s: %s",
               cfg->snapshot, zmq_strerror(zerr));
        abandon_loop(&app);
        teardown(&app);
        return 1;
    }
    if (app.journaling)
        wd_publish_resume_with(&app.pub, wd_journaling_resume, &app.journal);
    if (cfg->snapshot)
        watch_peers(&app, WD_SOCKET_SNAPSHOT, app.pub.snap_sock);
    app.view.stats = &app.stats;
    app.view.worker = app.worker_name;
    app.view.pipeline = app.pipeline;
    app.view.store = &app.store;
    app.view.probe = app.probe;
    app.view.peers = app.peers;
    app.view.stopping = &app.stopping;
    rc = wd_http_start(&app.http, &app.loop, cfg->http, wd_view_on_http,
                       &app.view);
    if (rc) {
        wd_log(WD_LOG_ERROR, "cannot serve HTTP on %s: %s", cfg->http,
               uv_strerror(rc));
        abandon_loop(&app);
        teardown(&app);
        return 1;
    }
    uv_timer_init(&app.loop, &app.stats_timer);
    app.stats_timer.data = &app;
    if (cfg->stats_interval_ms > 0)
        uv_timer_start(&app.stats_timer, on_stats_timer, cfg->stats_interval_ms,
                       cfg->stats_interval_ms);
    app.view.http = app.http;
    wd_view_start(&app.view, &app.loop);
    uv_timer_init(&app.loop, &app.retry_timer);
    app.retry_timer.data = &app;
    uv_timer_init(&app.loop, &app.stop_timer);
    app.stop_timer.data = &app;
    uv_timer_init(&app.loop, &app.sync_timer);
    app.sync_timer.data = &app;
    uv_timer_start(&app.sync_timer, on_sync_timer, 1000, 1000);
    uv_signal_init(&app.loop, &app.sigint);
    uv_signal_init(&app.loop, &app.sigterm);
    app.sigint.data = app.sigterm.data = &app;
    uv_signal_start(&app.sigint, on_signal, SIGINT);
    uv_signal_start(&app.sigterm, on_signal, SIGTERM);
    uv_signal_init(&app.loop, &app.sighup);
    app.sighup.data = &app;
    uv_signal_start(&app.sighup, on_sighup, SIGHUP);
    if (wd_prep_start(&app.prep, &app.loop, app.pipeline, threads, on_prepared,
                      &app) != 0) {
        wd_log(WD_LOG_ERROR, "cannot start the prepare thread");
        finish_stop(&app);
        uv_run(&app.loop, UV_RUN_DEFAULT);
        uv_loop_close(&app.loop);
        teardown(&app);
        return 1;
    }

    wd_log(WD_LOG_INFO,
           "ready: ingest %s, publish %s, http %s, state %s, data %s, max "
           "page %zu bytes, threads %u",
           cfg->ingest, cfg->publish, cfg->http, cfg->state_dir, app.data_dir,
           cfg->max_page_bytes, threads);
    if (cfg->snapshot)
        wd_log(WD_LOG_INFO,
               "snapshot %s: last %u messages per channel, %zu MiB at most",
               cfg->snapshot, cfg->snapshot_depth, cfg->snapshot_mb);
    wd_log(WD_LOG_INFO, "epoch %016llx: sequence numbers start at 1",
           (unsigned long long)app.pub.epoch);
    if (curve)
        wd_log(WD_LOG_INFO,
               "CURVE on ingest and publish: %zu client keys allowed (%s)",
               app.curve_allow.n, cfg->curve_allow);
    uv_run(&app.loop, UV_RUN_DEFAULT);

    /* The final figures, for whoever listens. */
    wd_view_publish_stats(&app.view, &app.pub);
    wd_log(WD_LOG_INFO,
           "stopped: pages received %llu, accepted %llu, rejected %llu, "
           "articles published %llu, duplicates %llu",
           (unsigned long long)app.stats.c[WD_C_PAGES_RECEIVED],
           (unsigned long long)app.stats.c[WD_C_PAGES_ACCEPTED],
           (unsigned long long)app.stats.c[WD_C_PAGES_REJECTED],
           (unsigned long long)app.stats.c[WD_C_ARTICLES_PUBLISHED],
           (unsigned long long)app.stats.c[WD_C_ARTICLES_DUPLICATE]);
    int closed = uv_loop_close(&app.loop);
    teardown(&app);
    return closed == 0 ? 0 : 1;
}
