#include "wd/cli.h"
#include "wd/config.h"
#include "wd/endpoint.h"
#include "wd/prep.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zmq.h>

#include "wd/app.h"
#include "wd/article.h"
#include "wd/channel.h"
#include "wd/curve.h"
#include "wd/err.h"
#include "wd/http.h"
#include "wd/ingest.h"
#include "wd/log.h"
#include "wd/memindex.h"
#include "wd/opt.h"
#include "wd/proxy.h"
#include "wd/publish.h"
#include "wd/snapshot.h"
#include "wd/store.h"
#include "wd/tag.h"
#include "wd/zwatch.h"
#include "wiredesk.pb-c.h"

static const char usage_head[] =
    "usage: wiredesk run [OPTIONS]\n"
    "\n"
    "Starts the worker on one event loop; stops cleanly on SIGINT/SIGTERM;\n"
    "SIGHUP reloads the tagger's data files (a file with an error is refused\n"
    "and logged with its line; the data in force stays).\n"
    "\n"
    "  Endpoints bind; '>tcp://HOST:PORT' connects instead (e.g. --publish\n"
    "  to a `wiredesk proxy`), '@tcp://...' binds explicitly.\n";

static const char usage_tail[] =
    "\n"
    "Every option can also be set in the environment as WIREDESK_<OPTION>\n"
    "(WIREDESK_INGEST, WIREDESK_MAX_PAGE_BYTES, ...) or in the --config\n"
    "file; a flag beats the environment, which beats the file.\n";

/* The options of `run`, one row each (opt.h): also the names of its
 * settings in a configuration file and, as WIREDESK_<NAME>, in the
 * environment (config.h). Every default is here and nowhere else in the
 * worker; the docs are checked against `run --print-config`. */
static const struct wd_opt run_table[] = {
    {"ingest", 'i', "ENDPOINT", WD_DEFAULT_INGEST, NULL,
     "PULL socket for RawPages", 0},
    {"ingest-ack", 'A', "ENDPOINT", NULL, "off",
     "ROUTER socket for RawPages, each answered\n"
     "accepted|duplicate|rejected:REASON once\n"
     "published and remembered (`push --ack`)",
     0},
    {"publish", 'p', "ENDPOINT", WD_DEFAULT_PUBLISH, NULL,
     "PUB socket for Articles", 0},
    {"http", 'H', "HOST:PORT", WD_DEFAULT_HTTP, NULL,
     "operator HTTP view\n(GET /, /metrics, /healthz, /readyz, /stats)", 0},
    {"state", 's', "DIR", WD_DEFAULT_STATE, NULL, "what the worker persists",
     0},
    {"store", 'B', "STORE", "lmdb", NULL,
     "what was seen: lmdb (in --state) or\n"
     "redis://HOST[:PORT][/DB], shared by workers",
     0},
    {"data-dir", 'D', "DIR", NULL, "share/wiredesk, else the source's data/",
     "gazetteer and taxonomy", 0},
    {"max-page-bytes", 'm', "N", "8388608", NULL, "larger pages are refused",
     0},
    {"max-stories", 'd', "N", "10000000", NULL,
     "stories remembered (at most 16777214 with LMDB)", 0},
    {"retention-days", 'R', "N", "30", NULL, "stories remembered for (days)",
     0},
    {"store-map-mb", 'M', "N", "16384", NULL, "bound of the store on disk", 0},
    {"ingest-hwm", 'I', "N", "1000", NULL, "ingest queue per sender, pages", 0},
    {"threads", 'j', "N", NULL, "one a core less one",
     "threads that parse pages (a source's pages\n"
     "always on one of them, in order)",
     0},
    {"max-events", 'E', "N", "16384", NULL,
     "live events kept (the least recently fed\n"
     "leaves first); 0 = no events",
     0},
    {"event-window-hours", 'W', "N", "36", NULL,
     "an event takes articles up to N hours\n"
     "after its latest one (at most 2N after\n"
     "its first)",
     0},
    {"pub-hwm", 'P', "N", "100000", NULL, "queue per subscriber", 0},
    {"stats-interval", 'S', "MS", "5000", NULL,
     "WorkerStats on $stats; 0 = off", 0},
    {"stop-timeout", 'T', "MS", "10000", NULL,
     "on SIGTERM, how long a page held for the\n"
     "store is retried before exiting",
     0},
    {"snapshot", 'Z', "ENDPOINT", NULL, "off; e.g. " WD_DEFAULT_SNAPSHOT,
     "ROUTER answering \"the last N messages of a\n"
     "channel\" (`tail --catch-up`)",
     0},
    {"snapshot-depth", 'z', "N", "100", NULL,
     "messages kept per channel, 1 to 1000", 0},
    {"snapshot-mb", 'Y', "N", "64", NULL, "bound of the kept bytes (MiB)", 0},
    {"journal-minutes", 'J', "N", "60", NULL,
     "with --snapshot on an LMDB store: how long\n"
     "published stories are kept for RESUME\n"
     "(`tail --resume`); 0 = none",
     0},
    {"curve-secret", 'k', "FILE", NULL, "off",
     "CURVE on ingest and publish: the worker's\n"
     "secret key (`wiredesk keygen`, mode 0600)",
     0},
    {"curve-allow", 'a', "PATH", NULL, "none",
     "with --curve-secret: the client public keys\n"
     "admitted, a file or a directory of *.pub",
     0},
    {"log-level", 'l', "LEVEL", "info", NULL, "error|warn|info|debug", 0},
    {"log-format", 'L', "FORMAT", "text", NULL, "text|json (one object a line)",
     0},
    {"config", 'C', "FILE", NULL, "$WIREDESK_CONFIG",
     "settings, one 'option = value' a line", WD_OPT_COMMAND},
    {"check", 'x', NULL, NULL, NULL,
     "check the settings without starting: the\n"
     "data files load, the key files read, the\n"
     "state directory can be written and every\n"
     "endpoint bound; print the settings; exit 0,\n"
     "or 1 with what is wrong",
     WD_OPT_COMMAND},
    {"print-config", 'c', NULL, NULL, NULL,
     "print the settings in force (defaults,\n"
     "file, environment, flags) as a --config\n"
     "file, and exit",
     WD_OPT_COMMAND},
    {"help", 'h', NULL, NULL, NULL, "this text", WD_OPT_COMMAND},
};
#define N_RUN_OPTS (sizeof run_table / sizeof run_table[0])

