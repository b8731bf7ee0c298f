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

static const char usage_main[] =
    "usage: wiredesk COMMAND [OPTIONS]\n"
    "\n"
    "A streaming news worker: receives scraped pages over ZeroMQ, drops what\n"
    "was already seen, parses the rest into Articles and publishes them on\n"
    "topic channels per country and per theme.\n"
    "\n"
    "commands:\n"
    "  run     start the worker\n"
    "  push    send files to a worker as RawPages\n"
    "  tail    subscribe to channels and print Articles as JSON lines\n"
    "  stats   print a running worker's figures once\n"
    "  top     a live terminal view of a running worker\n"
    "  proxy   one stream for subscribers from several workers\n"
    "  keygen  write a CURVE key pair for a worker or a client\n"
    "\n"
    "`wiredesk COMMAND --help` describes each command.\n";

static const char usage_run[] =
    "usage: wiredesk run [OPTIONS]\n"
    "\n"
    "Starts the worker on one event loop; stops cleanly on SIGINT/SIGTERM;\n"
    "SIGHUP reloads the tagger's data files (a file with an error is refused\n"
    "and logged with its line; the data in force stays).\n"
    "\n"
    "  Endpoints bind; '>tcp://HOST:PORT' connects instead (e.g. --publish\n"
    "  to a `wiredesk proxy`), '@tcp://...' binds explicitly.\n"
    "  --ingest ENDPOINT       PULL socket for RawPages   [" WD_DEFAULT_INGEST
    "]\n"
    "  --ingest-ack ENDPOINT   ROUTER socket for RawPages, each answered\n"
    "                          accepted|duplicate|rejected:REASON once\n"
    "                          published and remembered (`push --ack`) [off]\n"
    "  --publish ENDPOINT      PUB socket for Articles    [" WD_DEFAULT_PUBLISH
    "]\n"
    "  --http HOST:PORT        operator HTTP view         [" WD_DEFAULT_HTTP
    "]\n"
    "                          (GET /, /metrics, /healthz, /readyz, /stats)\n"
    "  --state DIR             what the worker persists   [" WD_DEFAULT_STATE
    "]\n"
    "  --store STORE           what was seen: lmdb (in --state) or\n"
    "                          redis://HOST[:PORT][/DB], shared by workers "
    "[lmdb]\n"
    "  --data-dir DIR          gazetteer and taxonomy     "
    "[$WIREDESK_DATA_DIR,\n"
    "                          else share/wiredesk, else the source's data/]\n"
    "  --max-page-bytes N      larger pages are refused   [8388608]\n"
    "  --max-stories N         stories remembered         [10000000]\n"
    "  --retention-days N      stories remembered for     [30]\n"
    "  --store-map-mb N        bound of the store on disk [16384]\n"
    "  --ingest-hwm N          ingest queue, messages     [10000]\n"
    "  --pub-hwm N             queue per subscriber       [100000]\n"
    "  --stats-interval MS     WorkerStats on $stats      [5000], 0 = off\n"
    "  --stop-timeout MS       on SIGTERM, how long a page held for the\n"
    "                          store is retried before exiting [10000]\n"
    "  --snapshot ENDPOINT     ROUTER answering \"the last N messages of a\n"
    "                          channel\" (`tail --catch-up`) [off; e.g.\n"
    "                          " WD_DEFAULT_SNAPSHOT "]\n"
    "  --snapshot-depth N      messages kept per channel  [100], 1 to 1000\n"
    "  --snapshot-mb N         bound of the kept bytes    [64]\n"
    "  --curve-secret FILE     CURVE on ingest and publish: the worker's\n"
    "                          secret key (`wiredesk keygen`, mode 0600)\n"
    "  --curve-allow PATH      with --curve-secret: the client public keys\n"
    "                          admitted, a file or a directory of *.pub\n"
    "  --log-level LEVEL       error|warn|info|debug      [info]\n"
    "  --log-format FORMAT     text|json (one object a line) [text]\n"
    "  --config FILE           settings, one 'option = value' a line\n"
    "                          [$WIREDESK_CONFIG]\n"
    "  -h, --help              this text\n"
    "\n"
    "Every option can also be set in the environment as WIREDESK_<OPTION>\n"
    "(WIREDESK_INGEST, WIREDESK_MAX_PAGE_BYTES, ...) or in the --config\n"
    "file; a flag beats the environment, which beats the file.\n";

