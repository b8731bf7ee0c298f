/* `wiredesk proxy`: the fan-in for subscribers when several workers run.
 * Workers connect their PUB sockets to the proxy's XSUB frontend
 * (--publish '>tcp://proxy:5559'); subscribers connect to its XPUB backend
 * and see one stream, whatever the number of workers; subscriptions travel
 * the other way. The forwarding is libzmq's own zmq_proxy_steerable() on a
 * thread of its own; the main thread serves /metrics and /healthz over HTTP
 * (figures from the proxy's STATISTICS command) and stops the proxy with
 * TERMINATE on SIGINT/SIGTERM.
 */
#ifndef WD_PROXY_H
#define WD_PROXY_H

#define WD_DEFAULT_PROXY_FRONTEND "tcp://127.0.0.1:5559"
#define WD_DEFAULT_PROXY_BACKEND "tcp://127.0.0.1:5560"
#define WD_DEFAULT_PROXY_HTTP "127.0.0.1:9465"

#include <stdbool.h>

struct wd_proxy_config {
    const char *frontend; /* XSUB; binds unless prefixed with '>' */
    const char *backend;  /* XPUB; binds unless prefixed with '>' */
    const char *http;     /* HOST:PORT of /metrics and /healthz */
    int hwm;              /* messages queued per peer, each way */
    /* false: XSUB/XPUB, the fan-in of published articles (the default);
     * true: PULL/PUSH, a streamer that spreads scrapers' pages over the
     * workers that connect their ingest to its backend. */
    bool stream;
};

void wd_proxy_config_defaults(struct wd_proxy_config *cfg);

/* Runs until SIGINT or SIGTERM. Returns 0 after a clean stop, 1 when
 * start-up failed (reason logged). */
int wd_proxy_run(const struct wd_proxy_config *cfg);

#endif
