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
                return wd_cli_usage_error(
                    "run", "--http wants HOST:PORT, not '%s'", optarg);
            cfg.http = optarg;
            break;
        case 's':
            if (!*optarg)
                return wd_cli_usage_error("run", "--state wants a directory%s",
                                          "");
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
                return wd_cli_usage_error(
                    "run",
                    "--store wants lmdb or redis://HOST[:PORT][/DB],"
                    " not '%s'",
                    optarg);
            cfg.store_url = optarg;
            break;
        }
        case 'D':
            if (!*optarg)
                return wd_cli_usage_error("run",
                                          "--data-dir wants a directory%s", "");
            cfg.data_dir = optarg;
            break;
        case 'm':
            if (wd_cli_parse_num(optarg, 1, 1LL << 31, &v))
                return wd_cli_usage_error("run", "bad --max-page-bytes '%s'",
                                          optarg);
            cfg.max_page_bytes = (size_t)v;
            break;
        case 'd':
            if (wd_cli_parse_num(optarg, 1, 1LL << 40, &v))
                return wd_cli_usage_error("run", "bad --max-stories '%s'",
                                          optarg);
            cfg.max_stories = (uint64_t)v;
            break;
        case 'R':
            if (wd_cli_parse_num(optarg, 1, 36500, &v))
                return wd_cli_usage_error("run", "bad --retention-days '%s'",
                                          optarg);
            cfg.max_age_ms = v * 86400000LL;
            break;
        case 'M':
            if (wd_cli_parse_num(optarg, 16, 1LL << 24, &v))
                return wd_cli_usage_error("run", "bad --store-map-mb '%s'",
                                          optarg);
            cfg.store_map_mb = (size_t)v;
            break;
        case 'I':
            if (wd_cli_parse_num(optarg, 0, 1 << 30, &v))
                return wd_cli_usage_error("run", "bad --ingest-hwm '%s'",
                                          optarg);
            cfg.ingest_hwm = (int)v;
            break;
        case 'P':
            if (wd_cli_parse_num(optarg, 0, 1 << 30, &v))
                return wd_cli_usage_error("run", "bad --pub-hwm '%s'", optarg);
            cfg.pub_hwm = (int)v;
            break;
        case 'S':
            if (wd_cli_parse_num(optarg, 0, 3600 * 1000, &v))
                return wd_cli_usage_error("run", "bad --stats-interval '%s'",
                                          optarg);
            cfg.stats_interval_ms = (unsigned)v;
            break;
        case 'T':
            if (wd_cli_parse_num(optarg, 0, 3600 * 1000, &v))
                return wd_cli_usage_error("run", "bad --stop-timeout '%s'",
                                          optarg);
            cfg.stop_timeout_ms = (unsigned)v;
            break;
        case 'Z':
            cfg.snapshot = *optarg ? optarg : NULL;
            break;
        case 'z':
            if (wd_cli_parse_num(optarg, 1, WD_SNAPSHOT_MAX_DEPTH, &v))
                return wd_cli_usage_error("run", "bad --snapshot-depth '%s'",
                                          optarg);
            cfg.snapshot_depth = (unsigned)v;
            break;
        case 'Y':
            if (wd_cli_parse_num(optarg, 1, 1 << 20, &v))
                return wd_cli_usage_error("run", "bad --snapshot-mb '%s'",
                                          optarg);
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
                return wd_cli_usage_error("run", "bad --log-level '%s'",
                                          optarg);
            break;
        case 'L':
            if (strcmp(optarg, "text") == 0)
                wd_log_set_format(WD_LOG_TEXT);
            else if (strcmp(optarg, "json") == 0)
                wd_log_set_format(WD_LOG_JSON);
            else
                return wd_cli_usage_error("run", "bad --log-format '%s'",
                                          optarg);
            break;
        default:
            return wd_cli_other_option("run", c, usage_run, argv);
        }
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
    if (!cfg.curve_secret != !cfg.curve_allow)
        return wd_cli_usage_error("run",
                                  "--curve-secret and --curve-allow go "
                                  "together%s",
                                  "");
    return wd_app_run(&cfg);
}

int
wd_cli_run(int argc, char **argv)
{
    int cargc;
    char **cargv, err[512];
    if (wd_config_argv(argc, argv, run_opts, &cargc, &cargv, err, sizeof err))
        return wd_cli_usage_error("run", "%s", err);
    int rc = run_parsed(cargc, cargv);
    wd_config_free(cargc, cargv);
    return rc;
}