static const char usage_proxy[] =
    "usage: wiredesk proxy [OPTIONS]\n"
    "\n"
    "Forwards what several workers publish to one endpoint for subscribers\n"
    "(an XSUB/XPUB proxy: libzmq's zmq_proxy_steerable). Start workers with\n"
    "--publish '>tcp://PROXY:5559' and point subscribers at the backend.\n"
    "Stops cleanly on SIGINT/SIGTERM.\n"
    "\n"
    "  --frontend ENDPOINT     XSUB, workers connect here  "
    "[" WD_DEFAULT_PROXY_FRONTEND "]\n"
    "  --backend ENDPOINT      XPUB, subscribers connect   "
    "[" WD_DEFAULT_PROXY_BACKEND "]\n"
    "  --http HOST:PORT        GET /metrics, /healthz      "
    "[" WD_DEFAULT_PROXY_HTTP "]\n"
    "  --hwm N                 messages queued per peer    [100000]\n"
    "  --stream                a PULL/PUSH streamer for pages instead:\n"
    "                          scrapers push to the frontend, workers\n"
    "                          connect --ingest '>tcp://PROXY:BACKEND'\n"
    "  -h, --help              this text\n"
    "\n"
    "Endpoints bind; '>tcp://HOST:PORT' connects instead.\n";

static const char usage_push[] =
    "usage: wiredesk push [OPTIONS] FILE...\n"
    "\n"
    "Sends each FILE (- for standard input) as one RawPage. The content type\n"
    "is text/html for .html/.htm files and text/plain otherwise.\n"
    "\n"
    "  --endpoint ENDPOINT     the worker's ingest socket; repeat it to\n"
    "                          spread pages over several [" WD_DEFAULT_INGEST
    "]\n"
    "  --source NAME           RawPage.source             [wiredesk-push]\n"
    "  --url URL               RawPage.url                [file://PATH]\n"
    "  --content-type TYPE     override the content type\n"
    "  --timeout MS            give up when the worker is not reachable "
    "[5000]\n"
    "  --curve-server-key FILE the worker's public key (CURVE)\n"
    "  --curve-secret FILE     this client's secret key (CURVE, mode 0600)\n"
    "  --ack                   to a worker's --ingest-ack endpoint: wait for\n"
    "                          each page's answer (printed: FILE: accepted,\n"
    "                          duplicate or rejected:REASON), resending it\n"
    "                          when none comes within --timeout (doubled\n"
    "                          each time); exit 1 when one was rejected or\n"
    "                          never answered\n"
    "  --retries N             resends per page with --ack [5]\n"
    "  -h, --help              this text\n";

static const char usage_tail[] =
    "usage: wiredesk tail [OPTIONS] [CHANNEL...]\n"
    "\n"
    "Subscribes to the channels (default: all) and prints each message as one\n"
    "JSON line with its channel and sequence number. Channels: all,\n"
    "country.CC, theme.SLUG, $stats, $dedup (why each dropped story or page\n"
    "was dropped). Gaps in a channel's sequence numbers\n"
    "(messages dropped or missed) are said on stderr as they come and\n"
    "counted at exit.\n"
    "\n"
    "  --endpoint ENDPOINT     the worker's PUB socket    [" WD_DEFAULT_PUBLISH
    "]\n"
    "  --catch-up N            first the last N messages of each channel\n"
    "                          from the snapshot service, then the live ones,\n"
    "                          without a gap or a repeat; later gaps are\n"
    "                          filled from it when it still holds them\n"
    "  --snapshot ENDPOINT     the worker's snapshot service\n"
    "                          [" WD_DEFAULT_SNAPSHOT " with --catch-up]\n"
    "  --count N               exit after N messages (caught-up ones too)\n"
    "  --timeout MS            exit (status 0) after MS without a message\n"
    "  --connect-timeout MS    give up when not connected [5000]\n"
    "  --curve-server-key FILE the worker's public key (CURVE)\n"
    "  --curve-secret FILE     this client's secret key (CURVE, mode 0600)\n"
    "  -h, --help              this text\n";

static const char usage_keygen[] =
    "usage: wiredesk keygen --out PATH\n"
    "\n"
    "Writes a new CURVE key pair: PATH.key, the secret key (mode 0600), and\n"
    "PATH.pub, the public key; each is one line of Z85 text. Existing files\n"
    "are never overwritten. Prints the public key.\n"
    "\n"
    "  --out PATH              where to write the pair\n"
    "  -h, --help              this text\n";

static int
usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "wiredesk %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see 'wiredesk %s --help')\n", cmd);
    return 2;
}

/* Parses a decimal count within [lo, hi]. */
static int
parse_num(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return WD_EINVAL;
    *out = v;
    return 0;
}

int
wd_cli_check_hostport(const char *s)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s)
        return WD_EINVAL;
    if (s[0] == '[' && colon[-1] != ']')
        return WD_EINVAL;
    long long port;
    if (parse_num(colon + 1, 1, 65535, &port))
        return WD_EINVAL;
    for (const char *p = s; p < colon; p++)
        if (*p == ' ' || *p == '/')
            return WD_EINVAL;
    return 0;
}

/* The getopt results every command treats alike: --help, a missing value,
 * an unknown option. Returns the exit code. */
