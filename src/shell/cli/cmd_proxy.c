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

int
wd_cli_proxy(int argc, char **argv)
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
                return wd_cli_usage_error(
                    "proxy", "--http wants HOST:PORT, not '%s'", optarg);
            cfg.http = optarg;
            break;
        case 'w':
            if (wd_cli_parse_num(optarg, 0, 1 << 30, &v))
                return wd_cli_usage_error("proxy", "bad --hwm '%s'", optarg);
            cfg.hwm = (int)v;
            break;
        case 's':
            cfg.stream = true;
            break;
        default:
            return wd_cli_other_option("proxy", c, usage_proxy, argv);
        }
    }
    if (optind < argc)
        return wd_cli_usage_error("proxy", "unexpected argument '%s'",
                                  argv[optind]);
    int bad;
    if ((bad = wd_cli_check_endpoint("proxy", "--frontend", cfg.frontend)) ||
        (bad = wd_cli_check_endpoint("proxy", "--backend", cfg.backend)))
        return bad;
    return wd_proxy_run(&cfg);
}
