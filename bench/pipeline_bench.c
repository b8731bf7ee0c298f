/* Whole-pipeline benchmark against the transport's own ceiling, in one run.
 *
 *   pipeline_bench [PAGES] [WIREDESK] [--html] [--seedlike | --seeds]
 *                  [--refetch PCT] [--state DIR] [--threads N]
 *
 *   PAGES default 20000, WIREDESK default build/wiredesk; --html serves every
 *   page as HTML (headline <h1>, lines <p>, in <article> between a nav bar
 *   and a footer); --seedlike shapes every page as the client's seeds
 *   (about 20 KB: a ticker's chrome above several full stories; the
 *   issue's "seed-like pages", ten times the default's size; their
 *   generated pages are listings as often as articles, so a page parses
 *   into 18-48 items, 27 on average); --seeds shapes them as the seeds
 *   are in what costs most, their stories: the seed's chrome above full
 *   stories only, no teasers, until the seed's size (the seeds' listings
 *   carry six full stories of about 3.5 KB); --refetch PCT
 * sets the share of re-fetched pages (default 15; with the listings' repeats
 * and re-posts about 40 % of stories are duplicates); --state DIR runs the
 * worker on an existing state directory (e.g. one that `dedup_bench 1000000
 * DIR` filled), kept afterwards, and skips the half-rate run (its pages would
 * all be duplicates by then);
 *   --threads N runs the worker with that many parse threads (default:
 *   the worker's, one a core); --in-process runs no worker and no
 *   transport: the same frames go through the worker's functional core on
 *   one thread (wd_pipeline_prepare, then wd_pipeline_finish, on a fresh
 *   LMDB store; messages counted, not sent), and it prints the CPU a page
 *   of each (the thread's CPU clock), steadier on a shared machine than
 *   the worker's pages/s when comparing two builds of one part.
 *
 * 1. Generates a realistic stream (bench/streamgen: listings, articles,
 *    re-fetches, copies; ~40% duplicates).
 * 2. Ceiling: the same frames pushed over loopback TCP into a bare PULL
 *    socket in another process that only counts.
 * 3. The real worker (`wiredesk run`, its own process and state) on the
 *    same frames, with a subscriber counting articles on "all"; the run
 *    ends when the worker's $stats say every page was received.
 * Prints pages/s, MB/s, articles/s, latency page-in to article-out
 * (p50/p99/p99.9, from the RawPage's fetched_at_ms, set at push time), the
 * worker's CPU seconds per page, peak RSS and start-up time (spawn to
 * /readyz 200), and the ratio to the ceiling, measured again after the
 * worker's run (this shared machine's transport swings by half from one
 * minute to the next): the ratio is to the mean of the two, and to each
 * for the record; then runs the worker again with the pages paced at half
 * the rate it reached and prints the latency percentiles there. */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "benchutil.h"
#include "../tests/ports.h"
#include "rawframe.h"
#include "wd/http.h"
#include "wd/pipeline.h"
#include "wd/stats.h"
#include "wd/store.h"
#include "streamgen.h"
#include "wiredesk.pb-c.h"

extern char **environ;

/* Pushes the frames, as fast as PUSH goes (rate 0) or paced at rate pages
 * a second. */
static void
push_all(void *zctx, const char *ep, struct frame *frames, int n, double rate,
         double *bytes)
{
    void *push = zmq_socket(zctx, ZMQ_PUSH);
    /* (Linger without end: a slow worker still has the queue's pages to
     * read when the last is sent; the reader below gives up on a worker
     * that stopped.) */
    int hwm = 10000, linger = -1;
    zmq_setsockopt(push, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect(push, ep);
    *bytes = 0;
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        if (rate > 0) {
            double wait = t0 + i / rate - now_s();
            if (wait > 0)
                usleep((useconds_t)(wait * 1e6));
        }
        uint8_t *buf;
        size_t len = pack(&frames[i], &buf);
        zmq_send(push, buf, len, 0);
        *bytes += (double)len;
        free(buf);
    }
    zmq_close(push);
}

struct pusher {
    void *zctx;
    const char *ep;
    struct frame *frames;
    int n;
    double rate, bytes;
};

static void *
push_thread(void *arg)
{
    struct pusher *p = arg;
    push_all(p->zctx, p->ep, p->frames, p->n, p->rate, &p->bytes);
    return NULL;
}

