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
    "`wiredesk COMMAND --help` describes each command; `wiredesk --version`\n"
    "prints the version.\n";

int
wd_cli_usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "wiredesk %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see 'wiredesk %s --help')\n", cmd);
    return 2;
}

/* Parses a decimal count within [lo, hi]. */
int
wd_cli_parse_num(const char *s, long long lo, long long hi, long long *out)
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
wd_cli_check_endpoint(const char *cmd, const char *flag, const char *endpoint)
{
    if (!endpoint || wd_endpoint_check(endpoint) == 0)
        return 0;
    char fmt[64];
    snprintf(fmt, sizeof fmt, "malformed %s%sendpoint '%%s'", flag ? flag : "",
             flag ? " " : "");
    return wd_cli_usage_error(cmd, fmt, endpoint);
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
    if (wd_cli_parse_num(colon + 1, 1, 65535, &port))
        return WD_EINVAL;
    for (const char *p = s; p < colon; p++)
        if (*p == ' ' || *p == '/')
            return WD_EINVAL;
    return 0;
}

/* The getopt results every command treats alike: --help, a missing value,
 * an unknown option. Returns the exit code. */
int
wd_cli_other_option(const char *cmd, int c, const char *usage, char **argv)
{
    if (c == 'h') {
        fputs(usage, stdout);
        return 0;
    }
    if (c == ':')
        return wd_cli_usage_error(cmd, "option '%s' needs a value",
                                  argv[optind - 1]);
    return wd_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

/* Takes --curve-server-key ('K') and --curve-secret ('k'); false for
 * other options. */
bool
wd_cli_curve_option(struct wd_cli_curve *cc, int c, const char *arg)
{
    if (c == 'K')
        cc->server_path = arg;
    else if (c == 'k')
        cc->secret_path = arg;
    return c == 'K' || c == 'k';
}

/* Reads the keys named (both or neither). Returns 0, 2 (usage) or 1 (a key
 * file refused; said on stderr). */
int
wd_cli_curve_load(const char *cmd, struct wd_cli_curve *cc)
{
    if (!cc->server_path && !cc->secret_path)
        return 0;
    if (!cc->server_path || !cc->secret_path)
        return wd_cli_usage_error(cmd,
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
int
wd_cli_curve_apply(const char *cmd, struct wd_cli_curve *cc, void *sock)
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

volatile sig_atomic_t wd_cli_stop;

void
wd_cli_on_signal(int sig)
{
    (void)sig;
    wd_cli_stop = 1;
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
        return wd_cli_run(argc - 1, argv + 1);
    if (strcmp(cmd, "push") == 0)
        return wd_cli_push(argc - 1, argv + 1);
    if (strcmp(cmd, "tail") == 0)
        return wd_cli_tail(argc - 1, argv + 1);
    if (strcmp(cmd, "stats") == 0)
        return wd_cli_stats(argc - 1, argv + 1, false);
    if (strcmp(cmd, "top") == 0)
        return wd_cli_stats(argc - 1, argv + 1, true);
    if (strcmp(cmd, "proxy") == 0)
        return wd_cli_proxy(argc - 1, argv + 1);
    if (strcmp(cmd, "keygen") == 0)
        return wd_cli_keygen(argc - 1, argv + 1);
    fprintf(stderr, "wiredesk: unknown command '%s' (see 'wiredesk --help')\n",
            cmd);
    return 2;
}