static struct option run_opts[N_RUN_OPTS + 1];

static void
usage(FILE *f)
{
    fputs(usage_head, f);
    wd_opt_help(f, run_table, N_RUN_OPTS);
    fputs(usage_tail, f);
}

/* Where the value being set came from (config.h), for its error. */
static const char *origin;

/* A usage error about a value: "wiredesk run: FILE:LINE: ..." when it came
 * from the configuration file or the environment. Returns 2. */
static int
bad(const char *fmt, const char *arg)
{
    if (!origin)
        return wd_cli_usage_error("run", fmt, arg);
    char f[512];
    size_t k = 0;
    for (const char *c = origin; *c && k + 2 < sizeof f; c++) {
        if (*c == '%') /* a file name is no format */
            f[k++] = '%';
        f[k++] = *c;
    }
    snprintf(f + k, sizeof f - k, ": %s", fmt);
    return wd_cli_usage_error("run", f, arg);
}

/* Sets the setting of option key to val in cfg. Returns 0 or 2 (a usage
 * error, said on stderr). Defaults come through here too. */
static int
set(struct wd_app_config *cfg, int key, const char *val)
{
    long long v;
    switch (key) {
    case 'i':
        cfg->ingest = val;
        break;
    case 'p':
        cfg->publish = val;
        break;
    case 'A':
        cfg->ingest_ack = *val ? val : NULL;
        break;
    case 'H':
        if (wd_cli_check_hostport(val))
            return bad("--http wants HOST:PORT, not '%s'", val);
        cfg->http = val;
        break;
    case 's':
        if (!*val)
            return bad("--state wants a directory%s", "");
        cfg->state_dir = val;
        break;
    case 'k':
        cfg->curve_secret = *val ? val : NULL;
        break;
    case 'a':
        cfg->curve_allow = *val ? val : NULL;
        break;
    case 'B': {
        char host[256];
        int port, db;
        if (strcmp(val, "lmdb") == 0) {
            cfg->store_url = NULL;
            break;
        }
        if (wd_store_parse_redis_url(val, host, sizeof host, &port, &db))
            return bad(
                "--store wants lmdb or redis://HOST[:PORT][/DB], not '%s'",
                val);
        cfg->store_url = val;
        break;
    }
    case 'D':
        if (!*val)
            return bad("--data-dir wants a directory%s", "");
        cfg->data_dir = val;
        break;
    case 'm':
        if (wd_cli_parse_num(val, 1, 1LL << 31, &v))
            return bad("bad --max-page-bytes '%s'", val);
        cfg->max_page_bytes = (size_t)v;
        break;
    case 'd':
        if (wd_cli_parse_num(val, 1, 1LL << 40, &v))
            return bad("bad --max-stories '%s'", val);
        cfg->max_stories = (uint64_t)v;
        break;
    case 'R':
        if (wd_cli_parse_num(val, 1, 36500, &v))
            return bad("bad --retention-days '%s'", val);
        cfg->max_age_ms = v * 86400000LL;
        break;
    case 'M':
        if (wd_cli_parse_num(val, 16, 1LL << 24, &v))
            return bad("bad --store-map-mb '%s'", val);
        cfg->store_map_mb = (size_t)v;
        break;
    case 'I':
        if (wd_cli_parse_num(val, 0, 1 << 30, &v))
            return bad("bad --ingest-hwm '%s'", val);
        cfg->ingest_hwm = (int)v;
        break;
    case 'P':
        if (wd_cli_parse_num(val, 0, 1 << 30, &v))
            return bad("bad --pub-hwm '%s'", val);
        cfg->pub_hwm = (int)v;
        break;
    case 'S':
        if (wd_cli_parse_num(val, 0, 3600 * 1000, &v))
            return bad("bad --stats-interval '%s'", val);
        cfg->stats_interval_ms = (unsigned)v;
        break;
    case 'T':
        if (wd_cli_parse_num(val, 0, 3600 * 1000, &v))
            return bad("bad --stop-timeout '%s'", val);
        cfg->stop_timeout_ms = (unsigned)v;
        break;
    case 'Z':
        cfg->snapshot = *val ? val : NULL;
        break;
    case 'z':
        if (wd_cli_parse_num(val, 1, WD_SNAPSHOT_MAX_DEPTH, &v))
            return bad("bad --snapshot-depth '%s'", val);
        cfg->snapshot_depth = (unsigned)v;
        break;
    case 'Y':
        if (wd_cli_parse_num(val, 1, 1 << 20, &v))
            return bad("bad --snapshot-mb '%s'", val);
        cfg->snapshot_mb = (size_t)v;
        break;
    case 'j':
        if (wd_cli_parse_num(val, 1, WD_PREP_THREADS_MAX, &v))
            return bad("bad --threads '%s' (1 to 64)", val);
        cfg->threads = (unsigned)v;
        break;
    case 'E':
        if (wd_cli_parse_num(val, 0, 1 << 20, &v))
            return bad("bad --max-events '%s' (0 to 1048576)", val);
        cfg->max_events = (size_t)v;
        break;
    case 'W':
        if (wd_cli_parse_num(val, 1, 24 * 30, &v))
            return bad("bad --event-window-hours '%s' (1 to 720)", val);
        cfg->event_window_ms = v * 3600000LL;
        break;
    case 'J':
        if (wd_cli_parse_num(val, 0, 7 * 24 * 60, &v))
            return bad("bad --journal-minutes '%s'", val);
        cfg->journal_minutes = (unsigned)v;
        break;
    case 'l':
        if (strcmp(val, "error") == 0)
            wd_log_set_level(WD_LOG_ERROR);
        else if (strcmp(val, "warn") == 0)
            wd_log_set_level(WD_LOG_WARN);
        else if (strcmp(val, "info") == 0)
            wd_log_set_level(WD_LOG_INFO);
        else if (strcmp(val, "debug") == 0)
            wd_log_set_level(WD_LOG_DEBUG);
        else
            return bad("bad --log-level '%s'", val);
        break;
    case 'L':
        if (strcmp(val, "text") == 0)
            wd_log_set_format(WD_LOG_TEXT);
        else if (strcmp(val, "json") == 0)
            wd_log_set_format(WD_LOG_JSON);
        else
            return bad("bad --log-format '%s'", val);
        break;
    }
    return 0;
}

