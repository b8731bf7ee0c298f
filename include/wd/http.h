/* A small HTTP/1.1 server on the worker's loop, for the operator's view.
 *
 * Requests are parsed by picohttpparser (Debian ships it inside libh2o,
 * whose library exports it; see docs/ARCHITECTURE.md for why not the whole
 * of H2O). Only GET and HEAD are served, one request per connection
 * ("Connection: close"), except Server-Sent Events streams, which stay
 * open and receive wd_http_broadcast() events. Requests are bounded (8 KiB
 * of headers, 10 s to send them); connections are bounded (256).
 */
#ifndef WD_HTTP_H
#define WD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

struct wd_http_reply {
    int status;               /* 200 by default */
    const char *content_type; /* "text/plain; charset=utf-8" by default */
    char *body;               /* malloc'd; the server frees it */
    size_t len;
    bool event_stream; /* keep the connection as an SSE subscriber */
};

/* Fills *r for a GET of path (query string included). */
typedef void (*wd_http_handler)(void *ctx, const char *path,
                                struct wd_http_reply *r);

struct wd_http;

/* Listens on host:port on loop. Returns 0, or a negative libuv error. */
int wd_http_start(struct wd_http **out, uv_loop_t *loop, const char *hostport,
                  wd_http_handler handler, void *ctx);

/* Sends "data: <line>\n\n" to every SSE subscriber (line without
 * newlines). Slow subscribers with too much unsent are dropped. */
void wd_http_broadcast(struct wd_http *h, const char *line, size_t len);

/* Closes the listener and every connection; frees h in the last close
 * callback. NULL is a no-op. */
void wd_http_close(struct wd_http *h);

/* A blocking GET for the command line (`wiredesk stats|top`): connects to
 * host:port, sends the request, reads the whole response (at most 16 MiB)
 * within timeout_ms, parses it with picohttpparser. Returns 0 with the
 * status and the malloc'd body (caller frees), or a negative error. */
int wd_http_get(const char *hostport, const char *path, int timeout_ms,
                int *status, char **body, size_t *len);

/* Connections open now. */
int wd_http_connections(const struct wd_http *h);

#endif
