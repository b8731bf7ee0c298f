/* Subscribes to one wiredesk channel and prints one line per message.
 *
 *   subscribe [--endpoint EP] [--count N] [--timeout MS] [CHANNEL]
 *
 * Every message of the worker's PUB socket is [channel, bytes, seq, epoch]:
 * an Article (package wiredesk.v1) on "all", "country.<CC>" and
 * "theme.<slug>", a WorkerStats on "$stats"; seq (8 bytes, big-endian)
 * numbers the channel's messages 1, 2, 3, ... within the worker's run named
 * by epoch (8 bytes). A jump in seq on the channel is a gap, said on
 * stderr. Older workers send only the first two frames. Each Article is
 * printed as one tab-separated line:
 *
 *   channel  id  countries  themes  title
 *
 * (countries and themes comma-separated, "-" when there are none). A
 * WorkerStats is printed as "channel  worker  pages_received=N ...".
 *
 * Exit status: 0 after --count messages, or on a --timeout (MS without a
 * message) when at least one message came; 1 on a timeout with nothing
 * received, or when the endpoint is malformed; 2 on a usage error.
 *
 * C11 against libzmq and protobuf-c; wiredesk.pb-c.[ch] are generated from
 * proto/wiredesk.proto by protoc-c (see CMakeLists.txt beside this file).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "wiredesk.pb-c.h"

static const char usage[] =
    "usage: subscribe [--endpoint EP] [--count N] [--timeout MS] [CHANNEL]\n"
    "\n"
    "Prints the Articles a wiredesk worker publishes on CHANNEL (all,\n"
    "country.CC, theme.SLUG, $stats or $events; default all), one line\n"
    "each:\n"
    "channel, id, countries, themes, title, separated by tabs.\n"
    "\n"
    "  --endpoint EP    the worker's PUB socket [tcp://127.0.0.1:5558]\n"
    "  --count N        exit 0 after N messages [0 = never]\n"
    "  --timeout MS     exit after MS without a message: 1 when nothing\n"
    "                   came, else 0 [0 = never]\n"
    "  -h, --help       this text\n";

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int64_t
mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
parse_count(const char *s, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0)
        return false;
    *out = v;
    return true;
}

/* Prints s with tabs and line breaks as spaces: one message, one line. */
static void
put_field(const char *s)
{
    for (; *s; s++)
        putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void
put_list(char **v, size_t n)
{
    if (n == 0)
        putchar('-');
    for (size_t i = 0; i < n; i++) {
        if (i)
            putchar(',');
        put_field(v[i]);
    }
}

/* One line for a message; false when its bytes do not decode. */
static bool
print_message(const char *channel, const uint8_t *data, size_t len)
{
    if (strcmp(channel, "$stats") == 0) {
        Wiredesk__V1__WorkerStats *ws =
            wiredesk__v1__worker_stats__unpack(NULL, len, data);
        if (!ws)
            return false;
        printf("%s\t%s\tpages_received=%llu\tpages_rejected=%llu"
               "\tarticles_published=%llu\tpublish_dropped=%llu\n",
               channel, ws->worker, (unsigned long long)ws->pages_received,
               (unsigned long long)ws->pages_rejected,
               (unsigned long long)ws->articles_published,
               (unsigned long long)ws->publish_dropped);
        wiredesk__v1__worker_stats__free_unpacked(ws, NULL);
        return true;
    }
    if (strcmp(channel, "$events") == 0) {
        Wiredesk__V1__Event *ev = wiredesk__v1__event__unpack(NULL, len, data);
        if (!ev)
            return false;
        put_field(channel);
        printf("\t%s\t%s\tarticles=%u\tsources=%u\t", ev->id, ev->change,
               ev->articles, ev->sources);
        put_field(ev->title);
        putchar('\n');
        wiredesk__v1__event__free_unpacked(ev, NULL);
        return true;
    }
    Wiredesk__V1__Article *a = wiredesk__v1__article__unpack(NULL, len, data);
    if (!a)
        return false;
    put_field(channel);
    putchar('\t');
    put_field(a->id);
    putchar('\t');
    put_list(a->countries, a->n_countries);
    putchar('\t');
    put_list(a->themes, a->n_themes);
    putchar('\t');
    put_field(a->title);
    putchar('\n');
    wiredesk__v1__article__free_unpacked(a, NULL);
    return true;
}

/* A monitor event is two frames: [event number (16 bits) + value, endpoint].
 * Returns the event number. */
static int
read_event(void *mon)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    int event = 0;
    if (zmq_msg_recv(&m, mon, 0) >= 0 && zmq_msg_size(&m) >= 2) {
        uint16_t e;
        memcpy(&e, zmq_msg_data(&m), 2);
        event = e;
    }
    while (zmq_msg_more(&m)) {
        zmq_msg_close(&m);
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, mon, 0) < 0)
            break;
    }
    zmq_msg_close(&m);
    return event;
}