/* Binds endpoint with a socket of type, then lets it go: 0 or errno. */
static int
try_bind(void *zctx, int type, const char *endpoint)
{
    if (!endpoint || !wd_endpoint_binds(endpoint, true))
        return 0;
    void *s = zmq_socket(zctx, type);
    int linger = 0, rc = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (wd_endpoint_attach(s, endpoint, true) != 0)
        rc = errno;
    zmq_close(s);
    return rc;
}

/* --check: what the worker would find wrong at start, all of it, without
 * starting. Returns the exit status: 0, or 1 (each problem said). */
static int
check(const struct wd_app_config *cfg)
{
    int bad = 0;
    char err[512];
    const char *dir = cfg->data_dir ? cfg->data_dir : wd_tagger_default_dir();
    struct wd_tagger *tg = NULL;
    if (wd_tagger_load(dir, &tg, err, sizeof err) != 0) {
        fprintf(stderr, "wiredesk run --check: data: %s\n", err);
        bad = 1;
    }
    wd_tagger_free(tg);
    struct wd_curve_key key;
    struct wd_curve_allow allow = {0};
    if (cfg->curve_secret &&
        (wd_curve_read_secret(cfg->curve_secret, &key, err, sizeof err) != 0 ||
         wd_curve_read_allow(cfg->curve_allow, &allow, err, sizeof err) != 0)) {
        fprintf(stderr, "wiredesk run --check: CURVE: %s\n", err);
        bad = 1;
    }
    wd_curve_allow_free(&allow);
    if (mkdir(cfg->state_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "wiredesk run --check: --state %s: %s\n",
                cfg->state_dir, strerror(errno));
        bad = 1;
    } else if (access(cfg->state_dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "wiredesk run --check: --state %s: %s\n",
                cfg->state_dir, strerror(errno));
        bad = 1;
    }
    void *zctx = zmq_ctx_new();
    const struct {
        const char *flag, *ep;
        int type;
    } eps[] = {{"--ingest", cfg->ingest, ZMQ_PULL},
               {"--ingest-ack", cfg->ingest_ack, ZMQ_ROUTER},
               {"--publish", cfg->publish, ZMQ_PUB},
               {"--snapshot", cfg->snapshot, ZMQ_ROUTER}};
    for (size_t i = 0; i < sizeof eps / sizeof eps[0]; i++) {
        int rc = try_bind(zctx, eps[i].type, eps[i].ep);
        if (rc) {
            fprintf(stderr, "wiredesk run --check: %s %s: %s\n", eps[i].flag,
                    eps[i].ep, zmq_strerror(rc));
            bad = 1;
        }
    }
    zmq_ctx_term(zctx);
    char http[300];
    snprintf(http, sizeof http, "tcp://%s", cfg->http);
    zctx = zmq_ctx_new();
    int rc = try_bind(zctx, ZMQ_PULL, http);
    zmq_ctx_term(zctx);
    if (rc) {
        fprintf(stderr, "wiredesk run --check: --http %s: %s\n", cfg->http,
                zmq_strerror(rc));
        bad = 1;
    }
    if (!bad)
        fprintf(stderr, "wiredesk run --check: the settings are good\n");
    return bad;
}

