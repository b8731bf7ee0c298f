/* WD_TEST_LABEL: e2e */
/* Sequence numbers and snapshots on real sockets: (a) a subscriber that
 * keeps up sees 1, 2, 3, ... on each channel, one epoch, and a restarted
 * worker a new epoch from 1; (b) a subscriber stopped while the worker's
 * per-subscriber queue (--pub-hwm) overflows: `wiredesk tail` reports the
 * gaps, and what it printed plus what it says it missed is everything;
 * (c) a late joiner: `wiredesk tail --catch-up N` prints the last N
 * articles from the snapshot service, then every new one, no gap, no
 * repeat. */
#include <jansson.h>

#include "gen.h"
#include "worker.h"

#define DEADLINE_MS 60000

/* A made-up story of about 5 KB (16 paragraphs), distinct for each i. */
static size_t
big_page(int i, char *buf, size_t cap)
{
    uint64_t rng = (uint64_t)i * 2654435761u + 7;
    size_t n = sentence(&rng, buf, cap, 7);
    n += (size_t)snprintf(buf + n, cap - n, " %d\nBy Jane Doe\n", i);
    for (int p = 0; p < 16 && n + 400 < cap; p++) {
        n += sentence(&rng, buf + n, cap - n, 40);
        n += (size_t)snprintf(buf + n, cap - n, ".\n");
    }
    return n;
}

static void
push_pages(void *push, int from, int to, bool big)
{
    static char page[8192];
    for (int i = from; i < to; i++) {
        size_t n = big ? big_page(i, page, sizeof page)
                       : make_page(i, page, sizeof page);
        push_page(push, "https://seq.test/", "text/plain", page, n);
    }
}

/* Checks that seqs[0..n) go up by one from seqs[0]. */
static bool
consecutive(const uint64_t *seqs, int n)
{
    for (int i = 1; i < n; i++)
        if (seqs[i] != seqs[i - 1] + 1) {
            fprintf(stderr, "seq %d: %llu after %llu\n", i,
                    (unsigned long long)seqs[i],
                    (unsigned long long)seqs[i - 1]);
            return false;
        }
    return true;
}

static void
test_sequence_numbers_without_gaps(void)
{
    struct worker w;
    worker_start(&w, NULL);
    void *zctx = zmq_ctx_new();
    const char *ch[] = {"all", "theme.", NULL};
    void *sub = subscriber(zctx, &w, ch);
    CHECK(wait_subscribed(sub, DEADLINE_MS));
    void *push = pusher(zctx, &w);
    push_pages(push, 0, 300, false);
    static struct collected c;
    CHECK(collect_until(sub, 300, &c, DEADLINE_MS));
    /* Every channel numbered from 1, one by one, under one epoch. */
    static uint64_t all[2048], theme[2048];
    int n_all = 0, n_theme = 0;
    uint64_t epoch = c.n ? c.m[0].epoch : 0;
    char theme_ch[64] = "";
    CHECK(epoch != 0);
    for (int i = 0; i < c.n; i++) {
        CHECK(c.m[i].epoch == epoch);
        if (strcmp(c.m[i].channel, "all") == 0)
            all[n_all++] = c.m[i].seq;
        else if (!theme_ch[0] || strcmp(c.m[i].channel, theme_ch) == 0) {
            snprintf(theme_ch, sizeof theme_ch, "%s", c.m[i].channel);
            theme[n_theme++] = c.m[i].seq;
        }
    }
    CHECK_INT(n_all, ==, 300);
    CHECK_INT(all[0], ==, 1);
    CHECK(consecutive(all, n_all));
    CHECK_INT(n_theme, >, 0);
    CHECK_INT(theme[0], ==, 1);
    CHECK(consecutive(theme, n_theme));
    collected_free(&c);
    /* $stats is a channel too. */
    uint64_t stats[3];
    int n_stats = 0;
    struct msg m;
    for (int64_t end = mono_ms() + DEADLINE_MS; n_stats < 3 && mono_ms() < end;)
        if (recv_msg(sub, 100, &m)) {
            if (strcmp(m.channel, "$stats") == 0) {
                CHECK(m.epoch == epoch);
                stats[n_stats++] = m.seq;
            }
            free(m.data);
        }
    CHECK_INT(n_stats, ==, 3);
    CHECK(stats[0] > 0 && consecutive(stats, n_stats));

    /* A restart: another epoch, numbers from 1 again. */
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    worker_spawn(&w, NULL);
    /* Subscribed to the new worker once its $stats (a new epoch) come. */
    bool restarted = false;
    for (int64_t end = mono_ms() + DEADLINE_MS; !restarted && mono_ms() < end;)
        if (recv_msg(sub, 100, &m)) {
            restarted = strcmp(m.channel, "$stats") == 0 && m.epoch != epoch;
            free(m.data);
        }
    CHECK(restarted);
    push_pages(push, 1000, 1001, false);
    bool seen = false;
    for (int64_t end = mono_ms() + DEADLINE_MS; !seen && mono_ms() < end;)
        if (recv_msg(sub, 100, &m)) {
            if (strcmp(m.channel, "all") == 0) {
                seen = true;
                CHECK(m.epoch != 0 && m.epoch != epoch);
                CHECK_INT(m.seq, ==, 1);
            }
            free(m.data);
        }
    CHECK(seen);
    zmq_close(push);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    worker_cleanup(&w);
}

