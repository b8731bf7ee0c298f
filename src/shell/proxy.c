#include "wd/proxy.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include <zmq.h>

#include "wd/endpoint.h"
#include "wd/http.h"
#include "wd/log.h"
#include "wd/metrics.h"

#define CONTROL "inproc://wd-proxy-control"

struct proxy {
    void *zctx, *frontend, *backend, *control_rep, *control;
    pthread_t thread;
    bool running;
    int64_t started_at_ms;
    uv_loop_t loop;
    uv_signal_t sigint, sigterm;
    struct wd_http *http;
};

void
wd_proxy_config_defaults(struct wd_proxy_config *cfg)
{
    cfg->stream = false;
    cfg->frontend = WD_DEFAULT_PROXY_FRONTEND;
    cfg->backend = WD_DEFAULT_PROXY_BACKEND;
    cfg->http = WD_DEFAULT_PROXY_HTTP;
    cfg->hwm = 100000;
}

static void *
forward(void *arg)
{
    struct proxy *p = arg;
    /* The three sockets are this thread's from here on. */
    zmq_proxy_steerable(p->frontend, p->backend, NULL, p->control_rep);
    return NULL;
}

/* The proxy's eight counters (messages and bytes received and sent on the
 * frontend, then the backend), or -1 when it did not answer in time. */
static int
statistics(struct proxy *p, uint64_t v[8])
{
    if (zmq_send(p->control, "STATISTICS", 10, 0) < 0)
        return -1;
    for (int i = 0; i < 8; i++) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, p->control, 0) < 0 ||
            zmq_msg_size(&m) != sizeof v[i]) {
            zmq_msg_close(&m);
            return -1;
        }
        memcpy(&v[i], zmq_msg_data(&m), sizeof v[i]);
        zmq_msg_close(&m);
    }
    return 0;
}

static void
on_http(void *ctx, const char *path, struct wd_http_reply *r)
{
    struct proxy *p = ctx;
    if (strcmp(path, "/healthz") == 0) {
        r->body = strdup("ok\n");
        r->len = r->body ? 3 : 0;
        return;
    }
    if (strcmp(path, "/metrics") != 0) {
        r->status = 404;
        r->body = strdup("not found\n");
        r->len = r->body ? strlen(r->body) : 0;
        return;
    }
    uint64_t v[8];
    if (statistics(p, v) != 0) {
        r->status = 503;
        r->body = strdup("the proxy did not answer\n");
        r->len = r->body ? strlen(r->body) : 0;
        return;
    }
    static const char *const side[2] = {"frontend", "backend"};
    struct wd_metrics_out o;
    if (!wd_metrics_init(&o)) {
        r->status = 500;
        return;
    }
    wd_metrics_family(&o, "proxy_messages_total", "counter",
                      "Messages through the proxy, by socket and direction "
                      "(fan-in: frontend received from workers, backend sent "
                      "to subscribers, backend received subscriptions).");
    for (int k = 0; k < 2; k++)
        wd_metrics_put(&o,
                       "wiredesk_proxy_messages_total{socket=\"%s\","
                       "direction=\"received\"} %llu\n"
                       "wiredesk_proxy_messages_total{socket=\"%s\","
                       "direction=\"sent\"} %llu\n",
                       side[k], (unsigned long long)v[4 * k], side[k],
                       (unsigned long long)v[4 * k + 2]);
    wd_metrics_family(&o, "proxy_bytes_total", "counter",
                      "Bytes through the proxy, by socket and direction.");
    for (int k = 0; k < 2; k++)
        wd_metrics_put(&o,
                       "wiredesk_proxy_bytes_total{socket=\"%s\","
                       "direction=\"received\"} %llu\n"
                       "wiredesk_proxy_bytes_total{socket=\"%s\","
                       "direction=\"sent\"} %llu\n",
                       side[k], (unsigned long long)v[4 * k + 1], side[k],
                       (unsigned long long)v[4 * k + 3]);
    wd_metrics_family(&o, "proxy_uptime_seconds", "gauge",
                      "Seconds since the proxy started.");
    wd_metrics_put(&o, "wiredesk_proxy_uptime_seconds %.3f\n",
                   (double)(wd_now_ms() - p->started_at_ms) / 1000.0);
    size_t n = 0;
    char *b = wd_metrics_finish(&o, &n);
    if (!b) {
        r->status = 500;
        return;
    }
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    r->body = b;
    r->len = n;
}

static void
stop(struct proxy *p, const char *why)
{
    wd_log(WD_LOG_INFO, "stopping (%s)", why);
    wd_http_close(p->http);
    p->http = NULL;
    uv_close((uv_handle_t *)&p->sigint, NULL);
    uv_close((uv_handle_t *)&p->sigterm, NULL);
}