static int
other_option(const char *cmd, int c, const char *usage, char **argv)
{
    if (c == 'h') {
        fputs(usage, stdout);
        return 0;
    }
    if (c == ':')
        return usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
    return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

/* The options of `run`; also the names of its settings in a configuration
 * file and, as WIREDESK_<NAME>, in the environment (config.h). */
static const struct option run_opts[] = {
    {"ingest", required_argument, 0, 'i'},
    {"publish", required_argument, 0, 'p'},
    {"ingest-ack", required_argument, 0, 'A'},
    {"http", required_argument, 0, 'H'},
    {"state", required_argument, 0, 's'},
    {"max-page-bytes", required_argument, 0, 'm'},
    {"data-dir", required_argument, 0, 'D'},
    {"store", required_argument, 0, 'B'},
    {"max-stories", required_argument, 0, 'd'},
    {"retention-days", required_argument, 0, 'R'},
    {"store-map-mb", required_argument, 0, 'M'},
    {"ingest-hwm", required_argument, 0, 'I'},
    {"pub-hwm", required_argument, 0, 'P'},
    {"stats-interval", required_argument, 0, 'S'},
    {"stop-timeout", required_argument, 0, 'T'},
    {"snapshot", required_argument, 0, 'Z'},
    {"snapshot-depth", required_argument, 0, 'z'},
    {"snapshot-mb", required_argument, 0, 'Y'},
    {"curve-secret", required_argument, 0, 'k'},
    {"curve-allow", required_argument, 0, 'a'},
    {"log-level", required_argument, 0, 'l'},
    {"log-format", required_argument, 0, 'L'},
    {"config", required_argument, 0, 'C'},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

static int
run_parsed(int argc, char **argv)
{
    const struct option *opts = run_opts;
    struct wd_app_config cfg;
    wd_app_config_defaults(&cfg);
    long long v;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'i':
            cfg.ingest = optarg;
            break;
        case 'p':
            cfg.publish = optarg;
            break;
        case 'A':
            cfg.ingest_ack = optarg;
            break;
        case 'H':
            if (wd_cli_check_hostport(optarg))
                return usage_error("run", "--http wants HOST:PORT, not '%s'",
                                   optarg);
            cfg.http = optarg;
            break;
        case 's':
            if (!*optarg)
                return usage_error("run", "--state wants a directory%s", "");
            cfg.state_dir = optarg;
            break;
        case 'C': /* consumed by wd_config_argv() */
            break;
        case 'k':
            cfg.curve_secret = *optarg ? optarg : NULL;
            break;
        case 'a':
            cfg.curve_allow = *optarg ? optarg : NULL;
            break;
        case 'B': {
            char host[256];
            int port, db;
            if (strcmp(optarg, "lmdb") == 0) {
                cfg.store_url = NULL;
                break;
            }
            if (wd_store_parse_redis_url(optarg, host, sizeof host, &port, &db))
                return usage_error(
                    "run",
                    "--store wants lmdb or redis://HOST[:PORT][/DB],"
                    " not '%s'",
                    optarg);
            cfg.store_url = optarg;
            break;
        }
        case 'D':
            if (!*optarg)
                return usage_error("run", "--data-dir wants a directory%s", "");
            cfg.data_dir = optarg;
            break;
        case 'm':
            if (parse_num(optarg, 1, 1LL << 31, &v))
                return usage_error("run", "bad --max-page-bytes '%s'", optarg);
            cfg.max_page_bytes = (size_t)v;
            break;
        case 'd':
            if (parse_num(optarg, 1, 1LL << 40, &v))
                return usage_error("run", "bad --max-stories '%s'", optarg);
            cfg.max_stories = (uint64_t)v;
            break;
        case 'R':
            if (parse_num(optarg, 1, 36500, &v))
                return usage_error("run", "bad --retention-days '%s'", optarg);
            cfg.max_age_ms = v * 86400000LL;
            break;
        case 'M':
            if (parse_num(optarg, 16, 1LL << 24, &v))
                return usage_error("run", "bad --store-map-mb '%s'", optarg);
            cfg.store_map_mb = (size_t)v;
            break;
        case 'I':
            if (parse_num(optarg, 0, 1 << 30, &v))
                return usage_error("run", "bad --ingest-hwm '%s'", optarg);
            cfg.ingest_hwm = (int)v;
            break;
        case 'P':
            if (parse_num(optarg, 0, 1 << 30, &v))
                return usage_error("run", "bad --pub-hwm '%s'", optarg);
            cfg.pub_hwm = (int)v;
            break;
        case 'S':
            if (parse_num(optarg, 0, 3600 * 1000, &v))
                return usage_error("run", "bad --stats-interval '%s'", optarg);
            cfg.stats_interval_ms = (unsigned)v;
            break;
        case 'T':
            if (parse_num(optarg, 0, 3600 * 1000, &v))
                return usage_error("run", "bad --stop-timeout '%s'", optarg);
            cfg.stop_timeout_ms = (unsigned)v;
            break;
        case 'Z':
            cfg.snapshot = *optarg ? optarg : NULL;
            break;
        case 'z':
            if (parse_num(optarg, 1, WD_SNAPSHOT_MAX_DEPTH, &v))
                return usage_error("run", "bad --snapshot-depth '%s'", optarg);
            cfg.snapshot_depth = (unsigned)v;
            break;
        case 'Y':
            if (parse_num(optarg, 1, 1 << 20, &v))
                return usage_error("run", "bad --snapshot-mb '%s'", optarg);
            cfg.snapshot_mb = (size_t)v;
            break;
        case 'l':
            if (strcmp(optarg, "error") == 0)
                wd_log_set_level(WD_LOG_ERROR);
            else if (strcmp(optarg, "warn") == 0)
                wd_log_set_level(WD_LOG_WARN);
            else if (strcmp(optarg, "info") == 0)
                wd_log_set_level(WD_LOG_INFO);
            else if (strcmp(optarg, "debug") == 0)
                wd_log_set_level(WD_LOG_DEBUG);
            else
                return usage_error("run", "bad --log-level '%s'", optarg);
            break;
        case 'L':
            if (strcmp(optarg, "text") == 0)
                wd_log_set_format(WD_LOG_TEXT);
            else if (strcmp(optarg, "json") == 0)
                wd_log_set_format(WD_LOG_JSON);
            else
                return usage_error("run", "bad --log-format '%s'", optarg);
            break;
        default:
            return other_option("run", c, usage_run, argv);
        }
    }
    if (optind < argc)
        return usage_error("run", "unexpected argument '%s'", argv[optind]);
    if (wd_endpoint_check(cfg.ingest))
        return usage_error("run", "malformed --ingest endpoint '%s'",
                           cfg.ingest);
    if (wd_endpoint_check(cfg.publish))
        return usage_error("run", "malformed --publish endpoint '%s'",
                           cfg.publish);
    if (cfg.ingest_ack && wd_endpoint_check(cfg.ingest_ack))
        return usage_error("run", "malformed --ingest-ack endpoint '%s'",
                           cfg.ingest_ack);
    if (cfg.snapshot && wd_endpoint_check(cfg.snapshot))
        return usage_error("run", "malformed --snapshot endpoint '%s'",
                           cfg.snapshot);
    if (!cfg.curve_secret != !cfg.curve_allow)
        return usage_error("run",
                           "--curve-secret and --curve-allow go "
                           "together%s",
                           "");
    return wd_app_run(&cfg);
}

