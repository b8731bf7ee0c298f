#include "wd/publish.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "wd/channel.h"
#include "wd/curve.h"
#include "wd/endpoint.h"
#include "wd/err.h"
#include "wd/snapshot.h"
#include "wd/zsock.h"
#include "wd/zwatch.h"

/* A random epoch, never 0: two workers, or two runs of one, differ. */
static uint64_t
new_epoch(void)
{
    uint64_t e = 0;
    if (getrandom(&e, sizeof e, 0) != (ssize_t)sizeof e) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        e = ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec) ^
            ((uint64_t)getpid() << 40);
    }
    return e ? e : 1;
}

int
wd_publish_open(struct wd_publish *p, void *zctx, const char *endpoint,
                int sndhwm, size_t depth, size_t max_bytes,
                const struct wd_curve_key *curve, int *zerr)
{
    memset(p, 0, sizeof *p);
    *zerr = 0;
    p->epoch = new_epoch();
    int rc = wd_snapshot_new(&p->history, depth, max_bytes);
    if (rc)
        return rc;
    p->sock = wd_zsock_open(zctx, ZMQ_PUB, "publish", NULL);
    if (!p->sock) {
        *zerr = errno;
        return WD_EZMQ;
    }
    zmq_setsockopt(p->sock, ZMQ_SNDHWM, &sndhwm, sizeof sndhwm);
    if ((curve && wd_curve_server_socket(p->sock, curve, "publish") != 0) ||
        wd_endpoint_attach(p->sock, endpoint, true) != 0) {
        *zerr = errno;
        wd_zsock_close(p->sock);
        p->sock = NULL;
        return WD_EENDPOINT;
    }
    return 0;
}

/* Sends frames f[0..n) as one message after prefix frames (the ROUTER's
 * identity, or none), without blocking. After the first frame ZeroMQ takes
 * the rest of the message atomically. Returns 0 or WD_EZMQ. */
