#include "wd/http.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wd/err.h"

/* picohttpparser's interface, as exported by Debian's libh2o (which ships
 * no header for it): https://github.com/h2o/picohttpparser */
struct phr_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};
int phr_parse_request(const char *buf, size_t len, const char **method,
                      size_t *method_len, const char **path, size_t *path_len,
                      int *minor_version, struct phr_header *headers,
                      size_t *num_headers, size_t last_len);

int phr_parse_response(const char *buf, size_t len, int *minor_version,
                       int *status, const char **msg, size_t *msg_len,
                       struct phr_header *headers, size_t *num_headers,
                       size_t last_len);

/* Connections go through phases, each bounded on its own, so that no kind
 * of client can take the room of another (a probe must answer whatever
 * else connects):
 *
 * - waiting for its request: the first byte within FIRST_BYTE_MS, the
 *   whole header within HEADER_MS of it; at most MAX_WAITING such
 *   connections, and when one more comes the one waiting longest is closed
 *   (a slow client gives way to a new one, which a probe always is);
 * - answering: written and closed, within ANSWER_MS;
 * - an event stream (the dashboard's /events): at most MAX_STREAMS, beyond
 *   which a new one is answered 503; a stream whose reader falls
 *   MAX_SSE_BACKLOG behind is closed.
 *
 * MAX_CONNECTIONS bounds them all (file descriptors, memory). */
#define MAX_REQUEST 8192
#define MAX_WAITING 256
#define MAX_STREAMS 64
#define MAX_CONNECTIONS 1024
#define FIRST_BYTE_MS 2000
#define HEADER_MS 5000
#define ANSWER_MS 10000
#define MAX_SSE_BACKLOG (1 << 20) /* bytes queued to one SSE subscriber */

enum phase { WAITING, ANSWERING, STREAM };

struct conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    struct wd_http *http;
    struct conn *prev, *next; /* newest first */
    char buf[MAX_REQUEST];
    size_t len;
    enum phase phase;
    bool closing;
    size_t queued; /* bytes written but not yet completed */
    int handles;
};

struct wd_http {
    uv_tcp_t listener;
    uv_loop_t *loop;
    wd_http_handler handler;
    void *ctx;
    struct conn *conns, *oldest;
    int n_conns, n_waiting, n_streams;
    bool closing;
};

/* Moves c out of its phase's count into phase p's. */
static void
set_phase(struct conn *c, enum phase p)
{
    struct wd_http *h = c->http;
    if (!c->closing) {
        h->n_waiting -= c->phase == WAITING;
        h->n_streams -= c->phase == STREAM;
        h->n_waiting += p == WAITING;
        h->n_streams += p == STREAM;
    }
    c->phase = p;
}

struct write_req {
    uv_write_t req;
    struct conn *c;
    size_t len;
    bool close_after;
    char data[];
};

static void conn_close(struct conn *c);
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);
static void on_timeout(uv_timer_t *t);

static void
on_conn_handle_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    if (--c->handles > 0)
        return;
    struct wd_http *http = c->http;
    if (c->prev)
        c->prev->next = c->next;
    else
        http->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        http->oldest = c->prev;
    http->n_conns--;
    free(c);
    if (http->closing && http->n_conns == 0 &&
        uv_is_closing((uv_handle_t *)&http->listener) &&
        http->listener.data == NULL)
        free(http);
}

static void
conn_close(struct conn *c)
{
    if (c->closing)
        return;
    c->http->n_waiting -= c->phase == WAITING;
    c->http->n_streams -= c->phase == STREAM;
    c->closing = true;
    uv_close((uv_handle_t *)&c->timer, on_conn_handle_closed);
    uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
}

static void
on_written(uv_write_t *req, int status)
{
    struct write_req *w = (struct write_req *)req;
    struct conn *c = w->c;
    c->queued -= w->len;
    if (status < 0 || w->close_after)
        conn_close(c);
    free(w);
}

static void
conn_write(struct conn *c, const char *data, size_t len, bool close_after)
{
    if (c->closing)
        return;
    struct write_req *w = malloc(sizeof *w + len);
    if (!w) {
        conn_close(c);
        return;
    }
    memcpy(w->data, data, len);
    w->c = c;
    w->len = len;
    w->close_after = close_after;
    c->queued += len;
    uv_buf_t b = uv_buf_init(w->data, (unsigned)len);
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0) {
        c->queued -= len;
        free(w);
        conn_close(c);
    }
}

static const char *
reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

static void
respond(struct conn *c, int status, const char *ctype, const char *body,
        size_t len, bool head)
{
    char hdr[512];
    int n = snprintf(hdr, sizeof hdr,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
                     "Content-Length: %zu\r\nCache-Control: no-store\r\n"
                     "Connection: close\r\n\r\n",
                     status, reason(status), ctype, len);
    if (head || len == 0) {
        conn_write(c, hdr, (size_t)n, true);
        return;
    }
    conn_write(c, hdr, (size_t)n, false);
    conn_write(c, body, len, true);
}