/* Starts `wiredesk tail` with args, stdout and stderr to files in dir. */
static pid_t
spawn_tail(const char *dir, const char *const *args, char *out, char *err)
{
    sprintf(out, "%s/tail.out", dir);
    sprintf(err, "%s/tail.err", dir);
    const char *argv[24] = {WD_BINARY, "tail"};
    int argc = 2;
    for (int i = 0; args[i] && argc < 23; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    pid_t pid;
    int rc = posix_spawn(&pid, WD_BINARY, &fa, NULL, (char **)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

/* Lines of a file holding needle. */
static int
count_lines_with(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    static char line[1 << 16];
    int n = 0;
    while (f && fgets(line, sizeof line, f))
        n += strstr(line, needle) != NULL;
    if (f)
        fclose(f);
    return n;
}

/* Waits until the file has at least n lines holding needle. */
static bool
wait_lines(const char *path, const char *needle, int n, int deadline_ms)
{
    for (int64_t end = mono_ms() + deadline_ms; mono_ms() < end; usleep(20000))
        if (count_lines_with(path, needle) >= n)
            return true;
    return false;
}

/* The sequence numbers of the lines of channel in tail's output. */
static int
read_seqs(const char *path, const char *channel, uint64_t *seqs, int cap,
          char ids[][33])
{
    FILE *f = fopen(path, "r");
    static char line[1 << 16];
    int n = 0;
    while (f && n < cap && fgets(line, sizeof line, f)) {
        json_t *o = json_loads(line, 0, NULL);
        const char *ch = json_string_value(json_object_get(o, "channel"));
        if (ch && strcmp(ch, channel) == 0) {
            seqs[n] = (uint64_t)json_integer_value(json_object_get(o, "seq"));
            const char *id = json_string_value(json_object_get(o, "id"));
            if (ids)
                snprintf(ids[n], 33, "%s", id ? id : "");
            n++;
        }
        json_decref(o);
    }
    if (f)
        fclose(f);
    return n;
}

static void
test_tail_reports_gaps(void)
{
    struct worker w;
    const char *extra[] = {"--pub-hwm", "10", NULL};
    worker_start(&w, extra);
    void *zctx = zmq_ctx_new();
    void *sub = subscriber(zctx, &w, NULL);
    CHECK(wait_subscribed(sub, DEADLINE_MS));
    char out[512], err[512];
    const char *args[] = {"--endpoint", w.publish, "all", NULL};
    pid_t tail = spawn_tail(w.state, args, out, err);
    CHECK(tail > 0);
    /* Subscribed once the first story is out (pushed until it is); then
     * it stops reading. */
    void *push = pusher(zctx, &w);
    int first = 0;
    for (int64_t end = mono_ms() + DEADLINE_MS;
         first < 100 && mono_ms() < end && !count_lines_with(out, "\"all\"");
         first++)
        push_pages(push, first, first + 1, true), usleep(100000);
    CHECK(wait_lines(out, "\"channel\":\"all\"", 1, DEADLINE_MS));
    kill(tail, SIGSTOP);
    /* 3000 stories of 5 KB: far more than the socket buffers and the
     * worker's queue of 10 messages for this subscriber hold. */
    enum { PAGES = 3000 };
    push_pages(push, first, PAGES, true);
    static struct collected c;
    CHECK(collect_until(sub, PAGES, &c, DEADLINE_MS * 2));
    collected_free(&c);
    /* Going on: the messages dropped at the end show as a gap when the
     * next one comes, so stories are pushed until one comes through. */
    kill(tail, SIGCONT);
    static uint64_t seqs[PAGES + 1000];
    int last = PAGES, n = 0;
    for (int64_t end = mono_ms() + DEADLINE_MS; mono_ms() < end; last++) {
        n = read_seqs(out, "all", seqs, PAGES + 1000, NULL);
        if (n && seqs[n - 1] > PAGES)
            break;
        push_pages(push, last, last + 1, false);
        usleep(200000);
    }
    CHECK(n > 0 && seqs[n - 1] > PAGES);
    kill(tail, SIGTERM);
    CHECK_INT(proc_wait_exit(tail, DEADLINE_MS), ==, 0);
    /* Printed + reported missed = every message on "all". */
    n = read_seqs(out, "all", seqs, PAGES + 1000, NULL);
    CHECK_INT(n, >, 0);
    CHECK_INT(n, <, PAGES);
    FILE *f = fopen(err, "r");
    static char line[4096];
    unsigned long long missed = 0, gaps = 0, total_gaps = 0, a, b, k;
    bool summary = false;
    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line,
                   "wiredesk tail: gap on all: %llu missed (seq %llu -> "
                   "%llu)",
                   &k, &a, &b) == 3) {
            CHECK_INT(k, ==, b - a - 1);
            missed += k;
            gaps++;
        }
        unsigned long long m2;
        if (sscanf(line, "wiredesk tail: %llu gap%*[s], %llu message", &k,
                   &m2) == 2 ||
            sscanf(line, "wiredesk tail: %llu gap, %llu message", &k, &m2) ==
                2) {
            summary = true;
            total_gaps = k;
        }
    }
    if (f)
        fclose(f);
    CHECK_INT(gaps, >, 0);
    CHECK(summary);
    CHECK_INT(total_gaps, >=, gaps);
    CHECK_INT(seqs[n - 1], <=, last);
    CHECK_INT((unsigned long long)n + missed, ==, seqs[n - 1] - seqs[0] + 1);
    zmq_close(push);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    worker_cleanup(&w);
}

