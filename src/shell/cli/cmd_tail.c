#include "wd/cli.h"
#include "wd/config.h"
#include "wd/endpoint.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include <unistd.h>
#include <zmq.h>

#include "wd/app.h"
#include "wd/article.h"
#include "wd/channel.h"
#include "wd/curve.h"
#include "wd/err.h"
#include "wd/http.h"
#include "wd/ingest.h"
#include "wd/log.h"
#include "wd/proxy.h"
#include "wd/publish.h"
#include "wd/snapshot.h"
#include "wd/store.h"
#include "wd/text.h"
#include "wd/zwatch.h"
#include "wiredesk.pb-c.h"

static const char usage_tail[] =
    "usage: wiredesk tail [OPTIONS] [CHANNEL...]\n"
    "\n"
    "Subscribes to the channels (default: all) and prints each message as one\n"
    "JSON line with its channel and sequence number. Channels: all,\n"
    "country.CC, theme.SLUG, $stats, $dedup (why each dropped story or page\n"
    "was dropped), $events (each event founded or joined). Gaps in a\n"
    "channel's sequence numbers\n"
    "(messages dropped or missed) are said on stderr as they come and\n"
    "counted at exit.\n"
    "\n"
    "  --endpoint ENDPOINT     the worker's PUB socket    [" WD_DEFAULT_PUBLISH
    "]\n"
    "  --catch-up N            first the last N messages of each channel\n"
    "                          from the snapshot service, then the live ones,\n"
    "                          without a gap or a repeat; later gaps are\n"
    "                          filled from it when it still holds them\n"
    "  --resume                on a gap or a new stream (the worker\n"
    "                          restarted, or died with messages for us),\n"
    "                          ask its journal for what was missed, from\n"
    "                          the last message printed (RESUME)\n"
    "  --snapshot ENDPOINT     the worker's snapshot service\n"
    "                          [" WD_DEFAULT_SNAPSHOT
    " with --catch-up or --resume]\n"
    "  --count N               exit after N messages (caught-up ones too)\n"
    "  --timeout MS            exit (status 0) after MS without a message\n"
    "  --connect-timeout MS    give up when not connected [5000]\n"
    "  --curve-server-key FILE the worker's public key (CURVE)\n"
    "  --curve-secret FILE     this client's secret key (CURVE, mode 0600)\n"
    "  -h, --help              this text\n";

/* Watches the SUB socket's connection events on a PAIR socket. Set up
 * before zmq_connect(), so that a connection made at once is not missed. */
static void *
monitor_open(void *zctx, void *sock)
{
    if (zmq_socket_monitor(sock, "inproc://wd-tail-monitor",
                           ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
                               ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) != 0)
        return NULL;
    void *mon = zmq_socket(zctx, ZMQ_PAIR);
    if (mon && zmq_connect(mon, "inproc://wd-tail-monitor") != 0) {
        zmq_close(mon);
        return NULL;
    }
    return mon;
}

/* Reads one event of the monitor (both frames); its code, or 0. */
static uint16_t
read_event(void *mon)
{
    uint16_t event = 0;
    zmq_msg_t ev;
    zmq_msg_init(&ev);
    if (zmq_msg_recv(&ev, mon, 0) >= 0 && zmq_msg_size(&ev) >= 2)
        memcpy(&event, zmq_msg_data(&ev), 2);
    /* The second frame holds the endpoint. */
    while (zmq_msg_more(&ev)) {
        zmq_msg_close(&ev);
        zmq_msg_init(&ev);
        zmq_msg_recv(&ev, mon, 0);
    }
    zmq_msg_close(&ev);
    return event;
}

/* Waits for the first completed handshake (not only the TCP connection: a
 * port that is not a wiredesk PUB socket, or CURVE keys that do not match,
 * connect and then fail), so that an endpoint nobody serves is an error,
 * not a hang. Returns 0, WD_ETIMEOUT, or WD_EPARSE for a handshake that
 * failed. The monitor goes on only when keep (--resume: a connection made
 * again is a moment to ask what was missed). */
static int
wait_connected(void *sock, void *mon, long long timeout_ms, bool keep)
{
    int rc = WD_ETIMEOUT;
    int64_t deadline = wd_mono_ms() + timeout_ms;
    while (!wd_cli_stop && rc == WD_ETIMEOUT) {
        int64_t left = deadline - wd_mono_ms();
        if (left <= 0)
            break;
        zmq_pollitem_t it = {mon, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, left > 200 ? 200 : (long)left) <= 0)
            continue;
        uint16_t ev = read_event(mon);
        if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
            rc = 0;
        else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL ||
                 ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
                 ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
            rc = WD_EPARSE;
    }
    if (!keep)
        zmq_socket_monitor(sock, NULL, 0);
    return rc;
}