static int
run_parsed(int argc, char **argv)
{
    struct wd_app_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.linger_ms = 1000; /* not a setting: time to flush at stop */
    /* Each setting's value as given (for --print-config), from its
     * default on. */
    const char *vals[N_RUN_OPTS];
    int rc;
    for (size_t i = 0; i < N_RUN_OPTS; i++) {
        vals[i] = run_table[i].def;
        if (vals[i] && (rc = set(&cfg, run_table[i].key, vals[i])))
            return rc;
    }
    bool print = false, checking = false;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", run_opts, NULL)) != -1) {
        if (c == 'c' || c == 'x') {
            print = true;
            checking |= c == 'x';
            continue;
        }
        if (c == 'C') /* consumed by wd_config_argv() */
            continue;
        size_t i = 0;
        while (i < N_RUN_OPTS &&
               (run_table[i].key != c || (run_table[i].flags & WD_OPT_COMMAND)))
            i++;
        if (i == N_RUN_OPTS) {
            if (c == 'h') {
                usage(stdout);
                return 0;
            }
            return wd_cli_other_option("run", c, NULL, argv);
        }
        origin = wd_config_origin(optind - 1);
        rc = set(&cfg, c, optarg);
        origin = NULL;
        if (rc)
            return rc;
        vals[i] = *optarg ? optarg : NULL;
    }
    if (optind < argc)
        return wd_cli_usage_error("run", "unexpected argument '%s'",
                                  argv[optind]);
    int bad; /* optional endpoints (NULL) pass */
    if ((bad = wd_cli_check_endpoint("run", "--ingest", cfg.ingest)) ||
        (bad = wd_cli_check_endpoint("run", "--publish", cfg.publish)) ||
        (bad = wd_cli_check_endpoint("run", "--ingest-ack", cfg.ingest_ack)) ||
        (bad = wd_cli_check_endpoint("run", "--snapshot", cfg.snapshot)))
        return bad;
    if (!cfg.store_url && cfg.max_stories > WD_MEMINDEX_STORIES_MAX) {
        char most[24];
        snprintf(most, sizeof most, "%u", WD_MEMINDEX_STORIES_MAX);
        return wd_cli_usage_error(
            "run",
            "--max-stories is at most %s with the LMDB store (its look-ups "
            "in memory name a story in 24 bits; about 250 bytes a story); "
            "more wants --store redis://...",
            most);
    }
    if (!cfg.curve_secret != !cfg.curve_allow)
        return wd_cli_usage_error("run",
                                  "--curve-secret and --curve-allow go "
                                  "together%s",
                                  "");
    if (print) {
        wd_opt_print(stdout, run_table, N_RUN_OPTS, vals);
        return checking ? check(&cfg) : 0;
    }
    return wd_app_run(&cfg);
}

int
wd_cli_run(int argc, char **argv)
{
    int cargc;
    char **cargv, err[512];
    wd_opt_longopts(run_table, N_RUN_OPTS, run_opts);
    if (wd_config_argv(argc, argv, run_opts, &cargc, &cargv, err, sizeof err))
        return wd_cli_usage_error("run", "%s", err);
    int rc = run_parsed(cargc, cargv);
    wd_config_free(cargc, cargv);
    return rc;
}
