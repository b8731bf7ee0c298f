/* WD_TEST_LABEL: e2e */
/* No accepted story is lost to a crash, even for a subscriber that lags.
 * 1 500 pages go to --ingest-ack and are answered `accepted` while a
 * subscriber reads almost nothing, so most of their messages wait in the
 * worker's PUB queue; the worker is killed with SIGKILL (those messages die
 * with it) and started again on the same state. The subscriber, seeing the
 * new run, asks the snapshot service to RESUME from the last message it
 * got: the journal, committed with the stories, gives back every one it
 * missed, in order, so that it ends with all 1 500 stories, each once. (Before
 * the journal, one such kill lost 2 425 of 4 378 accepted stories.) */
#include <fcntl.h>

#include "gen.h"
#include "wd/snapshot.h"
#include "worker.h"

#define PAGES 1500
#define DEADLINE_MS 30000

/* A long story (about 7 kB) of its own: a headline and twenty paragraphs of
 * made-up words. */
static void
long_story(int i, char *page, size_t cap)
{
    uint64_t rng = (uint64_t)i * 2654435761u + 99;
    size_t n = sentence(&rng, page, 200, 7);
    n += (size_t)snprintf(page + n, cap - n, " %d\n", i);
    for (int k = 0; k < 20 && n + 600 < cap; k++) {
        n += sentence(&rng, page + n, 500, 50);
        page[n++] = '.';
        page[n++] = '\n';
    }
    page[n] = '\0';
}

static char ids[2 * PAGES][40];
static int n_ids;
static int repeats;

static void
note_article(const uint8_t *data, size_t len)
{
    Wiredesk__V1__Article *a = wiredesk__v1__article__unpack(NULL, len, data);
    if (!a)
        return;
    for (int i = 0; i < n_ids; i++)
        if (strcmp(ids[i], a->id) == 0) {
            repeats++;
            wiredesk__v1__article__free_unpacked(a, NULL);
            return;
        }
    if (n_ids < 2 * PAGES)
        snprintf(ids[n_ids++], sizeof ids[0], "%s", a->id);
    wiredesk__v1__article__free_unpacked(a, NULL);
}

/* One RESUME request for "all" after (epoch, seq); the items are noted,
 * *epoch and *seq move to the last one. Returns the END's "more" flag, and
 * its "complete" flag in *complete; -1 on a refusal or no answer. */
static int
resume_once(void *dealer, uint64_t *epoch, uint64_t *seq, bool *complete)
{
    uint8_t e8[8], s8[8];
    wd_snapshot_put_u64(e8, *epoch);
    wd_snapshot_put_u64(s8, *seq);
    zmq_send(dealer, "RESUME", 6, ZMQ_SNDMORE);
    zmq_send(dealer, "all", 3, ZMQ_SNDMORE);
    zmq_send(dealer, e8, 8, ZMQ_SNDMORE);
    zmq_send(dealer, s8, 8, 0);
    int64_t end = mono_ms() + DEADLINE_MS;
    while (mono_ms() < end) {
        zmq_pollitem_t it = {dealer, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 200) <= 0)
            continue;
        zmq_msg_t f[8];
        int n = recv_frames(dealer, f, 8);
        int rc = -2;
        const char *kind = zmq_msg_data(&f[0]);
        size_t kl = zmq_msg_size(&f[0]);
        if (kl == 4 && memcmp(kind, "ITEM", 4) == 0 && n == 5) {
            note_article(zmq_msg_data(&f[2]), zmq_msg_size(&f[2]));
            *seq = frame_u64(&f[3]);
            *epoch = frame_u64(&f[4]);
        } else if (kl == 3 && memcmp(kind, "END", 3) == 0 && n == 7) {
            *complete = *(const uint8_t *)zmq_msg_data(&f[5]) == 1;
            rc = *(const uint8_t *)zmq_msg_data(&f[6]) == 1;
        } else {
            fprintf(stderr, "resume: %.*s %.*s (%d frames)\n", (int)kl, kind,
                    n > 1 ? (int)zmq_msg_size(&f[1]) : 0,
                    n > 1 ? (const char *)zmq_msg_data(&f[1]) : "", n);
            rc = -1;
        }
        for (int i = 0; i < n; i++)
            zmq_msg_close(&f[i]);
        if (rc != -2)
            return rc;
    }
    return -1;
}