static void
close_parts(zmq_msg_t *parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        zmq_msg_close(&parts[i]);
}

/* The 8-byte number in part i, or 0 when there is none. */
static uint64_t
part_u64(zmq_msg_t *parts, size_t n, size_t i)
{
    uint64_t v = 0;
    if (i >= n || !wd_snapshot_get_u64(zmq_msg_data(&parts[i]),
                                       zmq_msg_size(&parts[i]), &v))
        return 0;
    return v;
}

static void
part_text(zmq_msg_t *part, char *buf, size_t cap)
{
    size_t l = zmq_msg_size(part);
    if (l >= cap)
        l = cap - 1;
    memcpy(buf, zmq_msg_data(part), l);
    buf[l] = '\0';
}

/* The last message printed on a channel: where --resume resumes from. */
struct lastseen {
    char channel[WD_CHANNEL_MAX];
    uint64_t epoch, seq;
};

#define MAX_LASTSEEN 256

struct tail {
    void *snap; /* DEALER on the snapshot service, or NULL */
    const char *snap_endpoint;
    long long reply_ms; /* how long a snapshot reply may take */
    struct wd_snapshot_track *track;
    long long got;
    uint64_t sequenced, gaps, missed, resumed;
    bool resume; /* --resume */
    struct lastseen seen[MAX_LASTSEEN];
    size_t n_seen;
};

/* Where the channel's last printed message is kept; NULL when the table is
 * full. */
static struct lastseen *
seen_of(struct tail *t, const char *channel)
{
    for (size_t i = 0; i < t->n_seen; i++)
        if (strcmp(t->seen[i].channel, channel) == 0)
            return &t->seen[i];
    if (t->n_seen == MAX_LASTSEEN)
        return NULL;
    struct lastseen *ls = &t->seen[t->n_seen++];
    wd_text_copy(ls->channel, sizeof ls->channel, channel);
    ls->epoch = ls->seq = 0;
    return ls;
}

/* Prints one message as a JSON line (with its sequence number when it has
 * one). */
static void
print_message(struct tail *t, const char *channel, const void *data, size_t len,
              uint64_t seq)
{
    char *json = strcmp(channel, WD_CHANNEL_STATS) == 0
                     ? wd_worker_stats_json(data, len, channel)
                 : strcmp(channel, WD_CHANNEL_DEDUP) == 0
                     ? wd_dedup_decision_json(data, len, channel)
                 : strcmp(channel, WD_CHANNEL_EVENTS) == 0
                     ? wd_event_json(data, len, channel)
                     : wd_article_json(data, len, channel);
    if (!json) {
        fprintf(stderr, "wiredesk tail: undecodable message on %s\n", channel);
        return;
    }
    if (seq && json[0] == '{' && json[1] == '"')
        printf("{\"seq\":%llu,%s\n", (unsigned long long)seq, json + 1);
    else
        printf("%s\n", json);
    fflush(stdout);
    free(json);
    t->got++;
}

/* Waits, at most 200 ms and never past deadline, for one reply of the
 * snapshot service: its parts go to p[0..cap), its kind and channel to
 * kind and ch ("" when it has fewer than two parts). Returns how many parts
 * were kept; 0 when nothing came. */
static size_t
recv_reply(struct tail *t, int64_t deadline, zmq_msg_t *p, size_t cap,
           char kind[16], char ch[WD_CHANNEL_MAX])
{
    int64_t left = deadline - wd_mono_ms();
    zmq_pollitem_t it = {t->snap, 0, ZMQ_POLLIN, 0};
    if (left <= 0 || zmq_poll(&it, 1, left > 200 ? 200 : (long)left) <= 0)
        return 0;
    size_t frames, k = wd_zwatch_recv(t->snap, p, cap, &frames);
    kind[0] = ch[0] = '\0';
    if (k >= 2) {
        part_text(&p[0], kind, 16);
        part_text(&p[1], ch, WD_CHANNEL_MAX);
    }
    return k;
}

/* Asks the snapshot service for the last n messages of channel and prints
 * those of epoch (any when 0) numbered in (after, before). Returns how many
 * were printed, or -1 (said on stderr); *seq and *epoch get the end
 * marker's. */
