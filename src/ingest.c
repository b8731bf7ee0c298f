#include "wd/ingest.h"

#include <errno.h>
#include <string.h>
#include <zmq.h>

#include "wd/curve.h"
#include "wd/endpoint.h"
#include "wd/err.h"

static void drain(struct wd_ingest *in);

static void
on_poll(uv_poll_t *h, int status, int events)
{
    /* Spurious wake-ups are normal with ZMQ_FD; drain() checks
     * ZMQ_EVENTS itself. An error status is retried the same way. */
    drain(h->data);
}

static void
on_idle(uv_idle_t *h)
{
    drain(h->data);
}

/* Reads and discards the remaining frames of a multi-frame message. */
static size_t
discard_rest(void *sock, int *frames)
{
    size_t total = 0;
    int more = 1;
    size_t sz = sizeof more;
    while (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&part);
            break;
        }
        total += zmq_msg_size(&part);
        (*frames)++;
        zmq_msg_close(&part);
        sz = sizeof more;
    }
    return total;
}

/* Reads the rest of an acknowledged request after its identity frame and
 * hands the page over with whom to answer. A request without the envelope
 * (empty frame, request id) cannot be answered: it is refused as a
 * multi-frame message, unanswered. */
static void
read_acked(struct wd_ingest *in, zmq_msg_t *idf)
{
    struct wd_ingest_ack ack;
    size_t total = zmq_msg_size(idf);
    ack.id_len = total < WD_INGEST_ID_MAX ? total : WD_INGEST_ID_MAX;
    memcpy(ack.id, zmq_msg_data(idf), ack.id_len);
    zmq_msg_t part[3];
    int n = 0, frames = 1;
    bool more = zmq_msg_more(idf);
    while (more && n < 3) {
        zmq_msg_init(&part[n]);
        if (zmq_msg_recv(&part[n], in->sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&part[n]);
            break;
        }
        total += zmq_msg_size(&part[n]);
        more = zmq_msg_more(&part[n]);
        n++;
        frames++;
    }
    if (more)
        total += discard_rest(in->sock, &frames);
    bool envelope = n >= 2 && zmq_msg_size(&part[0]) == 0 &&
                    zmq_msg_size(&part[1]) <= WD_INGEST_REQ_MAX;
    if (envelope) {
        ack.req_len = zmq_msg_size(&part[1]);
        memcpy(ack.req, zmq_msg_data(&part[1]), ack.req_len);
        const void *page = n == 3 ? zmq_msg_data(&part[2]) : "";
        size_t len = n == 3 ? zmq_msg_size(&part[2]) : 0;
        /* Payload frames: all but identity, empty frame and request id. */
        int payload = frames - 3;
        in->on_message(in, page, len, payload, payload == 1 ? len : total,
                       &ack);
    } else {
        in->on_message(in, zmq_msg_data(idf), zmq_msg_size(idf), frames, total,
                       NULL);
    }
    for (int i = 0; i < n; i++)
        zmq_msg_close(&part[i]);
}

static void
drain(struct wd_ingest *in)
{
    unsigned n = 0;
    while (n < in->budget && !in->paused) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, in->sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msg);
            break; /* EAGAIN: nothing queued; EINTR: the next wake-up */
        }
        n++;
        if (in->acked) {
            read_acked(in, &msg);
            zmq_msg_close(&msg);
            continue;
        }
        int frames = 1;
        size_t len = zmq_msg_size(&msg);
        size_t total =
            len + (zmq_msg_more(&msg) ? discard_rest(in->sock, &frames) : 0);
        in->on_message(in, zmq_msg_data(&msg), len, frames, total, NULL);
        zmq_msg_close(&msg);
    }
    if (in->paused) {
        uv_idle_stop(&in->idle);
        return;
    }
    /* Reading consumed the edge. Whether more is queued is known only from
     * ZMQ_EVENTS: if so, keep draining from the idle handle. */
    int events = 0;
    size_t sz = sizeof events;
    bool pending = zmq_getsockopt(in->sock, ZMQ_EVENTS, &events, &sz) == 0 &&
                   (events & ZMQ_POLLIN);
    if (pending)
        uv_idle_start(&in->idle, on_idle);
    else
        uv_idle_stop(&in->idle);
}

