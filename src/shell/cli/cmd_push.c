#include "wd/cli.h"
#include "wd/config.h"
#include "wd/endpoint.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

int
wd_cli_push(int argc, char **argv)
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
    struct wd_cli_curve cc = {0};
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
                return wd_cli_usage_error("push", "more than 16 endpoints%s",
                                          "");
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
            if (wd_cli_parse_num(optarg, 1, 3600 * 1000, &timeout))
                return wd_cli_usage_error("push", "bad --timeout '%s'", optarg);
            break;
        case 'a':
            ack = true;
            break;
        case 'r':
            if (wd_cli_parse_num(optarg, 0, 1000, &retries))
                return wd_cli_usage_error("push", "bad --retries '%s'", optarg);
            break;
        default:
            if (wd_cli_curve_option(&cc, c, optarg))
                break;
            return wd_cli_other_option("push", c, usage_push, argv);
        }
    }
    if (optind >= argc)
        return wd_cli_usage_error("push", "no FILE given%s", "");
    if (n_endpoints == 0)
        n_endpoints = 1;
    for (size_t i = 0; i < n_endpoints; i++) {
        int bad = wd_cli_check_endpoint("push", NULL, endpoints[i]);
        if (bad)
            return bad;
    }
    const char *endpoint = endpoints[0]; /* named in messages */
    int crc = wd_cli_curve_load("push", &cc);
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
    int status = wd_cli_curve_apply("push", &cc, sock);
    for (size_t i = 0; i < n_endpoints && status == 0; i++) {
        if (wd_endpoint_attach(sock, endpoints[i], false) != 0) {
            fprintf(stderr, "wiredesk push: cannot connect to %s: %s\n",
                    endpoints[i], zmq_strerror(errno));
            status = 1;
        }
    }
    /* A file that cannot be read, or a page refused, is said and counted,
     * and the next files go on; only a worker that cannot be reached stops
     * the batch. */
    int sent = 0, failed = 0;
    for (int i = optind; i < argc && status == 0; i++) {
        const char *path = argv[i];
        bool is_stdin = strcmp(path, "-") == 0;
        struct stat st;
        FILE *f = NULL;
        if (!is_stdin && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
            errno = EISDIR;
        else
            f = is_stdin ? stdin : fopen(path, "rb");
        if (!f) {
            fprintf(stderr, "wiredesk push: cannot read %s: %s\n", path,
                    errno == EISDIR ? "not a regular file" : strerror(errno));
            failed++;
            continue;
        }
        size_t len = 0;
        char *body = read_all(f, &len);
        if (!is_stdin)
            fclose(f);
        if (!body) {
            fprintf(stderr, "wiredesk push: cannot read %s\n", path);
            failed++;
            continue;
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
                failed += strncmp(answer, "rejected", 8) == 0;
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
        fprintf(stderr, "wiredesk push: sent %d page%s to %s%s%s\n", sent,
                sent == 1 ? "" : "s", endpoint,
                n_endpoints > 1 ? " and the other endpoints" : "",
                failed ? "; some were not taken (above)" : "");
    return status ? status : failed ? 1 : 0;
}
