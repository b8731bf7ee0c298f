/* WD_TEST_LABEL: e2e */
/* SIGHUP reloads the tagger's data files while pages stream in: no page is
 * lost, the new taxonomy tags the pages after the reload, and a file with
 * an error is refused with its line while the data in force stays. */
#include <sys/stat.h>

#include "gen.h"
#include "worker.h"

#define BATCH 100
#define DEADLINE_MS 60000

static char data_dir[64];

static void
copy_file(const char *from, const char *to)
{
    size_t len;
    char *buf = wd_test_slurp(from, &len);
    FILE *f = fopen(to, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK(fwrite(buf, 1, len, f) == len);
        fclose(f);
    }
    free(buf);
}

/* The taxonomy in force plus extra lines, written whole and renamed into
 * place, as an operator's editor or deploy tool would. */
static void
write_taxonomy(const char *extra)
{
    char path[128], tmp[140];
    snprintf(path, sizeof path, "%s/taxonomy.tsv", data_dir);
    snprintf(tmp, sizeof tmp, "%s.new", path);
    size_t len;
    char *base = wd_test_slurp(WD_SOURCE "/data/taxonomy.tsv", &len);
    FILE *f = fopen(tmp, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(extra, f);
    fwrite(base, 1, len, f);
    fclose(f);
    free(base);
    CHECK(rename(tmp, path) == 0);
}

/* A distinct made-up story; with marker, the marker word is in its title
 * and its first paragraph. */
static void
push_story(void *push, int i, const char *marker)
{
    uint64_t rng = (uint64_t)i * 2654435761u + 7;
    char title[256], p1[1024], p2[1024], page[4096];
    sentence(&rng, title, sizeof title, 7);
    sentence(&rng, p1, sizeof p1, 40);
    sentence(&rng, p2, sizeof p2, 40);
    size_t n = (size_t)snprintf(
        page, sizeof page,
        "%s %s %d\nBy Jane Doe\n%s %s.\n%s.\n14 May 2024 09:%02d\n", title,
        marker, i, marker, p1, p2, i % 60);
    uint8_t *frame;
    size_t fl = make_raw("https://reload.test/", "text/plain", page, n, &frame);
    push_frame(push, frame, fl);
    free(frame);
}

struct seen {
    int all, marked;
    long long reloads, failures;
};

/* Reads until want articles were seen on "all", marked on the test's
 * theme, and the reload counters reach the given values (or the deadline
 * passes). */
static void
drain(void *sub, struct seen *s, int want, int marked, long long reloads,
      long long failures)
{
    int64_t end = mono_ms() + DEADLINE_MS;
    struct msg m;
    while (mono_ms() < end &&
           (s->all < want || s->marked < marked || s->reloads < reloads ||
            s->failures < failures)) {
        if (!recv_msg(sub, 100, &m))
            continue;
        if (strcmp(m.channel, "all") == 0) {
            s->all++;
        } else if (strcmp(m.channel, "theme.zz-reload") == 0) {
            s->marked++;
        } else if (strcmp(m.channel, "$stats") == 0) {
            Wiredesk__V1__WorkerStats *ws =
                wiredesk__v1__worker_stats__unpack(NULL, m.len, m.data);
            if (ws) {
                s->reloads = stat_value(ws, "tagger_reloads", NULL);
                s->failures = stat_value(ws, "tagger_reload_failures", NULL);
                wiredesk__v1__worker_stats__free_unpacked(ws, NULL);
            }
        }
        free(m.data);
    }
}

static bool
log_has(const struct worker *w, const char *needle)
{
    size_t len;
    char *log = wd_test_slurp(w->log, &len);
    bool found = log && strstr(log, needle) != NULL;
    free(log);
    return found;
}

static void
test_reload_under_load(void)
{
    snprintf(data_dir, sizeof data_dir, "/tmp/wd-data-XXXXXX");
    CHECK(mkdtemp(data_dir) != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/gazetteer.tsv", data_dir);
    copy_file(WD_SOURCE "/data/gazetteer.tsv", path);
    snprintf(path, sizeof path, "%s/gazetteer-extra.tsv", data_dir);
    copy_file(WD_SOURCE "/data/gazetteer-extra.tsv", path);
    write_taxonomy("");

    struct worker w;
    const char *extra[] = {"--data-dir", data_dir, NULL};
    worker_start(&w, extra);
    void *zctx = zmq_ctx_new();
    const char *channels[] = {"all", "theme.zz-reload", NULL};
    void *sub = subscriber(zctx, &w, channels);
    CHECK(wait_subscribed(sub, 30000));
    void *push = pusher(zctx, &w);
    struct seen s = {0};

    /* 1. Before the reload the marker word is nobody's theme. */
    for (int i = 0; i < BATCH; i++)
        push_story(push, i, "quokkafication");
    drain(sub, &s, BATCH, 0, 0, 0);
    CHECK_INT(s.all, ==, BATCH);
    CHECK_INT(s.marked, ==, 0);

    /* 2. A new theme, reloaded while a batch streams in. */
    write_taxonomy("@theme\tzz-reload\t-\treload test\n"
                   "quokkafication\tzz-reload\t5\n");
    for (int i = BATCH; i < 2 * BATCH; i++) {
        if (i == BATCH + BATCH / 4)
            kill(w.pid, SIGHUP);
        push_story(push, i, "plain");
    }
    drain(sub, &s, 2 * BATCH, 0, 1, 0);
    CHECK_INT(s.all, ==, 2 * BATCH); /* not a page lost */
    CHECK_INT(s.reloads, ==, 1);
    CHECK_INT(s.marked, ==, 0);

    /* 3. After it, the marker tags every story. */
    for (int i = 2 * BATCH; i < 3 * BATCH; i++)
        push_story(push, i, "quokkafication");
    drain(sub, &s, 3 * BATCH, BATCH, 1, 0);
    CHECK_INT(s.all, ==, 3 * BATCH);
    CHECK_INT(s.marked, ==, BATCH);

    /* 4. A file with an error is refused, with its line, and the theme in
     * force stays. */
    write_taxonomy("@theme\tzz-reload\t-\treload test\n"
                   "quokkafication\tzz-reload\t5\n"
                   "oops\tno-such-theme\t1\n");
    kill(w.pid, SIGHUP);
    drain(sub, &s, 3 * BATCH, BATCH, 1, 1);
    CHECK_INT(s.failures, ==, 1);
    CHECK_INT(s.reloads, ==, 1);
    CHECK(log_has(&w, "taxonomy.tsv:3: unknown theme 'no-such-theme'"));
    CHECK(log_has(&w, "the data in force stays"));
    for (int i = 3 * BATCH; i < 4 * BATCH; i++)
        push_story(push, i, "quokkafication");
    drain(sub, &s, 4 * BATCH, 2 * BATCH, 1, 1);
    CHECK_INT(s.all, ==, 4 * BATCH);
    CHECK_INT(s.marked, ==, 2 * BATCH);

    /* 5. A data file that is a FIFO (or a device) is refused at once, not
     * read until a writer comes: the reload fails, and a stop does not
     * wait behind it (before, SIGTERM hung). */
    snprintf(path, sizeof path, "%s/gazetteer-extra.tsv", data_dir);
    CHECK(unlink(path) == 0);
    CHECK(mkfifo(path, 0600) == 0);
    kill(w.pid, SIGHUP);
    drain(sub, &s, 4 * BATCH, 2 * BATCH, 1, 2);
    CHECK_INT(s.failures, ==, 2);
    CHECK(log_has(&w, "gazetteer-extra.tsv: not a regular file"));

    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    zmq_close(push);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
    remove_dir(data_dir);
}

int
main(void)
{
    RUN(test_reload_under_load);
    return TEST_DONE();
}