static int
send_frames(void *sock, const zmq_msg_t *prefix,
            const struct wd_snapshot_frame *f, size_t n)
{
    if (prefix) {
        zmq_msg_t id;
        zmq_msg_init(&id);
        zmq_msg_copy(&id, (zmq_msg_t *)prefix);
        if (zmq_msg_send(&id, sock, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&id);
            return WD_EZMQ;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (zmq_send(sock, f[i].data, f[i].len,
                     (i + 1 < n ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT) < 0)
            return WD_EZMQ;
    return 0;
}

int
wd_publish_send(struct wd_publish *p, const char *channel, const void *buf,
                size_t len, uint64_t *seq_out)
{
    uint8_t seq[8], epoch[8];
    uint64_t n = wd_snapshot_record(p->history, channel, buf, len);
    if (seq_out)
        *seq_out = n;
    wd_snapshot_put_u64(seq, n);
    wd_snapshot_put_u64(epoch, p->epoch);
    size_t clen = strlen(channel);
    struct wd_snapshot_frame f[4] = {
        {channel, clen}, {buf, len}, {seq, 8}, {epoch, 8}};
    if (send_frames(p->sock, NULL, f, 4) != 0) {
        p->errors++;
        return WD_EZMQ;
    }
    p->messages++;
    p->bytes += clen + len;
    return 0;
}

/* --- the snapshot service ------------------------------------------------ */

#define REQUEST_FRAMES 4 /* kept of a request; more make it refused */

struct reply {
    struct wd_publish *p;
    const zmq_msg_t *id;
    const char *channel;
    uint64_t count;
};

static void
send_item(void *ctx, const struct wd_snapshot_item *it)
{
    struct reply *r = ctx;
    uint8_t seq[8], epoch[8];
    wd_snapshot_put_u64(seq, it->seq);
    wd_snapshot_put_u64(epoch, r->p->epoch);
    struct wd_snapshot_frame f[5] = {
        {WD_SNAPSHOT_ITEM, strlen(WD_SNAPSHOT_ITEM)},
        {r->channel, strlen(r->channel)},
        {it->data, it->len},
        {seq, 8},
        {epoch, 8}};
    send_frames(r->p->snap_sock, r->id, f, 5);
}

static void
send_resumed(void *ctx, uint64_t epoch, uint64_t seq, const uint8_t *bytes,
             size_t len)
{
    struct reply *r = ctx;
    uint8_t s8[8], e8[8];
    wd_snapshot_put_u64(s8, seq);
    wd_snapshot_put_u64(e8, epoch);
    struct wd_snapshot_frame f[5] = {
        {WD_SNAPSHOT_ITEM, strlen(WD_SNAPSHOT_ITEM)},
        {r->channel, strlen(r->channel)},
        {bytes, len},
        {s8, 8},
        {e8, 8}};
    send_frames(r->p->snap_sock, r->id, f, 5);
    r->count++;
}

static void
refuse(struct wd_publish *p, const zmq_msg_t *id, const char *why)
{
    p->snap_refused++;
    struct wd_snapshot_frame e[2] = {
        {WD_SNAPSHOT_ERROR, strlen(WD_SNAPSHOT_ERROR)}, {why, strlen(why)}};
    send_frames(p->snap_sock, id, e, 2);
}

/* RESUME, channel, epoch, seq: the channel's messages after (epoch, seq)
 * from the journal, then END with two more frames: complete and more. */
static void
answer_resume(struct wd_publish *p, const zmq_msg_t *id,
              const struct wd_snapshot_frame *f, size_t n)
{
    char channel[WD_CHANNEL_MAX];
    uint64_t epoch, seq;
    const char *why = wd_snapshot_parse_resume(f, n, channel, &epoch, &seq);
    if (!why && !p->resume)
        why = "no journal here (the worker keeps one with --snapshot and an "
              "LMDB store)";
    if (why) {
        refuse(p, id, why);
        return;
    }
    p->snap_requests++;
    struct reply r = {p, id, channel, 0};
    bool complete = false, more = false;
    if (p->resume(p->resume_ctx, channel, epoch, seq, send_resumed, &r,
                  &complete, &more) != 0) {
        refuse(p, id, "the journal cannot be read now");
        return;
    }
    uint8_t s8[8], e8[8], count[8], c1 = complete, m1 = more;
    wd_snapshot_put_u64(s8, wd_snapshot_seq(p->history, channel));
    wd_snapshot_put_u64(e8, p->epoch);
    wd_snapshot_put_u64(count, r.count);
    struct wd_snapshot_frame end[7] = {
        {WD_SNAPSHOT_END, strlen(WD_SNAPSHOT_END)},
        {channel, strlen(channel)},
        {s8, 8},
        {e8, 8},
        {count, 8},
        {&c1, 1},
        {&m1, 1}};
    send_frames(p->snap_sock, id, end, 7);
}

void
wd_publish_resume_with(struct wd_publish *p, wd_publish_resume_fn fn, void *ctx)
{
    p->resume = fn;
    p->resume_ctx = ctx;
}

/* Answers one request: its items and the end marker, or a refusal. */
static void
answer(struct wd_publish *p, const zmq_msg_t *id,
       const struct wd_snapshot_frame *f, size_t n)
{
    size_t rl = strlen(WD_SNAPSHOT_RESUME);
    if (n > 0 && f[0].len == rl &&
        memcmp(f[0].data, WD_SNAPSHOT_RESUME, rl) == 0) {
        answer_resume(p, id, f, n);
        return;
    }
    char channel[WD_CHANNEL_MAX];
    uint64_t want;
    const char *why = wd_snapshot_parse_request(f, n, channel, &want);
    if (why) {
        refuse(p, id, why);
        return;
    }
    p->snap_requests++;
    struct reply r = {p, id, channel, 0};
    size_t k = wd_snapshot_last(p->history, channel, want, send_item, &r);
    uint8_t seq[8], epoch[8], count[8];
    wd_snapshot_put_u64(seq, wd_snapshot_seq(p->history, channel));
    wd_snapshot_put_u64(epoch, p->epoch);
    wd_snapshot_put_u64(count, k);
    struct wd_snapshot_frame end[5] = {
        {WD_SNAPSHOT_END, strlen(WD_SNAPSHOT_END)},
        {channel, strlen(channel)},
        {seq, 8},
        {epoch, 8},
        {count, 8}};
    send_frames(p->snap_sock, id, end, 5);
}

/* Reads one request (identity + frames) and answers it. False when none
 * was queued. */
static bool
serve_one(struct wd_zwatch *w)
{
    struct wd_publish *p = w->data;
    zmq_msg_t part[1 + REQUEST_FRAMES]; /* the identity, the request */
    size_t frames,
        n = wd_zwatch_recv(p->snap_sock, part, 1 + REQUEST_FRAMES, &frames);
    if (n == 0)
        return false;
    struct wd_snapshot_frame f[REQUEST_FRAMES];
    for (size_t i = 1; i < n; i++)
        f[i - 1] = (struct wd_snapshot_frame){zmq_msg_data(&part[i]),
                                              zmq_msg_size(&part[i])};
    answer(p, &part[0], f, frames - 1);
    for (size_t i = 0; i < n; i++)
        zmq_msg_close(&part[i]);
    return true;
}

int
wd_publish_snapshot_start(struct wd_publish *p, uv_loop_t *loop, void *zctx,
                          const char *endpoint,
                          const struct wd_curve_key *curve, int *zerr)
{
    *zerr = 0;
    p->snap_sock = wd_zsock_open(zctx, ZMQ_ROUTER, "snapshot", NULL);
    if (!p->snap_sock) {
        *zerr = errno;
        return WD_EZMQ;
    }
    /* A reply is at most depth items and the end marker; a client that
     * asks again and again without reading loses replies, not memory. */
    int linger = 0, hwm = 4 * (WD_SNAPSHOT_MAX_DEPTH + 1);
    zmq_setsockopt(p->snap_sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(p->snap_sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    /* A request is a few short frames: a longer one is not taken in. */
    int64_t max_frame = 4096;
    zmq_setsockopt(p->snap_sock, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame);
    p->snap_watch.data = p;
    if ((curve &&
         wd_curve_server_socket(p->snap_sock, curve, "snapshot") != 0) ||
        wd_endpoint_attach(p->snap_sock, endpoint, true) != 0 ||
        wd_zwatch_start(&p->snap_watch, loop, p->snap_sock, 64, serve_one) !=
            0) {
        *zerr = errno;
        wd_zsock_close(p->snap_sock);
        p->snap_sock = NULL;
        return WD_EENDPOINT;
    }
    return 0;
}

static void
on_snap_closed(struct wd_zwatch *w)
{
    struct wd_publish *p = w->data;
    wd_zsock_close(p->snap_sock); /* ZMQ_FD belongs to the socket */
    p->snap_sock = NULL;
}

void
wd_publish_snapshot_close(struct wd_publish *p)
{
    if (p->snap_sock && p->snap_watch.handles == 2)
        wd_zwatch_close(&p->snap_watch, on_snap_closed);
}

void
wd_publish_close(struct wd_publish *p, int linger_ms)
{
    if (p->snap_sock && p->snap_watch.handles == 0) { /* never watched */
        wd_zsock_close(p->snap_sock);
        p->snap_sock = NULL;
    }
    if (p->sock) {
        zmq_setsockopt(p->sock, ZMQ_LINGER, &linger_ms, sizeof linger_ms);
        wd_zsock_close(p->sock);
        p->sock = NULL;
    }
    wd_snapshot_free(p->history);
    p->history = NULL;
}