static int
cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* GET /readyz of the worker (wd_http_get, as `wiredesk stats`): true on a
 * 200 answer. */
static bool
ready(const char *hostport)
{
    int status = 0;
    char *body = NULL;
    size_t len;
    bool ok =
        wd_http_get(hostport, "/readyz", 1000, &status, &body, &len) == 0 &&
        status == 200;
    free(body);
    return ok;
}

/* The worker's own time a page (received to its articles handed over),
 * quantile q of its histogram wiredesk_page_processing_seconds: the upper
 * bound of the bucket that holds it, in ms (-1: not read). */
static double
processing_quantile(const char *metrics, double q)
{
    static const char name[] = "wiredesk_page_processing_seconds_bucket{le=\"";
    double total = 0;
    const char *p = strstr(metrics, "wiredesk_page_processing_seconds_count ");
    if (!p || (total = atof(
                   p + sizeof "wiredesk_page_processing_seconds_count")) <= 0)
        return -1;
    for (p = metrics; (p = strstr(p, name)) != NULL; p++) {
        const char *le = p + sizeof name - 1, *close = strstr(le, "\"} ");
        if (!close)
            break;
        if (atof(close + 3) >= q * total)
            return strncmp(le, "+Inf", 4) == 0 ? 1e9 : atof(le) * 1e3;
    }
    return -1;
}

struct run {
    double pps, mbps, aps, cpu_us, rss_mb, anon_mb, ready_ms;
    long articles;
    int64_t p50, p99, p999;
    double own_p50, own_p99; /* the worker's own time a page, ms */
};

static const char *threads; /* --threads of the worker, or NULL */

/* The worker's endpoints and the ceiling's, on ports free at start (below
 * the ephemeral range: a fixed port inside it was once taken by the
 * bench's own /readyz probe connecting to itself, and the TIME-WAIT it
 * left kept the next runs from binding). */
static char ingest_ep[64], publish_ep[64], http_addr[64], ceil_ep[64];

static void
pick_ports(void)
{
    int p[4];
    free_ports(4, p);
    snprintf(ingest_ep, sizeof ingest_ep, "tcp://127.0.0.1:%d", p[0]);
    snprintf(publish_ep, sizeof publish_ep, "tcp://127.0.0.1:%d", p[1]);
    snprintf(http_addr, sizeof http_addr, "127.0.0.1:%d", p[2]);
    snprintf(ceil_ep, sizeof ceil_ep, "tcp://127.0.0.1:%d", p[3]);
}

/* One run of the real worker (fresh state) on the frames, pushed as fast
 * as PUSH goes (rate 0) or paced at rate pages a second. */