static int
cmd_run(int argc, char **argv)
{
    int cargc;
    char **cargv, err[512];
    if (wd_config_argv(argc, argv, run_opts, &cargc, &cargv, err, sizeof err))
        return usage_error("run", "%s", err);
    int rc = run_parsed(cargc, cargv);
    wd_config_free(cargc, cargv);
    return rc;
}

static char *
read_all(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (buf && ferror(f)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static const char *
content_type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0))
        return "text/html";
    return "text/plain; charset=utf-8";
}

/* A client's CURVE keys: --curve-server-key and --curve-secret. */
struct client_curve {
    const char *server_path, *secret_path;
    struct wd_curve_key server, secret;
};

/* Takes --curve-server-key ('K') and --curve-secret ('k'); false for
 * other options. */
static bool
client_curve_option(struct client_curve *cc, int c, const char *arg)
{
    if (c == 'K')
        cc->server_path = arg;
    else if (c == 'k')
        cc->secret_path = arg;
    return c == 'K' || c == 'k';
}

/* Reads the keys named (both or neither). Returns 0, 2 (usage) or 1 (a key
 * file refused; said on stderr). */
static int
client_curve_load(const char *cmd, struct client_curve *cc)
{
    if (!cc->server_path && !cc->secret_path)
        return 0;
    if (!cc->server_path || !cc->secret_path)
        return usage_error(cmd,
                           "--curve-server-key and --curve-secret go "
                           "together%s",
                           "");
    char err[512];
    if (wd_curve_read_public(cc->server_path, &cc->server, err, sizeof err) ||
        wd_curve_read_secret(cc->secret_path, &cc->secret, err, sizeof err)) {
        fprintf(stderr, "wiredesk %s: CURVE refused: %s\n", cmd, err);
        return 1;
    }
    return 0;
}

/* Makes sock a CURVE client when keys were given; wipes the secret. */
static int
client_curve_apply(const char *cmd, struct client_curve *cc, void *sock)
{
    int rc = 0;
    if (cc->secret_path &&
        wd_curve_client_socket(sock, &cc->server, &cc->secret) != 0) {
        fprintf(stderr, "wiredesk %s: cannot set the CURVE keys: %s\n", cmd,
                zmq_strerror(errno));
        rc = 1;
    }
    wd_curve_key_wipe(&cc->secret);
    return rc;
}