static void
on_signal(uv_signal_t *s, int signum)
{
    stop(s->data, signum == SIGINT ? "SIGINT" : "SIGTERM");
}

static void *
open_socket(struct proxy *p, int type, const char *ep, int hwm,
            int64_t max_frame, const char *what)
{
    void *s = zmq_socket(p->zctx, type);
    if (!s)
        return NULL;
    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame);
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (wd_endpoint_attach(s, ep, true) != 0) {
        wd_log(WD_LOG_ERROR, "cannot %s %s endpoint %s: %s",
               wd_endpoint_binds(ep, true) ? "bind" : "connect", what, ep,
               zmq_strerror(errno));
        zmq_close(s);
        return NULL;
    }
    return s;
}

int
wd_proxy_run(const struct wd_proxy_config *cfg)
{
    struct proxy p;
    memset(&p, 0, sizeof p);
    p.started_at_ms = wd_now_ms();
    signal(SIGPIPE, SIG_IGN);
    p.zctx = zmq_ctx_new();
    int status = 1;
    /* The workers' messages come whole (the workers bound them); the
     * subscribers send only subscriptions, a channel name each. */
    p.frontend = open_socket(&p, cfg->stream ? ZMQ_PULL : ZMQ_XSUB,
                             cfg->frontend, cfg->hwm, -1, "frontend");
    if (p.frontend)
        p.backend = open_socket(&p, cfg->stream ? ZMQ_PUSH : ZMQ_XPUB,
                                cfg->backend, cfg->hwm, 4096, "backend");
    if (p.backend) {
        p.control_rep = zmq_socket(p.zctx, ZMQ_REP);
        p.control = zmq_socket(p.zctx, ZMQ_REQ);
        int t = 2000, one = 1, linger = 0;
        zmq_setsockopt(p.control, ZMQ_RCVTIMEO, &t, sizeof t);
        zmq_setsockopt(p.control, ZMQ_SNDTIMEO, &t, sizeof t);
        /* A request that timed out must not wedge the next one. */
        zmq_setsockopt(p.control, ZMQ_REQ_RELAXED, &one, sizeof one);
        zmq_setsockopt(p.control, ZMQ_REQ_CORRELATE, &one, sizeof one);
        zmq_setsockopt(p.control, ZMQ_LINGER, &linger, sizeof linger);
        zmq_setsockopt(p.control_rep, ZMQ_LINGER, &linger, sizeof linger);
        if (zmq_bind(p.control_rep, CONTROL) != 0 ||
            zmq_connect(p.control, CONTROL) != 0) {
            wd_log(WD_LOG_ERROR, "cannot set up the control socket: %s",
                   zmq_strerror(errno));
        } else if (pthread_create(&p.thread, NULL, forward, &p) == 0) {
            p.running = true;
        }
    }
    if (p.running) {
        uv_loop_init(&p.loop);
        int rc = wd_http_start(&p.http, &p.loop, cfg->http, on_http, &p);
        if (rc) {
            wd_log(WD_LOG_ERROR, "cannot serve HTTP on %s: %s", cfg->http,
                   uv_strerror(rc));
        } else {
            uv_signal_init(&p.loop, &p.sigint);
            uv_signal_init(&p.loop, &p.sigterm);
            p.sigint.data = p.sigterm.data = &p;
            uv_signal_start(&p.sigint, on_signal, SIGINT);
            uv_signal_start(&p.sigterm, on_signal, SIGTERM);
            wd_log(WD_LOG_INFO,
                   "ready: frontend (%s) %s, backend (%s) %s, http %s",
                   cfg->stream ? "PULL" : "XSUB", cfg->frontend,
                   cfg->stream ? "PUSH" : "XPUB", cfg->backend, cfg->http);
            uv_run(&p.loop, UV_RUN_DEFAULT);
            status = 0;
        }
        uv_run(&p.loop, UV_RUN_DEFAULT); /* close callbacks */
        uv_loop_close(&p.loop);
        /* TERMINATE: the proxy returns and its thread ends. */
        zmq_send(p.control, "TERMINATE", 9, 0);
        pthread_join(p.thread, NULL);
    }
    if (p.control)
        zmq_close(p.control);
    if (p.control_rep)
        zmq_close(p.control_rep);
    if (p.backend)
        zmq_close(p.backend);
    if (p.frontend)
        zmq_close(p.frontend);
    zmq_ctx_term(p.zctx);
    if (status == 0)
        wd_log(WD_LOG_INFO, "stopped");
    return status;
}