static void
test_kill_with_lagging_subscriber(void)
{
    struct worker w;
    char ack_ep[64], snap_ep[64];
    snprintf(ack_ep, sizeof ack_ep, "tcp://127.0.0.1:%d", free_port());
    snprintf(snap_ep, sizeof snap_ep, "tcp://127.0.0.1:%d", free_port());
    const char *extra[] = {"--ingest-ack", ack_ep, "--snapshot", snap_ep, NULL};
    worker_start(&w, extra);
    void *zctx = zmq_ctx_new();
    /* A subscriber that takes little: a small queue of its own. */
    void *sub = small_subscriber(zctx, 10, true);
    CHECK_INT(zmq_connect(sub, w.publish), ==, 0);
    CHECK(wait_subscribed(sub, DEADLINE_MS));
    void *dealer = zmq_socket(zctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    CHECK_INT(zmq_connect(dealer, ack_ep), ==, 0);

    uint64_t last_epoch = 0, last_seq = 0;
    struct msg m;
    int accepted = 0;
    static char page[16384];
    for (int i = 0; i < PAGES; i++) {
        long_story(i, page, sizeof page);
        size_t n = strlen(page);
        uint8_t *frame;
        size_t fl =
            make_raw("https://journal.test/", "text/plain", page, n, &frame);
        char answer[64];
        if (ack_request(dealer, (uint64_t)i + 1, frame, fl, DEADLINE_MS, answer,
                        sizeof answer) &&
            strcmp(answer, "accepted") == 0)
            accepted++;
        free(frame);
        /* The subscriber reads one message in ten. */
        if (i % 10 == 0 && recv_msg(sub, 0, &m)) {
            if (strcmp(m.channel, "all") == 0) {
                note_article(m.data, m.len);
                last_epoch = m.epoch, last_seq = m.seq;
            }
            free(m.data);
        }
    }
    CHECK_INT(accepted, ==, PAGES);
    worker_kill9(&w);
    /* What reached the subscriber before the kill. */
    while (recv_msg(sub, 300, &m)) {
        if (strcmp(m.channel, "all") == 0) {
            note_article(m.data, m.len);
            last_epoch = m.epoch, last_seq = m.seq;
        }
        free(m.data);
    }
    int live = n_ids;
    CHECK(last_epoch != 0);
    CHECK(live < PAGES); /* the kill did lose messages on the way */

    worker_spawn(&w, extra);
    CHECK(wait_subscribed(sub, DEADLINE_MS)); /* the new run is up */
    void *snap = zmq_socket(zctx, ZMQ_DEALER);
    zmq_setsockopt(snap, ZMQ_LINGER, &linger, sizeof linger);
    CHECK_INT(zmq_connect(snap, snap_ep), ==, 0);
    bool complete = false;
    int more, rounds = 0;
    while ((more = resume_once(snap, &last_epoch, &last_seq, &complete)) == 1 &&
           rounds < 10)
        rounds++;
    fprintf(stderr,
            "%d pages accepted; the subscriber had %d stories at the kill, "
            "%d after resuming (%d seen twice)\n",
            accepted, live, n_ids, repeats);
    CHECK_INT(more, ==, 0);
    CHECK(complete);
    CHECK_INT(n_ids, ==, PAGES);
    CHECK_INT(repeats, ==, 0);

    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    zmq_close(snap);
    zmq_close(dealer);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
}

/* The distinct stories (by id) in tail's output file; *twice (may be NULL)
 * gets how many lines repeated one. */
static int
count_printed(const char *path, int *twice)
{
    size_t len;
    char *text = wd_test_slurp(path, &len);
    n_ids = 0, repeats = 0;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (!nl)
            break;
        *nl = '\0';
        char *id = strstr(line, "\"id\":\"");
        if (id) {
            id += 6;
            char *q = strchr(id, '"');
            if (q)
                *q = '\0';
            bool seen = false;
            for (int k = 0; k < n_ids && !seen; k++)
                seen = strcmp(ids[k], id) == 0;
            if (seen)
                repeats++;
            else if (n_ids < 2 * PAGES)
                snprintf(ids[n_ids++], sizeof ids[0], "%s", id);
        }
        line = nl + 1;
    }
    free(text);
    if (twice)
        *twice = repeats;
    return n_ids;
}