/* Sends one page on an acknowledged ingest ([empty, request id, page]) and
 * waits for its answer; with no answer in time, sends it again (a worker
 * that restarted, or lost it, gets it anew; one that processed it answers
 * "duplicate"), waiting twice as long each time. Returns 0 with the answer,
 * or 1 when every try went unanswered. */
static int
push_acked(void *sock, const uint8_t *page, size_t len, int timeout_ms,
           int retries, char *answer, size_t cap)
{
    static uint64_t next_req;
    if (next_req == 0)
        next_req = (uint64_t)wd_now_ms() << 16;
    uint64_t req = ++next_req;
    int wait_ms = timeout_ms;
    for (int attempt = 0; attempt <= retries; attempt++) {
        /* No connected worker within the send time-out: try again. */
        if (wd_ingest_ack_send(sock, req, page, len) == 0 &&
            wd_ingest_ack_wait(sock, req, wait_ms, answer, cap) == 1)
            return 0;
        if (wait_ms < 60000)
            wait_ms *= 2;
    }
    return 1;
}

static int
cmd_push(int argc, char **argv)
{
    static const struct option opts[] = {
        {"endpoint", required_argument, 0, 'e'},
        {"source", required_argument, 0, 's'},
        {"url", required_argument, 0, 'u'},
        {"content-type", required_argument, 0, 'c'},
        {"timeout", required_argument, 0, 't'},
        {"curve-server-key", required_argument, 0, 'K'},
        {"curve-secret", required_argument, 0, 'k'},
        {"ack", no_argument, 0, 'a'},
        {"retries", required_argument, 0, 'r'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct client_curve cc = {0};
    bool ack = false;
    long long retries = 5;
    /* --endpoint may be repeated: the PUSH socket connects to every worker
     * named and ZeroMQ spreads the pages over them. */
    const char *endpoints[16] = {WD_DEFAULT_INGEST}, *source = "wiredesk-push";
    size_t n_endpoints = 0;
    const char *url = NULL, *ctype = NULL;
    long long timeout = 5000;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'e':
            if (n_endpoints == sizeof endpoints / sizeof endpoints[0])
                return usage_error("push", "more than 16 endpoints%s", "");
            endpoints[n_endpoints++] = optarg;
            break;
        case 's':
            source = optarg;
            break;
        case 'u':
            url = optarg;
            break;
        case 'c':
            ctype = optarg;
            break;
        case 't':
            if (parse_num(optarg, 1, 3600 * 1000, &timeout))
                return usage_error("push", "bad --timeout '%s'", optarg);
            break;
        case 'a':
            ack = true;
            break;
        case 'r':
            if (parse_num(optarg, 0, 1000, &retries))
                return usage_error("push", "bad --retries '%s'", optarg);
            break;
        default:
            if (client_curve_option(&cc, c, optarg))
                break;
            return other_option("push", c, usage_push, argv);
        }
    }
    if (optind >= argc)
        return usage_error("push", "no FILE given%s", "");
    if (n_endpoints == 0)
        n_endpoints = 1;
    for (size_t i = 0; i < n_endpoints; i++)
        if (wd_endpoint_check(endpoints[i]))
            return usage_error("push", "malformed endpoint '%s'", endpoints[i]);
    const char *endpoint = endpoints[0]; /* named in messages */
    int crc = client_curve_load("push", &cc);
    if (crc)
        return crc;

    void *zctx = zmq_ctx_new();
    void *sock = zmq_socket(zctx, ack ? ZMQ_DEALER : ZMQ_PUSH);
    /* IMMEDIATE: queue only on a completed connection, so that a worker
     * that is not there turns into a send time-out, not a silent wait. */
    int one = 1, t = (int)timeout, linger = (int)timeout;
    zmq_setsockopt(sock, ZMQ_IMMEDIATE, &one, sizeof one);
    zmq_setsockopt(sock, ZMQ_SNDTIMEO, &t, sizeof t);
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    int status = client_curve_apply("push", &cc, sock);
    for (size_t i = 0; i < n_endpoints && status == 0; i++) {
        if (wd_endpoint_attach(sock, endpoints[i], false) != 0) {
            fprintf(stderr, "wiredesk push: cannot connect to %s: %s\n",
                    endpoints[i], zmq_strerror(errno));
            status = 1;
        }
    }
    int sent = 0;
    for (int i = optind; i < argc && status == 0; i++) {
        const char *path = argv[i];
        bool is_stdin = strcmp(path, "-") == 0;
        FILE *f = is_stdin ? stdin : fopen(path, "rb");
        if (!f) {
            fprintf(stderr, "wiredesk push: cannot open %s: %s\n", path,
                    strerror(errno));
            status = 1;
            break;
        }
        size_t len = 0;
        char *body = read_all(f, &len);
        if (!is_stdin)
            fclose(f);
        if (!body) {
            fprintf(stderr, "wiredesk push: cannot read %s\n", path);
            status = 1;
            break;
        }
        char file_url[4200], abs_path[4096];
        if (is_stdin || !realpath(path, abs_path))
            snprintf(abs_path, sizeof abs_path, "%s",
                     is_stdin ? "stdin" : path);
        snprintf(file_url, sizeof file_url, "file://%s", abs_path);
        Wiredesk__V1__RawPage raw;
        wiredesk__v1__raw_page__init(&raw);
        raw.url = (char *)(url ? url : file_url);
        raw.content_type =
            (char *)(ctype ? ctype
                           : (is_stdin ? "text/plain; charset=utf-8"
                                       : content_type_of(path)));
        raw.body.data = (uint8_t *)body;
        raw.body.len = len;
        raw.fetched_at_ms = wd_now_ms();
        raw.source = (char *)source;
        size_t n = wiredesk__v1__raw_page__get_packed_size(&raw);
        uint8_t *buf = malloc(n ? n : 1);
        if (!buf) {
            free(body);
            status = 1;
            break;
        }
        wiredesk__v1__raw_page__pack(&raw, buf);
        free(body);
        if (ack) {
            char answer[128];
            int rc = push_acked(sock, buf, n, (int)timeout, (int)retries,
                                answer, sizeof answer);
            if (rc == 0) {
                printf("%s: %s\n", path, answer);
                fflush(stdout);
                sent++;
                if (strncmp(answer, "rejected", 8) == 0)
                    status = 1;
            } else {
                fprintf(stderr,
                        "wiredesk push: no answer from %s for %s after %lld "
                        "tries\n",
                        endpoint, path, retries + 1);
                status = 1;
            }
            free(buf);
            continue;
        }
        if (zmq_send(sock, buf, n, 0) < 0) {
            fprintf(stderr, "wiredesk push: cannot reach %s: %s%s\n", endpoint,
                    errno == EAGAIN ? "no worker answered in time"
                                    : zmq_strerror(errno),
                    errno == EAGAIN && cc.secret_path
                        ? " (CURVE: is this client's public key on the "
                          "worker's --curve-allow list, and the server key "
                          "the worker's?)"
                        : "");
            status = 1;
        } else {
            sent++;
        }
        free(buf);
    }
    zmq_close(sock); /* waits up to the linger time for delivery */
    zmq_ctx_term(zctx);
    if (status == 0)
        fprintf(stderr, "wiredesk push: sent %d page%s to %s%s\n", sent,
                sent == 1 ? "" : "s", endpoint,
                n_endpoints > 1 ? " and the other endpoints" : "");
    return status;
}