static long long
fetch_snapshot(struct tail *t, const char *channel, uint64_t n, uint64_t epoch,
               uint64_t after, uint64_t before, uint64_t *seq,
               uint64_t *end_epoch)
{
    uint8_t count[8];
    wd_snapshot_put_u64(count, n);
    if (zmq_send(t->snap, WD_SNAPSHOT_REQUEST, strlen(WD_SNAPSHOT_REQUEST),
                 ZMQ_SNDMORE) < 0 ||
        zmq_send(t->snap, channel, strlen(channel), ZMQ_SNDMORE) < 0 ||
        zmq_send(t->snap, count, 8, 0) < 0) {
        fprintf(stderr, "wiredesk tail: cannot ask %s: %s\n", t->snap_endpoint,
                zmq_strerror(errno));
        return -1;
    }
    long long printed = 0;
    uint64_t items = 0;
    int64_t deadline = wd_mono_ms() + t->reply_ms;
    while (!wd_cli_stop && wd_mono_ms() < deadline) {
        zmq_msg_t p[5];
        char kind[16], ch[WD_CHANNEL_MAX];
        size_t k = recv_reply(t, deadline, p, 5, kind, ch);
        if (k == 0)
            continue;
        if (strcmp(kind, WD_SNAPSHOT_ERROR) == 0) {
            fprintf(stderr, "wiredesk tail: %s refused the request: %s\n",
                    t->snap_endpoint, ch);
            close_parts(p, k);
            return -1;
        }
        bool mine = strcmp(ch, channel) == 0; /* else a late stale reply */
        if (mine && k == 5 && strcmp(kind, WD_SNAPSHOT_END) == 0) {
            *seq = part_u64(p, k, 2);
            *end_epoch = part_u64(p, k, 3);
            uint64_t sent = part_u64(p, k, 4);
            close_parts(p, k);
            if (sent != items)
                fprintf(stderr,
                        "wiredesk tail: the snapshot of %s lost %llu of its "
                        "%llu messages on the way\n",
                        channel, (unsigned long long)(sent - items),
                        (unsigned long long)sent);
            return printed;
        }
        if (mine && k == 5 && strcmp(kind, WD_SNAPSHOT_ITEM) == 0) {
            uint64_t s = part_u64(p, k, 3), e = part_u64(p, k, 4);
            items++;
            if ((!epoch || e == epoch) && s > after && s < before) {
                print_message(t, ch, zmq_msg_data(&p[2]), zmq_msg_size(&p[2]),
                              s);
                printed++;
            }
        }
        close_parts(p, k);
    }
    if (!wd_cli_stop)
        fprintf(stderr,
                "wiredesk tail: no snapshot of %s from %s within %lld ms\n",
                channel, t->snap_endpoint, t->reply_ms);
    return -1;
}

/* Asks the worker's journal for the channel's messages after (epoch, seq)
 * and prints them, but those of the live stream from (live_epoch,
 * live_seq) on, which come live. Asks again while the reply says there is
 * more. Returns how many were printed, or -1 (said on stderr). */