static void
test_catch_up_then_live(void)
{
    struct worker w;
    char snap[64];
    snprintf(snap, sizeof snap, "tcp://127.0.0.1:%d", free_port());
    const char *extra[] = {"--snapshot", snap, "--snapshot-depth", "50", NULL};
    worker_start(&w, extra);
    void *zctx = zmq_ctx_new();
    const char *ch[] = {"all", NULL};
    void *sub = subscriber(zctx, &w, ch);
    CHECK(wait_subscribed(sub, DEADLINE_MS));
    void *push = pusher(zctx, &w);
    enum { K = 80, N = 30, M = 40 };
    push_pages(push, 0, K, false);
    static struct collected c;
    CHECK(collect_until(sub, K, &c, DEADLINE_MS));
    static char before[K + M][33];
    int n_before = 0;
    for (int i = 0; i < c.n && n_before < K; i++)
        if (strcmp(c.m[i].channel, "all") == 0) {
            Wiredesk__V1__Article *a =
                wiredesk__v1__article__unpack(NULL, c.m[i].len, c.m[i].data);
            snprintf(before[n_before++], 33, "%s", a ? a->id : "");
            if (a)
                wiredesk__v1__article__free_unpacked(a, NULL);
        }
    CHECK_INT(n_before, ==, K);
    collected_free(&c);

    /* The late joiner: the last N of "all", then the live ones. "$stats"
     * too: a $stats line beyond the N it may catch up proves its
     * subscription reached the worker. */
    char out[512], err[512];
    const char *args[] = {"--endpoint", w.publish,    "--snapshot",
                          snap,         "--catch-up", "30",
                          "all",        "$stats",     NULL};
    pid_t tail = spawn_tail(w.state, args, out, err);
    CHECK(tail > 0);
    CHECK(wait_lines(out, "\"channel\":\"all\"", N, DEADLINE_MS));
    CHECK(wait_lines(out, "\"channel\":\"$stats\"", N + 1, DEADLINE_MS));
    push_pages(push, K, K + M, false);
    CHECK(wait_lines(out, "\"channel\":\"all\"", N + M, DEADLINE_MS));
    CHECK(collect_until(sub, K + M, &c, DEADLINE_MS));
    for (int i = 0; i < c.n; i++)
        if (strcmp(c.m[i].channel, "all") == 0 && n_before < K + M) {
            Wiredesk__V1__Article *a =
                wiredesk__v1__article__unpack(NULL, c.m[i].len, c.m[i].data);
            snprintf(before[n_before++], 33, "%s", a ? a->id : "");
            if (a)
                wiredesk__v1__article__free_unpacked(a, NULL);
        }
    collected_free(&c);
    kill(tail, SIGTERM);
    CHECK_INT(proc_wait_exit(tail, DEADLINE_MS), ==, 0);

    static uint64_t seqs[2 * (N + M)];
    static char ids[2 * (N + M)][33];
    int n = read_seqs(out, "all", seqs, 2 * (N + M), ids);
    CHECK_INT(n, ==, N + M);
    CHECK_INT(seqs[0], ==, K - N + 1);
    CHECK(consecutive(seqs, n));
    /* The same stories in the same order as a subscriber that saw all. */
    for (int i = 0; i < n && K - N + i < n_before; i++)
        CHECK_STR(ids[i], before[K - N + i]);
    CHECK_INT(count_lines_with(err, "gap on"), ==, 0);
    CHECK_INT(count_lines_with(err, "0 gaps, 0 messages missed"), ==, 1);
    zmq_close(push);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    worker_cleanup(&w);
}

int
main(void)
{
    RUN(test_sequence_numbers_without_gaps);
    RUN(test_tail_reports_gaps);
    RUN(test_catch_up_then_live);
    return TEST_DONE();
}