static volatile sig_atomic_t tail_stop;

static void
on_tail_signal(int sig)
{
    tail_stop = 1;
}

/* Watches the SUB socket's connection events on a PAIR socket. Set up
 * before zmq_connect(), so that a connection made at once is not missed. */
static void *
monitor_open(void *zctx, void *sock)
{
    if (zmq_socket_monitor(sock, "inproc://wd-tail-monitor",
                           ZMQ_EVENT_CONNECTED) != 0)
        return NULL;
    void *mon = zmq_socket(zctx, ZMQ_PAIR);
    if (mon && zmq_connect(mon, "inproc://wd-tail-monitor") != 0) {
        zmq_close(mon);
        return NULL;
    }
    return mon;
}

/* Waits for the first ZMQ_EVENT_CONNECTED, so that an endpoint nobody
 * serves is an error, not a hang. Returns 0 or WD_ETIMEOUT. */
static int
wait_connected(void *sock, void *mon, long long timeout_ms)
{
    int rc = WD_ETIMEOUT;
    int64_t deadline = wd_mono_ms() + timeout_ms;
    while (!tail_stop && rc != 0) {
        int64_t left = deadline - wd_mono_ms();
        if (left <= 0)
            break;
        zmq_pollitem_t it = {mon, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, left > 200 ? 200 : (long)left) <= 0)
            continue;
        zmq_msg_t ev;
        zmq_msg_init(&ev);
        if (zmq_msg_recv(&ev, mon, 0) >= 0) {
            uint16_t event = 0;
            if (zmq_msg_size(&ev) >= 2)
                memcpy(&event, zmq_msg_data(&ev), 2);
            if (event == ZMQ_EVENT_CONNECTED)
                rc = 0;
        }
        /* The second frame holds the endpoint. */
        while (zmq_msg_more(&ev)) {
            zmq_msg_close(&ev);
            zmq_msg_init(&ev);
            zmq_msg_recv(&ev, mon, 0);
        }
        zmq_msg_close(&ev);
    }
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