static int
run_worker(const char *bin, const char *keep_state, void *zctx,
           struct frame *frames, int pages, double rate, struct run *r)
{
    char state[4096] = "/tmp/wd-pbench-XXXXXX";
    if (keep_state)
        snprintf(state, sizeof state, "%s", keep_state);
    else if (!mkdtemp(state))
        return 1;
    const char *argvw[] = {bin,
                           "run",
                           "--ingest",
                           ingest_ep,
                           "--publish",
                           publish_ep,
                           "--http",
                           http_addr,
                           "--state",
                           state,
                           "--stats-interval",
                           "200",
                           "--log-level",
                           "warn",
                           threads ? "--threads" : NULL,
                           threads,
                           NULL};
    pid_t worker;
    double t_spawn = now_s();
    if (posix_spawn(&worker, bin, NULL, NULL, (char **)argvw, environ) != 0) {
        perror("spawn");
        return 1;
    }
    /* Start-up: from spawn to /readyz answering 200. */
    while (!ready(http_addr) && now_s() - t_spawn < 30)
        usleep(1000);
    r->ready_ms = (now_s() - t_spawn) * 1e3;
    void *sub = zmq_socket(zctx, ZMQ_SUB);
    int hwm = 0;
    zmq_setsockopt(sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "all", 3);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "$stats", 6);
    zmq_connect(sub, publish_ep);
    /* Wait for the first $stats: connected and subscribed. */
    /* (A worker that could not start is said, not waited for.) */
    int rcvto = 500;
    zmq_setsockopt(sub, ZMQ_RCVTIMEO, &rcvto, sizeof rcvto);
    for (;;) {
        if (waitpid(worker, NULL, WNOHANG) == worker) {
            fprintf(stderr, "pipeline_bench: the worker exited at start\n");
            return 1;
        }
        char topic[16] = {0};
        int n = zmq_recv(sub, topic, sizeof topic - 1, 0);
        int more = 0;
        size_t sz = sizeof more;
        zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &sz);
        zmq_msg_t m;
        zmq_msg_init(&m);
        while (more) {
            zmq_msg_recv(&m, sub, 0);
            more = zmq_msg_more(&m);
        }
        zmq_msg_close(&m);
        if (n > 0 && strncmp(topic, "$stats", 6) == 0)
            break;
    }
    rcvto = 1000;
    zmq_setsockopt(sub, ZMQ_RCVTIMEO, &rcvto, sizeof rcvto);
    double cpu0 = cpu_seconds(worker);
    double t0 = now_s();
    /* Pushed from another thread while this one reads, so that an article
     * is timed when it arrives, not when the pushing is done. */
    struct pusher pu = {zctx, ingest_ep, frames, pages, rate, 0};
    pthread_t th;
    if (pthread_create(&th, NULL, push_thread, &pu) != 0)
        return 1;
    int64_t *lat = malloc((size_t)pages * 8 * sizeof *lat);
    long articles = 0, received = 0;
    double t_end = t0, t_progress = t0;
    long last_received = 0;
    while (received < pages) {
        zmq_msg_t t, b;
        zmq_msg_init(&t);
        zmq_msg_init(&b);
        if (zmq_msg_recv(&t, sub, 0) < 0) {
            zmq_msg_close(&t);
            zmq_msg_close(&b);
            /* No message for a second: the worker may have stopped. */
            if (waitpid(worker, NULL, WNOHANG) == worker ||
                now_s() - t_progress > 60) {
                fprintf(stderr,
                        "pipeline_bench: the worker %s at %ld of %d pages\n",
                        waitpid(worker, NULL, WNOHANG) == 0 ? "stalled"
                                                            : "exited",
                        received, pages);
                exit(1);
            }
            continue;
        }
        zmq_msg_recv(&b, sub, 0);
        bench_skip_frames(sub);
        int64_t now = wall_ms();
        if (zmq_msg_size(&t) == 3) {
            Wiredesk__V1__Article *a = wiredesk__v1__article__unpack(
                NULL, zmq_msg_size(&b), zmq_msg_data(&b));
            if (a && articles < (long)pages * 8)
                lat[articles++] = now - a->fetched_at_ms;
            if (a)
                wiredesk__v1__article__free_unpacked(a, NULL);
            t_end = now_s();
        } else {
            Wiredesk__V1__WorkerStats *ws = wiredesk__v1__worker_stats__unpack(
                NULL, zmq_msg_size(&b), zmq_msg_data(&b));
            if (ws) {
                received = (long)ws->pages_received;
                if (received > last_received)
                    last_received = received, t_progress = now_s();
                if (received >= pages)
                    t_end = t_end > t0 ? t_end : now_s();
                wiredesk__v1__worker_stats__free_unpacked(ws, NULL);
            }
        }
        zmq_msg_close(&t);
        zmq_msg_close(&b);
    }
    pthread_join(th, NULL);
    double bytes = pu.bytes;
    double dt = t_end - t0;
    double cpu = cpu_seconds(worker) - cpu0;
    long hwm_kb = proc_status_kb((int)worker, "VmHWM:");
    r->anon_mb = proc_status_kb((int)worker, "RssAnon:") / 1024.0;
    int status;
    char *metrics = NULL;
    size_t mlen;
    if (wd_http_get(http_addr, "/metrics", 2000, &status, &metrics, &mlen) ==
            0 &&
        status == 200) {
        r->own_p50 = processing_quantile(metrics, 0.50);
        r->own_p99 = processing_quantile(metrics, 0.99);
    } else {
        r->own_p50 = r->own_p99 = -1;
    }
    free(metrics);
    kill(worker, SIGTERM);
    waitpid(worker, NULL, 0);
    zmq_close(sub);
    qsort(lat, (size_t)articles, sizeof *lat, cmp_i64);
    r->pps = pages / dt;
    r->mbps = bytes / dt / 1e6;
    r->aps = articles / dt;
    r->articles = articles;
    r->cpu_us = cpu / pages * 1e6;
    r->rss_mb = hwm_kb / 1024.0;
    r->p50 = articles ? lat[articles / 2] : -1;
    r->p99 = articles ? lat[(long)(articles * 0.99)] : -1;
    r->p999 = articles ? lat[(long)(articles * 0.999)] : -1;
    free(lat);
    if (keep_state)
        return 0;
    return bench_remove_dir(state) != 0;
}