static void
handle_request(struct conn *c)
{
    const char *method, *path;
    size_t method_len, path_len, num_headers = 32;
    struct phr_header headers[32];
    int minor;
    int r = phr_parse_request(c->buf, c->len, &method, &method_len, &path,
                              &path_len, &minor, headers, &num_headers, 0);
    if (r == -2) {
        if (c->len >= sizeof c->buf)
            respond(c, 431, "text/plain", "request too large\n", 18, false);
        return; /* incomplete: wait for more */
    }
    uv_read_stop((uv_stream_t *)&c->tcp);
    /* A client that does not take its answer is closed after ANSWER_MS. */
    uv_timer_start(&c->timer, on_timeout, ANSWER_MS, 0);
    set_phase(c, ANSWERING);
    if (r < 0) {
        respond(c, 400, "text/plain", "bad request\n", 12, false);
        return;
    }
    bool head = method_len == 4 && memcmp(method, "HEAD", 4) == 0;
    if (!head && !(method_len == 3 && memcmp(method, "GET", 3) == 0)) {
        respond(c, 405, "text/plain", "only GET and HEAD\n", 18, false);
        return;
    }
    char p[1024];
    snprintf(p, sizeof p, "%.*s", (int)path_len, path);
    struct wd_http_reply rep = {200, "text/plain; charset=utf-8", NULL, 0,
                                false};
    c->http->handler(c->http->ctx, p, &rep);
    if (rep.event_stream && !head && c->http->n_streams >= MAX_STREAMS) {
        free(rep.body);
        respond(c, 503, "text/plain", "too many event streams\n", 23, false);
        return;
    }
    if (rep.event_stream && !head) {
        static const char hdr[] =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            "Cache-Control: no-store\r\nConnection: keep-alive\r\n\r\n";
        set_phase(c, STREAM);
        uv_timer_stop(&c->timer);
        conn_write(c, hdr, sizeof hdr - 1, false);
        if (rep.body && rep.len) {
            char *ev = malloc(rep.len + 16);
            if (ev) {
                int n = snprintf(ev, rep.len + 16, "data: %.*s\n\n",
                                 (int)rep.len, rep.body);
                conn_write(c, ev, (size_t)n, false);
                free(ev);
            }
        }
        /* Reading again notices the client going away. */
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
        free(rep.body);
        return;
    }
    respond(c, rep.status, rep.content_type, rep.body ? rep.body : "", rep.len,
            head);
    free(rep.body);
}

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    struct conn *c = h->data;
    if (c->phase == STREAM) { /* what a stream's client sends is dropped */
        buf->base = c->buf;
        buf->len = sizeof c->buf;
        return;
    }
    buf->base = c->buf + c->len;
    buf->len = sizeof c->buf - c->len;
}

static void
on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    (void)buf;
    struct conn *c = s->data;
    if (n < 0) {
        conn_close(c);
        return;
    }
    if (c->phase != WAITING)
        return;               /* clients of a stream send nothing we need */
    if (c->len == 0 && n > 0) /* the first bytes: the header's time runs */
        uv_timer_start(&c->timer, on_timeout, HEADER_MS, 0);
    c->len += (size_t)n;
    handle_request(c);
}

static void
on_timeout(uv_timer_t *t)
{
    conn_close(t->data);
}

/* Closes the connection that has waited longest for its request. */
static void
evict_oldest_waiting(struct wd_http *http)
{
    for (struct conn *c = http->oldest; c; c = c->prev)
        if (c->phase == WAITING && !c->closing) {
            conn_close(c);
            return;
        }
}

