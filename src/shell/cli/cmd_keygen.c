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

static const char usage_keygen[] =
    "usage: wiredesk keygen --out PATH\n"
    "\n"
    "Writes a new CURVE key pair: PATH.key, the secret key (mode 0600), and\n"
    "PATH.pub, the public key; each is one line of Z85 text. Existing files\n"
    "are never overwritten. Prints the public key.\n"
    "\n"
    "  --out PATH              where to write the pair\n"
    "  -h, --help              this text\n";

int
wd_cli_keygen(int argc, char **argv)
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
            return wd_cli_other_option("keygen", c, usage_keygen, argv);
    }
    if (optind < argc)
        return wd_cli_usage_error("keygen", "unexpected argument '%s'",
                                  argv[optind]);
    if (!out || !*out)
        return wd_cli_usage_error("keygen", "--out PATH is required%s", "");
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