/* A story of an article page as the seeds' listings give one: its title
 * on a line, then its paragraphs (the page's long lines) on one line. */
static size_t
seed_story(char *out, size_t cap, const struct sg_page *pg)
{
    size_t n = (size_t)snprintf(out, cap, "\n%s\n", pg->items[0].title);
    bool first = true;
    for (const char *p = pg->text; p < pg->text + pg->len;) {
        const char *nl = memchr(p, '\n', (size_t)(pg->text + pg->len - p));
        size_t len = (size_t)((nl ? nl : pg->text + pg->len) - p);
        if (len > 120 && n + len + 1 < cap) {
            if (!first)
                out[n++] = ' ';
            memcpy(out + n, p, len);
            n += len;
            first = false;
        }
        p += len + 1;
    }
    return n < cap ? n : 0;
}

/* A page shaped as the client's seeds (tests/fixtures/seeds): a desk's
 * listing of about 20 KB, the site's chrome (a currency ticker, the date,
 * "Viewing results") above the full text of several stories. Frame i is
 * the seed's chrome and generated pages appended until the seed's size
 * (full_only: the stories of article pages, each as seed_story() writes
 * it, below the chrome without the seed's first title); a re-fetch
 * (refetch % of the frames) is an earlier frame again, its URL too, with
 * the ticker's figures changed. */
static void
seedlike_frame(struct sg *g, struct frame *frames, int i, int refetch,
               bool full_only)
{
    static char seed[1 << 16];
    static size_t seed_len, chrome_len, title_at;
    if (!seed_len) {
        FILE *f = fopen(WD_FIXTURES "/seeds/000_2965303afe5faa20.txt", "rb");
        seed_len = f ? fread(seed, 1, sizeof seed, f) : 0;
        if (f)
            fclose(f);
        /* The chrome: the lines above the first of a story's length. */
        for (const char *p = seed; p < seed + seed_len;) {
            const char *nl = memchr(p, '\n', (size_t)(seed + seed_len - p));
            size_t len = (size_t)((nl ? nl : seed + seed_len) - p);
            if (len > 200)
                break;
            title_at = chrome_len;
            p += len + 1;
            chrome_len = (size_t)(p - seed);
        }
    }
    size_t chrome = full_only ? title_at : chrome_len;
    struct frame *f = &frames[i];
    uint64_t r = bench_mix((uint64_t)i + 1);
    if (i > 0 && (int)(r % 100) < refetch) {
        const struct frame *old = &frames[(r >> 8) % (uint64_t)i];
        *f = *old;
        f->text = malloc(old->text_len);
        memcpy(f->text, old->text, old->text_len);
        /* The ticker moved since: its figures differ, the stories not. */
        for (size_t k = 0; k < chrome && k < f->text_len; k++)
            if (f->text[k] >= '0' && f->text[k] <= '9')
                f->text[k] = (char)('0' + (f->text[k] - '0' + i) % 10);
        return;
    }
    size_t cap = seed_len + (1 << 16), n = chrome;
    f->text = malloc(cap);
    memcpy(f->text, seed, chrome);
    while (n < seed_len) {
        struct sg_page pg;
        sg_next(g, &pg);
        if (full_only) {
            /* (A story in full: an article page's; a listing's are
             * teasers.) */
            if (pg.refetch || pg.n_items != 1 || pg.items[0].kind == SG_TEASER)
                continue;
            size_t k = seed_story(f->text + n, cap - n, &pg);
            if (!k)
                break;
            n += k;
            continue;
        }
        if (n + pg.len + 1 > cap)
            break;
        f->text[n++] = '\n';
        memcpy(f->text + n, pg.text, pg.len);
        n += pg.len;
    }
    f->text_len = n;
    snprintf(f->url, sizeof f->url, "https://desk.example/analysis/page-%d", i);
    f->content_type = NULL;
}

/* The bare transport: the frames pushed to a PULL that only counts them,
 * in a process of its own; its pages/s (0: a failure), *bytes pushed. */