static void
on_connection(uv_stream_t *server, int status)
{
    struct wd_http *http = server->data;
    if (status < 0 || !http)
        return;
    struct conn *c = calloc(1, sizeof *c);
    if (!c)
        return;
    uv_tcp_init(http->loop, &c->tcp);
    uv_timer_init(http->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->http = http;
    c->handles = 2;
    c->next = http->conns;
    if (http->conns)
        http->conns->prev = c;
    else
        http->oldest = c;
    http->conns = c;
    http->n_conns++;
    c->phase = ANSWERING; /* counted as waiting once accepted */
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 ||
        http->n_conns > MAX_CONNECTIONS) {
        conn_close(c);
        return;
    }
    if (http->n_waiting >= MAX_WAITING)
        evict_oldest_waiting(http);
    set_phase(c, WAITING);
    uv_timer_start(&c->timer, on_timeout, FIRST_BYTE_MS, 0);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

int
wd_http_start(struct wd_http **out, uv_loop_t *loop, const char *hostport,
              wd_http_handler handler, void *ctx)
{
    *out = NULL;
    char host[256];
    const char *colon = strrchr(hostport, ':');
    if (!colon || (size_t)(colon - hostport) >= sizeof host)
        return UV_EINVAL;
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    int port = atoi(colon + 1);
    /* "[::1]:9464" */
    char *h = host;
    if (h[0] == '[') {
        h++;
        char *end = strchr(h, ']');
        if (end)
            *end = '\0';
    }
    struct sockaddr_storage addr;
    int rc = strchr(h, ':')
                 ? uv_ip6_addr(h, port, (struct sockaddr_in6 *)&addr)
                 : uv_ip4_addr(strcmp(h, "localhost") == 0 ? "127.0.0.1" : h,
                               port, (struct sockaddr_in *)&addr);
    if (rc)
        return rc;
    struct wd_http *http = calloc(1, sizeof *http);
    if (!http)
        return UV_ENOMEM;
    http->loop = loop;
    http->handler = handler;
    http->ctx = ctx;
    uv_tcp_init(loop, &http->listener);
    http->listener.data = http;
    rc = uv_tcp_bind(&http->listener, (struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&http->listener, 64, on_connection);
    if (rc) {
        http->listener.data = NULL;
        uv_close((uv_handle_t *)&http->listener, NULL);
        /* Freed once the close callback ran: the loop still runs. */
        http->closing = true;
        uv_run(loop, UV_RUN_NOWAIT);
        free(http);
        return rc;
    }
    *out = http;
    return 0;
}

void
wd_http_broadcast(struct wd_http *h, const char *line, size_t len)
{
    if (!h || len == 0)
        return;
    char *ev = malloc(len + 16);
    if (!ev)
        return;
    int n = snprintf(ev, len + 16, "data: %.*s\n\n", (int)len, line);
    for (struct conn *c = h->conns; c; c = c->next) {
        if (c->phase != STREAM || c->closing)
            continue;
        if (c->queued > MAX_SSE_BACKLOG) {
            conn_close(c); /* a stuck viewer must not grow our memory */
            continue;
        }
        conn_write(c, ev, (size_t)n, false);
    }
    free(ev);
}

static void
on_listener_closed(uv_handle_t *handle)
{
    struct wd_http *http = handle->data;
    handle->data = NULL;
    if (http && http->n_conns == 0)
        free(http);
}

void
wd_http_close(struct wd_http *h)
{
    if (!h || h->closing)
        return;
    h->closing = true;
    for (struct conn *c = h->conns; c; c = c->next)
        conn_close(c);
    uv_close((uv_handle_t *)&h->listener, on_listener_closed);
}

int
wd_http_connections(const struct wd_http *h)
{
    return h ? h->n_conns : 0;
}

static int64_t
mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
wd_http_get(const char *hostport, const char *path, int timeout_ms, int *status,
            char **body, size_t *len)
{
    char host[256], port[16];
    const char *colon = strrchr(hostport, ':');
    if (!colon || (size_t)(colon - hostport) >= sizeof host ||
        strlen(colon + 1) >= sizeof port)
        return WD_EINVAL;
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    snprintf(port, sizeof port, "%s", colon + 1);
    char *h = host;
    if (h[0] == '[') {
        h++;
        char *end = strchr(h, ']');
        if (end)
            *end = '\0';
    }
    struct addrinfo hints = {0}, *ai;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(h, port, &hints, &ai) != 0)
        return WD_EENDPOINT;
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int rc = fd < 0 ? -errno : 0;
    if (rc == 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 &&
        errno != EINPROGRESS)
        rc = -errno;
    freeaddrinfo(ai);
    int64_t deadline = mono_ms() + timeout_ms;
    char req[1200];
    int rl = snprintf(req, sizeof req,
                      "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close"
                      "\r\n\r\n",
                      path, hostport);
    size_t sent = 0, got = 0, cap = 65536;
    char *buf = rc == 0 ? malloc(cap) : NULL;
    if (rc == 0 && !buf)
        rc = WD_ENOMEM;
    while (rc == 0) {
        int left = (int)(deadline - mono_ms());
        if (left <= 0) {
            rc = WD_ETIMEOUT;
            break;
        }
        struct pollfd p = {fd, sent < (size_t)rl ? POLLOUT : POLLIN, 0};
        if (poll(&p, 1, left) <= 0)
            continue;
        if (sent < (size_t)rl) {
            ssize_t n = send(fd, req + sent, (size_t)rl - sent, MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN)
                rc = -errno;
            else if (n > 0)
                sent += (size_t)n;
            continue;
        }
        if (got == cap) {
            if (cap >= (16u << 20)) {
                rc = WD_ETOOBIG;
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                rc = WD_ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t n = recv(fd, buf + got, cap - got, 0);
        if (n == 0)
            break; /* the server closed: the response is complete */
        if (n < 0 && errno != EAGAIN)
            rc = -errno;
        else if (n > 0)
            got += (size_t)n;
    }
    if (fd >= 0)
        close(fd);
    if (rc) {
        free(buf);
        return rc;
    }
    int minor;
    const char *msg;
    size_t msg_len, nh = 32;
    struct phr_header headers[32];
    int hl = phr_parse_response(buf, got, &minor, status, &msg, &msg_len,
                                headers, &nh, 0);
    if (hl < 0) {
        free(buf);
        return WD_EPARSE;
    }
    *len = got - (size_t)hl;
    memmove(buf, buf + hl, *len);
    buf[*len] = '\0';
    *body = buf;
    return 0;
}
