#include "wd/zwatch.h"

#include <string.h>

#include "wd/err.h"

static void drain(struct wd_zwatch *w);

static void
on_poll(uv_poll_t *h, int status, int events)
{
    /* Spurious wake-ups are normal with ZMQ_FD, and an error status is
     * retried the same way: drain() asks ZMQ_EVENTS itself. */
    (void)status;
    (void)events;
    drain(h->data);
}

static void
on_idle(uv_idle_t *h)
{
    drain(h->data);
}

static bool
watching(const struct wd_zwatch *w)
{
    return w->handles == 2 && !w->closing;
}

static void
drain(struct wd_zwatch *w)
{
    for (unsigned n = 0; n < w->budget && watching(w) && !w->paused; n++)
        if (!w->read(w))
            break;
    if (!watching(w))
        return;
    if (w->paused) {
        uv_idle_stop(&w->idle);
        return;
    }
    /* Reading consumed the edge. Whether more is queued is known only from
     * ZMQ_EVENTS: if so, keep draining from the idle handle. */
    int events = 0;
    size_t sz = sizeof events;
    if (zmq_getsockopt(w->sock, ZMQ_EVENTS, &events, &sz) == 0 &&
        (events & ZMQ_POLLIN))
        uv_idle_start(&w->idle, on_idle);
    else
        uv_idle_stop(&w->idle);
}

int
wd_zwatch_start(struct wd_zwatch *w, uv_loop_t *loop, void *sock,
                unsigned budget, wd_zwatch_read_fn read)
{
    void *data = w->data;
    memset(w, 0, sizeof *w);
    w->data = data;
    w->sock = sock;
    w->read = read;
    w->budget = budget ? budget : 1;
    int fd;
    size_t sz = sizeof fd;
    if (zmq_getsockopt(sock, ZMQ_FD, &fd, &sz) != 0)
        return WD_EZMQ;
    if (uv_poll_init(loop, &w->poll, fd) != 0)
        return WD_EZMQ;
    if (uv_idle_init(loop, &w->idle) != 0) {
        uv_close((uv_handle_t *)&w->poll, NULL);
        return WD_EZMQ;
    }
    w->poll.data = w->idle.data = w;
    w->handles = 2;
    uv_poll_start(&w->poll, UV_READABLE, on_poll);
    /* Messages may have come before the first poll: no edge announces
     * them, so drain once now. */
    uv_idle_start(&w->idle, on_idle);
    return 0;
}

void
wd_zwatch_pause(struct wd_zwatch *w)
{
    /* (Stopping the poll again would cost an epoll_ctl each time.) */
    if (w->paused)
        return;
    w->paused = true;
    if (watching(w)) {
        uv_poll_stop(&w->poll);
        uv_idle_stop(&w->idle);
    }
}

void
wd_zwatch_resume(struct wd_zwatch *w)
{
    if (!w->paused)
        return;
    w->paused = false;
    if (watching(w)) {
        uv_poll_start(&w->poll, UV_READABLE, on_poll);
        uv_idle_start(&w->idle, on_idle); /* what queued meanwhile */
    }
}

/* Has the idle handle drain on the next loop iteration, unless paused or
 * closing: the edge may have been consumed outside a wake-up. */
static void
drain_later(struct wd_zwatch *w)
{
    if (watching(w) && !w->paused)
        uv_idle_start(&w->idle, on_idle);
}

bool
wd_zwatch_read_now(struct wd_zwatch *w)
{
    if (!watching(w))
        return false;
    bool got = w->read(w);
    if (got)
        drain_later(w);
    return got;
}

void
wd_zwatch_sent(struct wd_zwatch *w)
{
    /* The send may have processed ZeroMQ's commands and consumed the edge
     * of a message that arrived meanwhile: drain once; drain() stops the
     * idle handle when nothing is queued. */
    drain_later(w);
}

static void
on_handle_closed(uv_handle_t *h)
{
    struct wd_zwatch *w = h->data;
    if (--w->handles > 0)
        return;
    if (w->on_closed)
        w->on_closed(w);
}

void
wd_zwatch_close(struct wd_zwatch *w, wd_zwatch_closed_fn on_closed)
{
    if (w->closing)
        return;
    w->closing = true;
    w->on_closed = on_closed;
    if (w->handles != 2) { /* never watched */
        if (on_closed)
            on_closed(w);
        return;
    }
    uv_poll_stop(&w->poll);
    uv_idle_stop(&w->idle);
    uv_close((uv_handle_t *)&w->poll, on_handle_closed);
    uv_close((uv_handle_t *)&w->idle, on_handle_closed);
}

size_t
wd_zwatch_recv(void *sock, zmq_msg_t *parts, size_t cap, size_t *frames)
{
    size_t n = 0;
    *frames = 0;
    for (bool more = true; more;) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            break;
        }
        more = zmq_msg_more(&m);
        (*frames)++;
        if (n < cap) {
            zmq_msg_init(&parts[n]);
            zmq_msg_move(&parts[n++], &m);
        }
        zmq_msg_close(&m);
    }
    return n;
}