static double
ceiling(void *zctx, struct frame *frames, int pages, double *bytes)
{
    int fds[2];
    if (pipe(fds) != 0)
        return 0;
    pid_t counter = fork();
    if (counter == 0) {
        void *ctx = zmq_ctx_new();
        void *pull = zmq_socket(ctx, ZMQ_PULL);
        zmq_bind(pull, ceil_ep);
        if (write(fds[1], "r", 1) != 1)
            _exit(1);
        zmq_msg_t m;
        zmq_msg_init(&m);
        double t0 = 0;
        for (int i = 0; i < pages; i++) {
            zmq_msg_recv(&m, pull, 0);
            if (i == 0)
                t0 = now_s();
        }
        double dt = now_s() - t0;
        if (write(fds[1], &dt, sizeof dt) != sizeof dt)
            _exit(1);
        _exit(0);
    }
    char c;
    double dt = 0;
    bool ok = counter > 0 && read(fds[0], &c, 1) == 1;
    if (ok) {
        push_all(zctx, ceil_ep, frames, pages, 0, bytes);
        ok = read(fds[0], &dt, sizeof dt) == sizeof dt && dt > 0;
    }
    if (counter > 0)
        waitpid(counter, NULL, 0);
    close(fds[0]);
    close(fds[1]);
    return ok ? pages / dt : 0;
}

/* --in-process: the frames through the functional core on this thread. */
struct inproc {
    struct frame *frames;
    int pages;
    double parse_cpu, finish_cpu;
    long published, messages;
    int rc;
};

static double
thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
count_message(void *ctx, const char *channel, const uint8_t *buf, size_t len)
{
    (void)channel;
    (void)buf;
    (void)len;
    ((struct inproc *)ctx)->messages++;
    return 0;
}

/* (On a thread of its own, as the worker parses: glibc's main arena would
 * trim itself after each page's large buffers, a thread's does not.) */
static void *
inproc_thread(void *arg)
{
    struct inproc *r = arg;
    char dir[] = "/tmp/wd-pbench-XXXXXX";
    struct wd_store store;
    struct wd_stats stats;
    struct wd_pipeline *p = NULL;
    memset(&stats, 0, sizeof stats);
    r->rc = 1;
    if (!mkdtemp(dir) || wd_store_open_lmdb(&store, dir, 4096) != 0)
        return NULL;
    struct wd_pipeline_config cfg = {.max_page_bytes = WD_DEFAULT_MAX_PAGE,
                                     .store = &store};
    if (wd_pipeline_new(&p, &cfg, &stats) == 0) {
        for (int i = 0; i < r->pages; i++) {
            uint8_t *buf;
            size_t len = pack(&r->frames[i], &buf);
            double t0 = thread_cpu_s();
            struct wd_prepared *pp =
                wd_prepared_get(p, buf, len, (int64_t)wall_ms());
            if (!pp)
                break;
            wd_pipeline_prepare(p, pp);
            double t1 = thread_cpu_s();
            struct wd_page_outcome o;
            wd_pipeline_finish(p, pp, count_message, r, &o);
            wd_prepared_put(p, pp);
            r->finish_cpu += thread_cpu_s() - t1;
            r->parse_cpu += t1 - t0;
            r->published += (long)o.published;
            free(buf);
        }
        r->rc = 0;
        wd_pipeline_free(p);
    }
    wd_store_close(&store);
    bench_remove_dir(dir);
    return NULL;
}

static int
in_process(struct frame *frames, int pages)
{
    struct inproc r = {frames, pages, 0, 0, 0, 0, 1};
    pthread_t th;
    if (pthread_create(&th, NULL, inproc_thread, &r) != 0)
        return 1;
    pthread_join(th, NULL);
    if (r.rc)
        return 1;
    printf("in process (one thread, no transport): CPU a page %.1f us: "
           "parse %.1f us, finish %.1f us; %ld articles, %ld messages\n",
           (r.parse_cpu + r.finish_cpu) / pages * 1e6,
           r.parse_cpu / pages * 1e6, r.finish_cpu / pages * 1e6, r.published,
           r.messages);
    return 0;
}