static long long
resume_from(struct tail *t, const char *channel, uint64_t epoch, uint64_t seq,
            uint64_t live_epoch, uint64_t live_seq, uint64_t *last_epoch,
            uint64_t *last_seq)
{
    long long printed = 0;
    for (int round = 0; round < 10000 && !wd_cli_stop; round++) {
        uint8_t e8[8], s8[8];
        wd_snapshot_put_u64(e8, epoch);
        wd_snapshot_put_u64(s8, seq);
        if (zmq_send(t->snap, WD_SNAPSHOT_RESUME, strlen(WD_SNAPSHOT_RESUME),
                     ZMQ_SNDMORE) < 0 ||
            zmq_send(t->snap, channel, strlen(channel), ZMQ_SNDMORE) < 0 ||
            zmq_send(t->snap, e8, 8, ZMQ_SNDMORE) < 0 ||
            zmq_send(t->snap, s8, 8, 0) < 0) {
            fprintf(stderr, "wiredesk tail: cannot ask %s: %s\n",
                    t->snap_endpoint, zmq_strerror(errno));
            return -1;
        }
        int more = -1; /* -1: no end marker yet */
        int64_t deadline = wd_mono_ms() + t->reply_ms;
        while (more < 0 && !wd_cli_stop && wd_mono_ms() < deadline) {
            zmq_msg_t p[7];
            char kind[16], ch[WD_CHANNEL_MAX];
            size_t k = recv_reply(t, deadline, p, 7, kind, ch);
            if (k == 0)
                continue;
            bool mine = strcmp(ch, channel) == 0;
            if (strcmp(kind, WD_SNAPSHOT_ERROR) == 0) {
                fprintf(stderr, "wiredesk tail: %s refused to resume: %s\n",
                        t->snap_endpoint, ch);
                close_parts(p, k);
                return -1;
            } else if (mine && k == 5 && strcmp(kind, WD_SNAPSHOT_ITEM) == 0) {
                uint64_t s = part_u64(p, k, 3), e = part_u64(p, k, 4);
                epoch = e, seq = s; /* the next round goes on from here */
                /* An item of another run than the live message's is
                 * judged and remembered like a live one: the same message
                 * may still wait in the SUB socket (sent before the
                 * worker died, read after this resume) and must then be
                 * dropped as a repeat. The live run's earlier items are
                 * below the live message's number, which is remembered
                 * already. */
                bool fresh = e == live_epoch ||
                             wd_snapshot_track_see(t->track, ch, e, s, NULL) !=
                                 WD_SEQ_OLD;
                if (fresh && (e != live_epoch || s < live_seq)) {
                    print_message(t, ch, zmq_msg_data(&p[2]),
                                  zmq_msg_size(&p[2]), s);
                    printed++;
                    if (last_epoch)
                        *last_epoch = e, *last_seq = s;
                }
            } else if (mine && k == 7 && strcmp(kind, WD_SNAPSHOT_END) == 0) {
                if (round == 0 && zmq_msg_size(&p[5]) == 1 &&
                    *(const uint8_t *)zmq_msg_data(&p[5]) == 0)
                    fprintf(stderr,
                            "wiredesk tail: %s: the journal no longer holds "
                            "every message missed\n",
                            channel);
                more = zmq_msg_size(&p[6]) == 1 &&
                       *(const uint8_t *)zmq_msg_data(&p[6]) == 1;
            }
            close_parts(p, k);
        }
        if (more < 0) {
            if (!wd_cli_stop)
                fprintf(stderr,
                        "wiredesk tail: no answer to resume %s from %s "
                        "within %lld ms\n",
                        channel, t->snap_endpoint, t->reply_ms);
            return -1;
        }
        if (!more)
            break;
    }
    t->resumed += (uint64_t)printed;
    return printed;
}

/* Connected again (the worker restarted, or the network came back): asks
 * the journal for every channel's messages after the last one printed, and
 * takes the last one given as the new point, so that the live messages it
 * covers are dropped as repeats. */
static void
resume_all(struct tail *t)
{
    for (size_t i = 0; i < t->n_seen && !wd_cli_stop; i++) {
        struct lastseen *ls = &t->seen[i];
        uint64_t e = ls->epoch, s = ls->seq;
        long long r =
            resume_from(t, ls->channel, ls->epoch, ls->seq, 0, 0, &e, &s);
        if (r <= 0)
            continue;
        fprintf(stderr,
                "wiredesk tail: %s: connected again; %lld missed message%s "
                "resumed from the journal\n",
                ls->channel, r, r == 1 ? "" : "s");
        ls->epoch = e, ls->seq = s;
        wd_snapshot_track_set(t->track, ls->channel, e, s);
    }
}

/* Handles one published message: [channel, bytes] from older workers,
 * [channel, bytes, seq, epoch] from this one. */
static void
on_published(struct tail *t, zmq_msg_t *p, size_t n)
{
    char channel[WD_CHANNEL_MAX];
    part_text(&p[0], channel, sizeof channel);
    uint64_t seq = part_u64(p, n, 2), epoch = part_u64(p, n, 3), last = 0;
    enum wd_seq_verdict v =
        wd_snapshot_track_see(t->track, channel, epoch, seq, &last);
    t->sequenced += seq != 0;
    if (v == WD_SEQ_OLD)
        return; /* held by the snapshot already, or a repeat */
    struct lastseen *ls = t->resume && seq ? seen_of(t, channel) : NULL;
    if (v == WD_SEQ_NEW_EPOCH) {
        fprintf(stderr,
                "wiredesk tail: %s: a new stream (epoch %016llx, seq %llu): "
                "the worker restarted, or another one publishes\n",
                channel, (unsigned long long)epoch, (unsigned long long)seq);
        if (ls && ls->epoch && ls->epoch != epoch) {
            long long r = resume_from(t, channel, ls->epoch, ls->seq, epoch,
                                      seq, NULL, NULL);
            if (r >= 0)
                fprintf(stderr,
                        "wiredesk tail: %s: %lld missed message%s resumed "
                        "from the journal\n",
                        channel, r, r == 1 ? "" : "s");
        }
    }
    if (v == WD_SEQ_GAP) {
        uint64_t lost = seq - last - 1, s, e;
        long long filled =
            t->resume
                ? resume_from(t, channel, epoch, last, epoch, seq, NULL, NULL)
            : t->snap ? fetch_snapshot(t, channel, WD_SNAPSHOT_MAX_DEPTH, epoch,
                                       last, seq, &s, &e)
                      : 0;
        if (filled > 0)
            lost -= (uint64_t)filled;
        if (lost) {
            t->gaps++;
            t->missed += lost;
            fprintf(stderr,
                    "wiredesk tail: gap on %s: %llu missed (seq %llu -> "
                    "%llu)\n",
                    channel, (unsigned long long)lost, (unsigned long long)last,
                    (unsigned long long)seq);
        }
    }
    print_message(t, channel, zmq_msg_data(&p[1]), zmq_msg_size(&p[1]), seq);
    if (ls)
        ls->epoch = epoch, ls->seq = seq;
}