static int
start(struct wd_ingest *in, uv_loop_t *loop, void *zctx, int type,
      const char *endpoint, int rcvhwm, const struct wd_curve_key *curve,
      wd_ingest_cb cb, int *zerr)
{
    void *data = in->data;
    memset(in, 0, sizeof *in);
    in->data = data;
    in->on_message = cb;
    in->budget = 256;
    in->acked = type == ZMQ_ROUTER;
    *zerr = 0;
    in->sock = zmq_socket(zctx, type);
    if (!in->sock) {
        *zerr = errno;
        return WD_EZMQ;
    }
    int linger = 0;
    zmq_setsockopt(in->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(in->sock, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm);
    if ((curve && wd_curve_server_socket(in->sock, curve, "ingest") != 0) ||
        wd_endpoint_attach(in->sock, endpoint, true) != 0) {
        *zerr = errno;
        zmq_close(in->sock);
        in->sock = NULL;
        return WD_EENDPOINT;
    }
    int fd;
    size_t sz = sizeof fd;
    if (zmq_getsockopt(in->sock, ZMQ_FD, &fd, &sz) != 0) {
        *zerr = errno;
        zmq_close(in->sock);
        in->sock = NULL;
        return WD_EZMQ;
    }
    uv_poll_init(loop, &in->poll, fd);
    uv_idle_init(loop, &in->idle);
    in->poll.data = in;
    in->idle.data = in;
    in->open_handles = 2;
    uv_poll_start(&in->poll, UV_READABLE, on_poll);
    /* Messages may have arrived between bind and the first poll: drain
     * once now, since no edge will announce them. */
    uv_idle_start(&in->idle, on_idle);
    return 0;
}

int
wd_ingest_start(struct wd_ingest *in, uv_loop_t *loop, void *zctx,
                const char *endpoint, int rcvhwm,
                const struct wd_curve_key *curve, wd_ingest_cb cb, int *zerr)
{
    return start(in, loop, zctx, ZMQ_PULL, endpoint, rcvhwm, curve, cb, zerr);
}

int
wd_ingest_start_acked(struct wd_ingest *in, uv_loop_t *loop, void *zctx,
                      const char *endpoint, int rcvhwm,
                      const struct wd_curve_key *curve, wd_ingest_cb cb,
                      int *zerr)
{
    return start(in, loop, zctx, ZMQ_ROUTER, endpoint, rcvhwm, curve, cb, zerr);
}

/* A send on the socket may process ZeroMQ's pending commands and so
 * consume the ZMQ_FD edge of a request that arrived meanwhile: no poll
 * event would announce it. After every send, drain once from the idle
 * handle; drain() checks ZMQ_EVENTS and stops it when nothing is queued. */
static void
rearm(struct wd_ingest *in)
{
    if (in->open_handles && !in->paused &&
        !uv_is_closing((uv_handle_t *)&in->idle))
        uv_idle_start(&in->idle, on_idle);
}

int
wd_ingest_reply(struct wd_ingest *in, const struct wd_ingest_ack *ack,
                const char *status)
{
    if (!in->sock || !in->acked)
        return WD_EINVAL;
    if (zmq_send(in->sock, ack->id, ack->id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) <
            0 ||
        zmq_send(in->sock, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(in->sock, ack->req, ack->req_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) <
            0 ||
        zmq_send(in->sock, status, strlen(status), ZMQ_DONTWAIT) < 0) {
        rearm(in);
        return WD_EZMQ;
    }
    rearm(in);
    return 0;
}

void
wd_ingest_pause(struct wd_ingest *in)
{
    in->paused = true;
    if (in->open_handles) {
        uv_poll_stop(&in->poll);
        uv_idle_stop(&in->idle);
    }
}

void
wd_ingest_resume(struct wd_ingest *in)
{
    if (!in->paused || uv_is_closing((uv_handle_t *)&in->poll))
        return;
    in->paused = false;
    if (in->open_handles) {
        uv_poll_start(&in->poll, UV_READABLE, on_poll);
        /* No edge announces what queued meanwhile: drain at once. */
        uv_idle_start(&in->idle, on_idle);
    }
}

static void
on_handle_closed(uv_handle_t *h)
{
    struct wd_ingest *in = h->data;
    if (--in->open_handles > 0)
        return;
    /* Never close ZMQ_FD ourselves: it belongs to the socket. Answers
     * still queued get a second to go out. */
    if (in->acked) {
        int linger = 1000;
        zmq_setsockopt(in->sock, ZMQ_LINGER, &linger, sizeof linger);
    }
    zmq_close(in->sock);
    in->sock = NULL;
    if (in->on_closed)
        in->on_closed(in);
}

void
wd_ingest_close(struct wd_ingest *in, void (*on_closed)(struct wd_ingest *in))
{
    in->on_closed = on_closed;
    if (!in->sock || in->open_handles == 0) {
        if (on_closed)
            on_closed(in);
        return;
    }
    uv_poll_stop(&in->poll);
    uv_idle_stop(&in->idle);
    uv_close((uv_handle_t *)&in->poll, on_handle_closed);
    uv_close((uv_handle_t *)&in->idle, on_handle_closed);
}
