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
#include "wd/zwatch.h"
#include "wiredesk.pb-c.h"

static const char usage_stats[] =
    "usage: wiredesk stats [--http HOST:PORT] [--json]\n"
    "       wiredesk top [--http HOST:PORT] [--interval MS] [--iterations N]\n"
    "\n"
    "stats prints the figures of a running worker once (from its GET /stats);\n"
    "top refreshes them in the terminal with rates and the busiest channels\n"
    "until Ctrl-C.\n"
    "\n"
    "  --http HOST:PORT        the worker's HTTP view     [" WD_DEFAULT_HTTP
    "]\n"
    "  --json                  (stats) the raw JSON\n"
    "  --interval MS           (top) refresh period       [1000]\n"
    "  --iterations N          (top) stop after N refreshes\n"
    "  -h, --help              this text\n";

static json_t *
fetch_stats(const char *cmd, const char *hostport)
{
    int status;
    char *body;
    size_t len;
    int rc = wd_http_get(hostport, "/stats", 3000, &status, &body, &len);
    if (rc) {
        fprintf(stderr, "wiredesk %s: cannot reach %s: %s\n", cmd, hostport,
                wd_strerror(rc));
        return NULL;
    }
    json_error_t err;
    json_t *o = status == 200 ? json_loadb(body, len, 0, &err) : NULL;
    if (!o)
        fprintf(stderr, "wiredesk %s: %s answered %d, not the figures\n", cmd,
                hostport, status);
    free(body);
    return o;
}

static long long
jnum(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(o, a);
    if (b)
        v = json_object_get(v, b);
    return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

/* The figures as a few aligned lines; rates when prev is given. */
static void
print_figures(json_t *s, json_t *prev)
{
    double dt =
        prev ? (double)(jnum(s, "at_ms", NULL) - jnum(prev, "at_ms", NULL)) /
                   1000.0
             : 0;
    printf("wiredesk %s  worker %s  %s  up %.0f s\n",
           json_string_value(json_object_get(s, "version")),
           json_string_value(json_object_get(s, "worker")),
           json_is_true(json_object_get(s, "ready")) ? "ready" : "NOT READY",
           json_real_value(json_object_get(s, "uptime_s")));
    static const char *const keys[] = {
        "pages_received",     "pages_accepted",     "pages_rejected",
        "articles_published", "articles_duplicate", "messages_published",
        "publish_dropped"};
    printf("%-22s %14s %10s\n", "counter", "total", prev ? "per s" : "");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        long long v = jnum(s, "counters", keys[i]);
        if (prev && dt > 0)
            printf("%-22s %14lld %10.1f\n", keys[i], v,
                   (double)(v - jnum(prev, "counters", keys[i])) / dt);
        else
            printf("%-22s %14lld\n", keys[i], v);
    }
    printf("dedup:");
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(s, "dedup"), k, v)
        printf(" %s %lld", k, (long long)json_integer_value(v));
    printf("\nstore: %lld stories, %.1f MB   rss %.1f MB\n",
           jnum(s, "store_stories", NULL),
           (double)jnum(s, "store_bytes", NULL) / 1e6,
           (double)jnum(s, "rss_bytes", NULL) / 1e6);
    printf("%-28s %12s\n", "channel", "messages");
    json_t *ch = json_object_get(s, "channels");
    for (size_t i = 0; i < json_array_size(ch) && i < 10; i++) {
        json_t *e = json_array_get(ch, i);
        printf("%-28s %12lld\n",
               json_string_value(json_object_get(e, "channel")),
               jnum(e, "messages", NULL));
    }
}

int
wd_cli_stats(int argc, char **argv, bool top)
{
    static const struct option opts[] = {
        {"http", required_argument, 0, 'H'},
        {"json", no_argument, 0, 'j'},
        {"interval", required_argument, 0, 'i'},
        {"iterations", required_argument, 0, 'n'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *cmd = top ? "top" : "stats";
    const char *hostport = WD_DEFAULT_HTTP;
    bool as_json = false;
    long long interval = 1000, iterations = 0;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            if (wd_cli_check_hostport(optarg))
                return wd_cli_usage_error(
                    cmd, "--http wants HOST:PORT, not '%s'", optarg);
            hostport = optarg;
            break;
        case 'j':
            as_json = true;
            break;
        case 'i':
            if (wd_cli_parse_num(optarg, 100, 3600 * 1000, &interval))
                return wd_cli_usage_error(cmd, "bad --interval '%s'", optarg);
            break;
        case 'n':
            if (wd_cli_parse_num(optarg, 1, 1LL << 40, &iterations))
                return wd_cli_usage_error(cmd, "bad --iterations '%s'", optarg);
            break;
        default:
            return wd_cli_other_option(cmd, c, usage_stats, argv);
        }
    }
    if (optind < argc)
        return wd_cli_usage_error(cmd, "unexpected argument '%s'",
                                  argv[optind]);
    json_t *s = fetch_stats(cmd, hostport);
    if (!s)
        return 1;
    if (!top) {
        if (as_json) {
            char *out = json_dumps(s, JSON_COMPACT | JSON_PRESERVE_ORDER);
            puts(out ? out : "{}");
            free(out);
        } else {
            print_figures(s, NULL);
        }
        json_decref(s);
        return 0;
    }
    signal(SIGINT, wd_cli_on_signal);
    signal(SIGTERM, wd_cli_on_signal);
    json_t *prev = NULL;
    for (long long i = 0; !wd_cli_stop && (iterations == 0 || i < iterations);
         i++) {
        if (i > 0) {
            usleep((useconds_t)interval * 1000);
            json_decref(prev);
            prev = s;
            s = fetch_stats(cmd, hostport);
            if (!s)
                break;
        }
        printf("\033[H\033[2J"); /* home, clear */
        print_figures(s, prev);
        printf("\n(refreshing every %lld ms; Ctrl-C to quit)\n", interval);
        fflush(stdout);
    }
    json_decref(prev);
    json_decref(s);
    return 0;
}