int
wd_cli_tail(int argc, char **argv)
{
    static const struct option opts[] = {
        {"endpoint", required_argument, 0, 'e'},
        {"count", required_argument, 0, 'n'},
        {"timeout", required_argument, 0, 't'},
        {"connect-timeout", required_argument, 0, 'c'},
        {"catch-up", required_argument, 0, 'u'},
        {"snapshot", required_argument, 0, 's'},
        {"resume", no_argument, 0, 'r'},
        {"curve-server-key", required_argument, 0, 'K'},
        {"curve-secret", required_argument, 0, 'k'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct wd_cli_curve cc = {0};
    const char *endpoint = WD_DEFAULT_PUBLISH, *snap_endpoint = NULL;
    long long count = 0, timeout = 0, connect_timeout = 5000, catch_up = -1;
    bool resume = false;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'e':
            endpoint = optarg;
            break;
        case 'n':
            if (wd_cli_parse_num(optarg, 1, 1LL << 62, &count))
                return wd_cli_usage_error("tail", "bad --count '%s'", optarg);
            break;
        case 't':
            if (wd_cli_parse_num(optarg, 1, 1LL << 40, &timeout))
                return wd_cli_usage_error("tail", "bad --timeout '%s'", optarg);
            break;
        case 'c':
            if (wd_cli_parse_num(optarg, 1, 1LL << 40, &connect_timeout))
                return wd_cli_usage_error("tail", "bad --connect-timeout '%s'",
                                          optarg);
            break;
        case 'u':
            if (wd_cli_parse_num(optarg, 0, WD_SNAPSHOT_MAX_DEPTH, &catch_up))
                return wd_cli_usage_error(
                    "tail", "bad --catch-up '%s' (0 to 1000)", optarg);
            break;
        case 's':
            snap_endpoint = optarg;
            break;
        case 'r':
            resume = true;
            break;
        default:
            if (wd_cli_curve_option(&cc, c, optarg))
                break;
            return wd_cli_other_option("tail", c, usage_tail, argv);
        }
    }
    if ((catch_up >= 0 || resume) && !snap_endpoint)
        snap_endpoint = WD_DEFAULT_SNAPSHOT;
    int bad;
    if ((bad = wd_cli_check_endpoint("tail", NULL, endpoint)) ||
        (bad = wd_cli_check_endpoint("tail", "--snapshot", snap_endpoint)))
        return bad;
    int crc = wd_cli_curve_load("tail", &cc);
    if (crc)
        return crc;

    signal(SIGINT, wd_cli_on_signal);
    signal(SIGTERM, wd_cli_on_signal);
    static struct tail t;
    t = (struct tail){.snap_endpoint = snap_endpoint,
                      .reply_ms = connect_timeout,
                      .resume = resume};
    if (wd_snapshot_track_new(&t.track) != 0) {
        fprintf(stderr, "wiredesk tail: out of memory\n");
        return 1;
    }
    void *zctx = zmq_ctx_new();
    void *sock = zmq_socket(zctx, ZMQ_SUB);
    int hwm = 0, linger = 0;
    zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    const char *all[] = {WD_CHANNEL_ALL};
    char **channels = optind < argc ? argv + optind : (char **)all;
    int n_channels = optind < argc ? argc - optind : 1;
    for (int i = 0; i < n_channels; i++) {
        const char *why = wd_channel_check(channels[i]);
        if (why) {
            wd_snapshot_track_free(t.track);
            fprintf(stderr, "wiredesk tail: '%s': %s\n", channels[i], why);
            return 2;
        }
    }
    for (int i = 0; i < n_channels; i++)
        zmq_setsockopt(sock, ZMQ_SUBSCRIBE, channels[i], strlen(channels[i]));
    int status = wd_cli_curve_apply("tail", &cc, sock);
    if (snap_endpoint && status == 0) {
        /* The same keys on both sockets: load them again (apply wiped the
         * secret). */
        t.snap = zmq_socket(zctx, ZMQ_DEALER);
        zmq_setsockopt(t.snap, ZMQ_LINGER, &linger, sizeof linger);
        if (cc.secret_path)
            status = wd_cli_curve_load("tail", &cc) ||
                     wd_cli_curve_apply("tail", &cc, t.snap);
        if (status == 0 && wd_endpoint_attach(t.snap, snap_endpoint, false)) {
            fprintf(stderr, "wiredesk tail: cannot connect to %s: %s\n",
                    snap_endpoint, zmq_strerror(errno));
            status = 1;
        }
    }
    void *mon = monitor_open(zctx, sock);
    if (status == 0 && wd_endpoint_attach(sock, endpoint, false) != 0) {
        fprintf(stderr, "wiredesk tail: cannot connect to %s: %s\n", endpoint,
                zmq_strerror(errno));
        status = 1;
    } else if (status == 0 && mon) {
        int wrc = wait_connected(sock, mon, connect_timeout, resume);
        if (wrc == WD_EPARSE) {
            fprintf(stderr,
                    "wiredesk tail: the handshake with %s failed: not a "
                    "wiredesk PUB socket, or CURVE keys that do not match\n",
                    endpoint);
            status = 1;
        } else if (wrc != 0 && !wd_cli_stop) {
            fprintf(stderr,
                    "wiredesk tail: no handshake with %s within %lld ms\n",
                    endpoint, connect_timeout);
            status = 1;
        }
    }
    /* Subscribed first, then the snapshot: what is published meanwhile
     * queues on the SUB socket, and what the snapshot held is dropped from
     * it by sequence number. */
    for (int i = 0; catch_up >= 0 && status == 0 && i < n_channels; i++) {
        uint64_t seq = 0, epoch = 0;
        if (fetch_snapshot(&t, channels[i], (uint64_t)catch_up, 0, 0,
                           UINT64_MAX, &seq, &epoch) < 0)
            status = 1;
        else
            wd_snapshot_track_set(t.track, channels[i], epoch, seq);
        struct lastseen *ls = resume && seq ? seen_of(&t, channels[i]) : NULL;
        if (ls)
            ls->epoch = epoch, ls->seq = seq;
    }
    int64_t last = wd_mono_ms();
    while (status == 0 && !wd_cli_stop && (count == 0 || t.got < count)) {
        zmq_pollitem_t it[2] = {{sock, 0, ZMQ_POLLIN, 0},
                                {mon, 0, ZMQ_POLLIN, 0}};
        int r = zmq_poll(it, resume && mon ? 2 : 1, 200);
        if (r > 0 && (it[1].revents & ZMQ_POLLIN) &&
            read_event(mon) == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
            resume_all(&t);
        if (r > 0 && !(it[0].revents & ZMQ_POLLIN))
            continue;
        if (r <= 0) {
            if (timeout && wd_mono_ms() - last >= timeout)
                break;
            continue;
        }
        zmq_msg_t p[4];
        size_t frames, n = wd_zwatch_recv(sock, p, 4, &frames);
        if (n >= 2) /* frames beyond the fourth are ignored */
            on_published(&t, p, n);
        close_parts(p, n);
        last = wd_mono_ms();
    }
    if (t.sequenced || catch_up >= 0)
        fprintf(stderr, "wiredesk tail: %llu gap%s, %llu message%s missed\n",
                (unsigned long long)t.gaps, t.gaps == 1 ? "" : "s",
                (unsigned long long)t.missed, t.missed == 1 ? "" : "s");
    if (resume)
        fprintf(stderr, "wiredesk tail: %llu message%s resumed\n",
                (unsigned long long)t.resumed, t.resumed == 1 ? "" : "s");
    wd_snapshot_track_free(t.track);
    if (mon)
        zmq_close(mon);
    if (t.snap)
        zmq_close(t.snap);
    zmq_close(sock);
    zmq_ctx_term(zctx);
    return status;
}
