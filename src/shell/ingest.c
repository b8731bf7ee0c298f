#include "wd/ingest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "wd/curve.h"
#include "wd/endpoint.h"
#include "wd/err.h"
#include "wd/log.h"
#include "wd/zsock.h"
#include "wd/zwatch.h"

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

/* Reads one page (all its frames) and hands it over; false when none was
 * queued (zwatch.h). */
static bool
read_one(struct wd_zwatch *w)
{
    struct wd_ingest *in = w->data;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, in->sock, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&msg);
        return false; /* EAGAIN: nothing queued; EINTR: the next wake-up */
    }
    if (in->acked) {
        read_acked(in, &msg);
        zmq_msg_close(&msg);
        return true;
    }
    int frames = 1;
    size_t len = zmq_msg_size(&msg);
    size_t total =
        len + (zmq_msg_more(&msg) ? discard_rest(in->sock, &frames) : 0);
    in->on_message(in, zmq_msg_data(&msg), len, frames, total, NULL);
    zmq_msg_close(&msg);
    return true;
}

static int
start(struct wd_ingest *in, uv_loop_t *loop, void *zctx, int type,
      const char *endpoint, int rcvhwm, int64_t max_frame,
      const struct wd_curve_key *curve, wd_ingest_cb cb, int *zerr)
{
    void *data = in->data;
    memset(in, 0, sizeof *in);
    in->data = data;
    in->on_message = cb;
    in->acked = type == ZMQ_ROUTER;
    *zerr = 0;
    in->sock =
        wd_zsock_open(zctx, type, in->acked ? "ingest_ack" : "ingest", NULL);
    if (!in->sock) {
        *zerr = errno;
        return WD_EZMQ;
    }
    int linger = 0;
    zmq_setsockopt(in->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(in->sock, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm);
    zmq_setsockopt(in->sock, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame);
    if ((curve && wd_curve_server_socket(in->sock, curve, "ingest") != 0) ||
        wd_endpoint_attach(in->sock, endpoint, true) != 0) {
        *zerr = errno;
        wd_zsock_close(in->sock);
        in->sock = NULL;
        return WD_EENDPOINT;
    }
    in->watch.data = in;
    if (wd_zwatch_start(&in->watch, loop, in->sock, 256, read_one) != 0) {
        *zerr = errno;
        wd_zsock_close(in->sock);
        in->sock = NULL;
        return WD_EZMQ;
    }
    return 0;
}

int
wd_ingest_start(struct wd_ingest *in, uv_loop_t *loop, void *zctx,
                const char *endpoint, int rcvhwm, int64_t max_frame,
                const struct wd_curve_key *curve, wd_ingest_cb cb, int *zerr)
{
    return start(in, loop, zctx, ZMQ_PULL, endpoint, rcvhwm, max_frame, curve,
                 cb, zerr);
}

int
wd_ingest_start_acked(struct wd_ingest *in, uv_loop_t *loop, void *zctx,
                      const char *endpoint, int rcvhwm, int64_t max_frame,
                      const struct wd_curve_key *curve, wd_ingest_cb cb,
                      int *zerr)
{
    return start(in, loop, zctx, ZMQ_ROUTER, endpoint, rcvhwm, max_frame, curve,
                 cb, zerr);
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
        wd_zwatch_sent(&in->watch);
        return WD_EZMQ;
    }
    wd_zwatch_sent(&in->watch);
    return 0;
}

void
wd_ingest_pause(struct wd_ingest *in)
{
    wd_zwatch_pause(&in->watch);
}

void
wd_ingest_resume(struct wd_ingest *in)
{
    wd_zwatch_resume(&in->watch);
}

bool
wd_ingest_read_now(struct wd_ingest *in)
{
    return in->sock && wd_zwatch_read_now(&in->watch);
}

static void
on_watch_closed(struct wd_zwatch *w)
{
    struct wd_ingest *in = w->data;
    /* Answers still queued get a second to go out. */
    if (in->acked) {
        int linger = 1000;
        zmq_setsockopt(in->sock, ZMQ_LINGER, &linger, sizeof linger);
    }
    if (in->sock)
        wd_zsock_close(in->sock);
    in->sock = NULL;
    if (in->on_closed)
        in->on_closed(in);
}

void
wd_ingest_close(struct wd_ingest *in, void (*on_closed)(struct wd_ingest *in))
{
    in->on_closed = on_closed;
    if (!in->sock) {
        if (on_closed)
            on_closed(in);
        return;
    }
    wd_zwatch_close(&in->watch, on_watch_closed);
}

int
wd_ingest_ack_send(void *dealer, uint64_t req, const void *page, size_t len)
{
    if (zmq_send(dealer, "", 0, ZMQ_SNDMORE) < 0 ||
        zmq_send(dealer, &req, sizeof req, ZMQ_SNDMORE) < 0 ||
        zmq_send(dealer, page, len, 0) < 0)
        return WD_EZMQ;
    return 0;
}

int
wd_ingest_ack_wait(void *dealer, uint64_t req, int timeout_ms, char *answer,
                   size_t cap)
{
    answer[0] = '\0';
    int64_t end = wd_mono_ms() + timeout_ms;
    for (int64_t now = wd_mono_ms(); now < end; now = wd_mono_ms()) {
        zmq_pollitem_t it = {dealer, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, (long)(end - now)) <= 0)
            continue;
        /* [empty, request id, status]; answers to other requests (earlier
         * tries, other pages) are skipped. */
        char frames[3][128];
        int sizes[3] = {-1, -1, -1}, nf = 0, more = 1;
        size_t sz = sizeof more;
        while (more) {
            char tmp[128];
            int r = zmq_recv(dealer, nf < 3 ? frames[nf] : tmp, 127, 0);
            if (r < 0)
                break;
            if (nf < 3)
                sizes[nf] = r > 127 ? 127 : r;
            nf++;
            zmq_getsockopt(dealer, ZMQ_RCVMORE, &more, &sz);
        }
        if (nf == 3 && sizes[0] == 0 && sizes[1] == (int)sizeof req &&
            memcmp(frames[1], &req, sizeof req) == 0) {
            snprintf(answer, cap, "%.*s", sizes[2], frames[2]);
            return 1;
        }
    }
    return 0;
}