/* The same loss, seen by `wiredesk tail --resume`: stopped (SIGSTOP) while
 * the pages go out, so that most of them wait in the worker's queue when it
 * is killed; continued after the restart, it sees the new run on the next
 * message, resumes from the last it printed, and prints every story once. */
static void
test_tail_resume(void)
{
    enum { N = 800 };
    struct worker w;
    char ack_ep[64], snap_ep[64], out[320], err[320];
    snprintf(ack_ep, sizeof ack_ep, "tcp://127.0.0.1:%d", free_port());
    snprintf(snap_ep, sizeof snap_ep, "tcp://127.0.0.1:%d", free_port());
    const char *extra[] = {"--ingest-ack", ack_ep, "--snapshot", snap_ep, NULL};
    worker_start(&w, extra);
    snprintf(out, sizeof out, "%s/tail.out", w.state);
    snprintf(err, sizeof err, "%s/tail.err", w.state);
    pid_t tail;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    const char *argv[] = {
        WD_BINARY, "tail",       "--resume", "--snapshot",
        snap_ep,   "--endpoint", w.publish,  "--connect-timeout",
        "20000",   "all",        NULL};
    CHECK_INT(posix_spawn(&tail, WD_BINARY, &fa, NULL, (char **)argv, environ),
              ==, 0);
    posix_spawn_file_actions_destroy(&fa);
    void *zctx = zmq_ctx_new();
    void *dealer = zmq_socket(zctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    CHECK_INT(zmq_connect(dealer, ack_ep), ==, 0);
    static char page[16384];
    uint64_t req = 1;
    /* One page until tail prints it: it is connected. */
    int64_t end = mono_ms() + DEADLINE_MS;
    size_t printed = 0;
    for (int i = 0; printed == 0 && mono_ms() < end; i++) {
        long_story(100000 + i, page, sizeof page);
        char answer[64];
        uint8_t *frame;
        size_t fl = make_raw("https://journal.test/", "text/plain", page,
                             strlen(page), &frame);
        ack_request(dealer, req++, frame, fl, DEADLINE_MS, answer,
                    sizeof answer);
        free(frame);
        usleep(200000);
        char *text = wd_test_slurp(out, &printed);
        free(text);
    }
    CHECK(printed > 0);
    /* What tail has once it settled: a page sent before it subscribed is
     * not its to miss (it never had a message to resume from). */
    usleep(1000000);
    int sent = count_printed(out, NULL);
    kill(tail, SIGSTOP);
    for (int i = 0; i < N; i++) {
        long_story(200000 + i, page, sizeof page);
        char answer[64];
        uint8_t *frame;
        size_t fl = make_raw("https://journal.test/", "text/plain", page,
                             strlen(page), &frame);
        CHECK(ack_request(dealer, req++, frame, fl, DEADLINE_MS, answer,
                          sizeof answer));
        free(frame);
        sent++;
    }
    worker_kill9(&w);
    worker_spawn(&w, extra);
    kill(tail, SIGCONT);
    /* The next story shows tail the new run. */
    long_story(300000, page, sizeof page);
    char answer[64];
    uint8_t *frame;
    size_t fl = make_raw("https://journal.test/", "text/plain", page,
                         strlen(page), &frame);
    CHECK(ack_request(dealer, req++, frame, fl, DEADLINE_MS, answer,
                      sizeof answer));
    free(frame);
    sent++;
    /* Until tail printed every story (or the deadline). */
    int distinct = 0, twice = 0;
    end = mono_ms() + DEADLINE_MS;
    while (mono_ms() < end) {
        distinct = count_printed(out, &twice);
        if (distinct >= sent)
            break;
        usleep(200000);
    }
    kill(tail, SIGTERM);
    int status;
    waitpid(tail, &status, 0);
    size_t elen;
    char *etext = wd_test_slurp(err, &elen);
    const char *r = etext ? strstr(etext, "missed messages resumed") : NULL;
    fprintf(stderr, "tail printed %d stories of %d sent (%d twice); %s\n",
            distinct, sent, twice, r ? "it resumed" : "no resume said");
    if (etext && !r)
        fprintf(stderr, "tail's stderr:\n%s\n", etext);
    CHECK(r != NULL);
    CHECK_INT(distinct, ==, sent);
    CHECK_INT(twice, ==, 0);
    free(etext);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    zmq_close(dealer);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
}

int
main(void)
{
    RUN(test_kill_with_lagging_subscriber);
    RUN(test_tail_resume);
    return TEST_DONE();
}