struct tail {
    void *snap; /* DEALER on the snapshot service, or NULL */
    const char *snap_endpoint;
    long long reply_ms; /* how long a snapshot reply may take */
    struct wd_snapshot_track *track;
    long long got;
    uint64_t sequenced, gaps, missed;
};

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
    while (!tail_stop) {
        int64_t left = deadline - wd_mono_ms();
        zmq_pollitem_t it = {t->snap, 0, ZMQ_POLLIN, 0};
        if (left <= 0)
            break;
        if (zmq_poll(&it, 1, left > 200 ? 200 : (long)left) <= 0)
            continue;
        zmq_msg_t p[5];
        size_t frames, k = wd_zwatch_recv(t->snap, p, 5, &frames);
        char kind[16] = "", ch[WD_CHANNEL_MAX] = "";
        if (k >= 2) {
            part_text(&p[0], kind, sizeof kind);
            part_text(&p[1], ch, sizeof ch);
        }
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
    if (!tail_stop)
        fprintf(stderr,
                "wiredesk tail: no snapshot of %s from %s within %lld ms\n",
                channel, t->snap_endpoint, t->reply_ms);
    return -1;
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
    if (v == WD_SEQ_NEW_EPOCH)
        fprintf(stderr,
                "wiredesk tail: %s: a new stream (epoch %016llx, seq %llu): "
                "the worker restarted, or another one publishes\n",
                channel, (unsigned long long)epoch, (unsigned long long)seq);
    if (v == WD_SEQ_GAP) {
        uint64_t lost = seq - last - 1, s, e;
        long long filled =
            t->snap ? fetch_snapshot(t, channel, WD_SNAPSHOT_MAX_DEPTH, epoch,
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
}

static int
cmd_tail(int argc, char **argv)
{
    static const struct option opts[] = {
        {"endpoint", required_argument, 0, 'e'},
        {"count", required_argument, 0, 'n'},
        {"timeout", required_argument, 0, 't'},
        {"connect-timeout", required_argument, 0, 'c'},
        {"catch-up", required_argument, 0, 'u'},
        {"snapshot", required_argument, 0, 's'},
        {"curve-server-key", required_argument, 0, 'K'},
        {"curve-secret", required_argument, 0, 'k'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct client_curve cc = {0};
    const char *endpoint = WD_DEFAULT_PUBLISH, *snap_endpoint = NULL;
    long long count = 0, timeout = 0, connect_timeout = 5000, catch_up = -1;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'e':
            endpoint = optarg;
            break;
        case 'n':
            if (parse_num(optarg, 1, 1LL << 62, &count))
                return usage_error("tail", "bad --count '%s'", optarg);
            break;
        case 't':
            if (parse_num(optarg, 1, 1LL << 40, &timeout))
                return usage_error("tail", "bad --timeout '%s'", optarg);
            break;
        case 'c':
            if (parse_num(optarg, 1, 1LL << 40, &connect_timeout))
                return usage_error("tail", "bad --connect-timeout '%s'",
                                   optarg);
            break;
        case 'u':
            if (parse_num(optarg, 0, WD_SNAPSHOT_MAX_DEPTH, &catch_up))
                return usage_error("tail", "bad --catch-up '%s' (0 to 1000)",
                                   optarg);
            break;
        case 's':
            snap_endpoint = optarg;
            break;
        default:
            if (client_curve_option(&cc, c, optarg))
                break;
            return other_option("tail", c, usage_tail, argv);
        }
    }
    if (wd_endpoint_check(endpoint))
        return usage_error("tail", "malformed endpoint '%s'", endpoint);
    if (catch_up >= 0 && !snap_endpoint)
        snap_endpoint = WD_DEFAULT_SNAPSHOT;
    if (snap_endpoint && wd_endpoint_check(snap_endpoint))
        return usage_error("tail", "malformed --snapshot endpoint '%s'",
                           snap_endpoint);
    int crc = client_curve_load("tail", &cc);
    if (crc)
        return crc;

    signal(SIGINT, on_tail_signal);
    signal(SIGTERM, on_tail_signal);
    struct tail t = {.snap_endpoint = snap_endpoint,
                     .reply_ms = connect_timeout};
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
    for (int i = 0; i < n_channels; i++)
        zmq_setsockopt(sock, ZMQ_SUBSCRIBE, channels[i], strlen(channels[i]));
    int status = client_curve_apply("tail", &cc, sock);
    if (snap_endpoint && status == 0) {
        /* The same keys on both sockets: load them again (apply wiped the
         * secret). */
        t.snap = zmq_socket(zctx, ZMQ_DEALER);
        zmq_setsockopt(t.snap, ZMQ_LINGER, &linger, sizeof linger);
        if (cc.secret_path)
            status = client_curve_load("tail", &cc) ||
                     client_curve_apply("tail", &cc, t.snap);
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
    } else if (status == 0 && mon &&
               wait_connected(sock, mon, connect_timeout) != 0 && !tail_stop) {
        fprintf(stderr, "wiredesk tail: cannot reach %s within %lld ms\n",
                endpoint, connect_timeout);
        status = 1;
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
    }
    int64_t last = wd_mono_ms();
    while (status == 0 && !tail_stop && (count == 0 || t.got < count)) {
        zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
        int r = zmq_poll(&it, 1, 200);
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
    wd_snapshot_track_free(t.track);
    if (mon)
        zmq_close(mon);
    if (t.snap)
        zmq_close(t.snap);
    zmq_close(sock);
    zmq_ctx_term(zctx);
    return status;
}

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

static int
cmd_proxy(int argc, char **argv)
{
    static const struct option opts[] = {
        {"frontend", required_argument, 0, 'f'},
        {"backend", required_argument, 0, 'b'},
        {"http", required_argument, 0, 'H'},
        {"hwm", required_argument, 0, 'w'},
        {"stream", no_argument, 0, 's'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct wd_proxy_config cfg;
    wd_proxy_config_defaults(&cfg);
    long long v;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            cfg.frontend = optarg;
            break;
        case 'b':
            cfg.backend = optarg;
            break;
        case 'H':
            if (wd_cli_check_hostport(optarg))
                return usage_error("proxy", "--http wants HOST:PORT, not '%s'",
                                   optarg);
            cfg.http = optarg;
            break;
        case 'w':
            if (parse_num(optarg, 0, 1 << 30, &v))
                return usage_error("proxy", "bad --hwm '%s'", optarg);
            cfg.hwm = (int)v;
            break;
        case 's':
            cfg.stream = true;
            break;
        default:
            return other_option("proxy", c, usage_proxy, argv);
        }
    }
    if (optind < argc)
        return usage_error("proxy", "unexpected argument '%s'", argv[optind]);
    if (wd_endpoint_check(cfg.frontend))
        return usage_error("proxy", "malformed --frontend endpoint '%s'",
                           cfg.frontend);
    if (wd_endpoint_check(cfg.backend))
        return usage_error("proxy", "malformed --backend endpoint '%s'",
                           cfg.backend);
    return wd_proxy_run(&cfg);
}

static int
cmd_keygen(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *out = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (c == 'o')
            out = optarg;
        else
            return other_option("keygen", c, usage_keygen, argv);
    }
    if (optind < argc)
        return usage_error("keygen", "unexpected argument '%s'", argv[optind]);
    if (!out || !*out)
        return usage_error("keygen", "--out PATH is required%s", "");
    struct wd_curve_key pub;
    char err[512];
    if (wd_curve_keygen(out, &pub, err, sizeof err) != 0) {
        fprintf(stderr, "wiredesk keygen: %s\n", err);
        return 1;
    }
    printf("%s\n", pub.z85);
    fprintf(stderr,
            "wiredesk keygen: wrote %s.key (secret, mode 0600) and %s.pub "
            "(public)\n",
            out, out);
    return 0;
}

static int
cmd_stats(int argc, char **argv, bool top)
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
                return usage_error(cmd, "--http wants HOST:PORT, not '%s'",
                                   optarg);
            hostport = optarg;
            break;
        case 'j':
            as_json = true;
            break;
        case 'i':
            if (parse_num(optarg, 100, 3600 * 1000, &interval))
                return usage_error(cmd, "bad --interval '%s'", optarg);
            break;
        case 'n':
            if (parse_num(optarg, 1, 1LL << 40, &iterations))
                return usage_error(cmd, "bad --iterations '%s'", optarg);
            break;
        default:
            return other_option(cmd, c, usage_stats, argv);
        }
    }
    if (optind < argc)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
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
    signal(SIGINT, on_tail_signal);
    signal(SIGTERM, on_tail_signal);
    json_t *prev = NULL;
    for (long long i = 0; !tail_stop && (iterations == 0 || i < iterations);
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

int
wd_cli_main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
        strcmp(cmd, "help") == 0) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("wiredesk %s\n", WD_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "push") == 0)
        return cmd_push(argc - 1, argv + 1);
    if (strcmp(cmd, "tail") == 0)
        return cmd_tail(argc - 1, argv + 1);
    if (strcmp(cmd, "stats") == 0)
        return cmd_stats(argc - 1, argv + 1, false);
    if (strcmp(cmd, "top") == 0)
        return cmd_stats(argc - 1, argv + 1, true);
    if (strcmp(cmd, "proxy") == 0)
        return cmd_proxy(argc - 1, argv + 1);
    if (strcmp(cmd, "keygen") == 0)
        return cmd_keygen(argc - 1, argv + 1);
    fprintf(stderr, "wiredesk: unknown command '%s' (see 'wiredesk --help')\n",
            cmd);
    return 2;
}