int
main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"endpoint", required_argument, 0, 'e'},
        {"count", required_argument, 0, 'n'},
        {"timeout", required_argument, 0, 't'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *endpoint = "tcp://127.0.0.1:5558", *channel = "all";
    long long count = 0, timeout = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'e':
            endpoint = optarg;
            break;
        case 'n':
            if (!parse_count(optarg, &count)) {
                fprintf(stderr, "subscribe: bad --count '%s'\n", optarg);
                return 2;
            }
            break;
        case 't':
            if (!parse_count(optarg, &timeout)) {
                fprintf(stderr, "subscribe: bad --timeout '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind < argc)
        channel = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "subscribe: one CHANNEL only, not '%s'\n",
                argv[optind]);
        return 2;
    }

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, ZMQ_SUB);
    int zero = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(sock, ZMQ_RCVHWM, &zero, sizeof zero); /* keep them all */
    /* ZeroMQ matches subscriptions by prefix; wiredesk's channel names are
     * prefix-free, so this delivers exactly the one channel. */
    zmq_setsockopt(sock, ZMQ_SUBSCRIBE, channel, strlen(channel));
    /* The monitor says when the ZMTP handshake with the worker is done:
     * the subscription is then on its way. Set up before connecting. */
    void *mon = NULL;
    if (zmq_socket_monitor(sock, "inproc://subscribe-monitor",
                           ZMQ_EVENT_HANDSHAKE_SUCCEEDED) == 0) {
        mon = zmq_socket(ctx, ZMQ_PAIR);
        if (zmq_connect(mon, "inproc://subscribe-monitor") != 0) {
            zmq_close(mon);
            mon = NULL;
        }
    }
    if (zmq_connect(sock, endpoint) != 0) {
        fprintf(stderr, "subscribe: cannot connect to %s: %s\n", endpoint,
                zmq_strerror(errno));
        if (mon)
            zmq_close(mon);
        zmq_close(sock);
        zmq_ctx_term(ctx);
        return 1;
    }

    long long got = 0;
    uint64_t last_seq = 0, last_epoch = 0;
    bool timed_out = false;
    int64_t last = mono_ms();
    while (!stop && (count == 0 || got < count)) {
        if (timeout && mono_ms() - last >= timeout) {
            timed_out = true;
            break;
        }
        zmq_pollitem_t items[2] = {{sock, 0, ZMQ_POLLIN, 0},
                                   {mon, 0, ZMQ_POLLIN, 0}};
        int r = zmq_poll(items, mon ? 2 : 1, 200);
        if (r <= 0)
            continue; /* a time-out, or EINTR from a signal */
        if (mon && (items[1].revents & ZMQ_POLLIN) &&
            read_event(mon) == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
            fprintf(stderr, "subscribed to %s on %s\n", channel, endpoint);
        if (!(items[0].revents & ZMQ_POLLIN))
            continue;

        zmq_msg_t frame[4];
        int n = 0;
        bool more = true;
        /* Read every frame of the message; keep the first four. */
        while (more) {
            zmq_msg_t m;
            zmq_msg_init(&m);
            if (zmq_msg_recv(&m, sock, 0) < 0) {
                zmq_msg_close(&m);
                break;
            }
            more = zmq_msg_more(&m);
            if (n < 4) {
                zmq_msg_init(&frame[n]);
                zmq_msg_move(&frame[n++], &m);
            }
            zmq_msg_close(&m);
        }
        last = mono_ms();
        if (n >= 2) {
            char ch[256];
            size_t cl = zmq_msg_size(&frame[0]);
            if (cl >= sizeof ch)
                cl = sizeof ch - 1;
            memcpy(ch, zmq_msg_data(&frame[0]), cl);
            ch[cl] = '\0';
            uint64_t seq = 0, epoch = 0;
            if (n == 4 && zmq_msg_size(&frame[2]) == 8 &&
                zmq_msg_size(&frame[3]) == 8) {
                const uint8_t *s = zmq_msg_data(&frame[2]);
                for (int i = 0; i < 8; i++)
                    seq = seq << 8 | s[i];
                memcpy(&epoch, zmq_msg_data(&frame[3]), 8);
            }
            /* Gaps on the channel subscribed to, one run (epoch) at a
             * time: a new epoch is a restarted worker, not a gap. */
            if (seq && strcmp(ch, channel) == 0) {
                if (epoch == last_epoch && seq > last_seq + 1)
                    fprintf(stderr,
                            "subscribe: gap on %s: %llu missed (seq %llu -> "
                            "%llu)\n",
                            ch, (unsigned long long)(seq - last_seq - 1),
                            (unsigned long long)last_seq,
                            (unsigned long long)seq);
                last_seq = seq;
                last_epoch = epoch;
            }
            if (print_message(ch, zmq_msg_data(&frame[1]),
                              zmq_msg_size(&frame[1]))) {
                fflush(stdout);
                got++;
            } else {
                fprintf(stderr, "subscribe: undecodable message on %s\n", ch);
            }
        } else {
            fprintf(stderr, "subscribe: a message of %d frame(s), skipped\n",
                    n);
        }
        for (int i = 0; i < n; i++)
            zmq_msg_close(&frame[i]);
    }

    if (mon) {
        zmq_socket_monitor(sock, NULL, 0);
        zmq_close(mon);
    }
    zmq_close(sock);
    zmq_ctx_term(ctx);
    if (timed_out && got == 0) {
        fprintf(stderr, "subscribe: nothing received on %s within %lld ms\n",
                channel, timeout);
        return 1;
    }
    return 0;
}