int
main(int argc, char **argv)
{
    int pages = 20000, refetch = 15, npos = 0;
    const char *bin = "build/wiredesk", *state = NULL;
    pick_ports();
    bool html = false, seedlike = false, seeds = false, inproc = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--html") == 0)
            html = true;
        else if (strcmp(argv[i], "--in-process") == 0)
            inproc = true;
        else if (strcmp(argv[i], "--refetch") == 0 && i + 1 < argc)
            refetch = atoi(argv[++i]);
        else if (strcmp(argv[i], "--state") == 0 && i + 1 < argc)
            state = argv[++i];
        else if (strcmp(argv[i], "--seedlike") == 0)
            seedlike = true;
        else if (strcmp(argv[i], "--seeds") == 0)
            seedlike = seeds = true;
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = argv[++i];
        else if (argv[i][0] == '-' || npos > 1)
            npos = 3; /* an option it does not know, or a third word */
        else if (npos++ == 0)
            pages = atoi(argv[i]);
        else
            bin = argv[i];
    }
    if (npos > 2 || pages <= 0 || refetch < 0 || refetch > 100) {
        fprintf(stderr, "usage: pipeline_bench [PAGES > 0] [WIREDESK] [--html] "
                        "[--seedlike | --seeds] [--refetch PCT] [--state DIR] "
                        "[--threads N] [--in-process]\n");
        return 2;
    }
    /* The stream, rendered once. */
    struct sg *g = bench_stream();
    sg_set_refetch(g, seedlike ? 0 : refetch);
    struct frame *frames = calloc((size_t)pages, sizeof *frames);
    double text_bytes = 0;
    for (int i = 0; i < pages; i++) {
        if (seedlike)
            seedlike_frame(g, frames, i, refetch, seeds);
        else {
            struct sg_page pg;
            sg_next(g, &pg);
            frame_of(&frames[i], &pg);
        }
        if (html)
            frame_to_html(&frames[i]);
        text_bytes += (double)frames[i].text_len;
    }
    sg_free(g);
    printf("stream: %d %s%s pages (%d %% re-fetches), %.1f MB of page "
           "text%s%s\n",
           pages,
           seeds      ? "seed-shaped "
           : seedlike ? "seed-like "
                      : "",
           html ? "HTML" : "text", refetch, text_bytes / 1e6,
           state ? "; state " : "", state ? state : "");
    if (inproc) {
        int rc = in_process(frames, pages);
        for (int i = 0; i < pages; i++)
            free(frames[i].text);
        free(frames);
        return rc;
    }

    /* The ceiling before the worker runs, and again after it (this
     * machine's transport swings by half from one minute to the next):
     * the ratio is to their mean. */
    void *zctx = zmq_ctx_new();
    double bytes, ceil_before = ceiling(zctx, frames, pages, &bytes);
    if (ceil_before <= 0)
        return 1;
    printf("ceiling (bare PULL): %.0f pages/s, %.1f MB/s\n", ceil_before,
           bytes * ceil_before / pages / 1e6);

    /* The worker at full speed, then paced at half that rate. */
    struct run full, half;
    if (run_worker(bin, state, zctx, frames, pages, 0, &full))
        return 1;
    printf("wiredesk: %.0f pages/s, %.1f MB/s, %.0f articles/s (%ld "
           "articles)\n",
           full.pps, full.mbps, full.aps, full.articles);
    printf("latency page-in to article-out at full speed: p50 %lld ms, p99 "
           "%lld ms, p99.9 %lld ms\n",
           (long long)full.p50, (long long)full.p99, (long long)full.p999);
    printf("worker CPU: %.1f us per page; peak RSS %.1f MB (anonymous %.1f "
           "MB); start-up to ready %.0f ms (%s)\n",
           full.cpu_us, full.rss_mb, full.anon_mb, full.ready_ms,
           state ? "the given state" : "empty store");
    double ceil_after = ceiling(zctx, frames, pages, &bytes);
    if (ceil_after <= 0)
        return 1;
    double ceil_pps = (ceil_before + ceil_after) / 2;
    printf("ceiling again, after the worker: %.0f pages/s\n", ceil_after);
    printf("ratio to the ceiling: %.2f (target >= 0.5; to the mean of the two "
           "ceilings, %.2f and %.2f to each)\n",
           full.pps / ceil_pps, full.pps / ceil_before, full.pps / ceil_after);
    if (state)
        return 0;
    if (run_worker(bin, state, zctx, frames, pages, full.pps / 2, &half))
        return 1;
    printf("at half that rate (%.0f pages/s offered): p50 %lld ms, p99 %lld "
           "ms, p99.9 %lld ms (target p99 <= 5 ms)\n",
           full.pps / 2, (long long)half.p50, (long long)half.p99,
           (long long)half.p999);
    printf("  of which the worker's own time a page (received to handed "
           "over; its histogram's bucket bounds): p50 <= %g ms, p99 <= %g "
           "ms\n",
           half.own_p50, half.own_p99);
    return 0;
}
