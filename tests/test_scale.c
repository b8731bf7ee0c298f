/* WD_TEST_LABEL: e2e */
/* Several workers, one memory: a real redis-server, three workers on it
 * (--store redis://), one `wiredesk proxy`. A duplicate-heavy stream spread
 * over the workers comes out once per story; Redis killed mid-stream and
 * started again loses no page and publishes no story twice. */
#include <sys/stat.h>

#include "gen.h"
#include "redis.h"
#include "wd/http.h"

#define N_WORKERS 3
#define DEADLINE_MS 60000

struct fleet {
    struct redis redis;
    pid_t proxy;
    char front[80], back[64], http[64], proxy_log[96];
    struct worker w[N_WORKERS];
    void *zctx, *sub, *push;
};

static void
fleet_start(struct fleet *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->redis.dir, sizeof f->redis.dir, "/tmp/wd-redis-XXXXXX");
    CHECK(mkdtemp(f->redis.dir) != NULL);
    int ports[4];
    free_ports(4, ports);
    f->redis.port = ports[0];
    redis_start(&f->redis);

    snprintf(f->front, sizeof f->front, "tcp://127.0.0.1:%d", ports[1]);
    snprintf(f->back, sizeof f->back, "tcp://127.0.0.1:%d", ports[2]);
    snprintf(f->http, sizeof f->http, "127.0.0.1:%d", ports[3]);
    snprintf(f->proxy_log, sizeof f->proxy_log, "%s/proxy.log", f->redis.dir);
    const char *pargv[] = {WD_BINARY, "proxy",     "--frontend",
                           f->front,  "--backend", f->back,
                           "--http",  f->http,     NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, f->proxy_log,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&f->proxy, WD_BINARY, &fa, NULL, (char **)pargv, environ)) {
        perror("proxy");
        exit(2);
    }
    posix_spawn_file_actions_destroy(&fa);
    /* The proxy's ports bound before the workers pick theirs: a port picked
     * free may otherwise be the one the proxy binds a moment later. */
    bool up = false;
    for (int64_t end = mono_ms() + DEADLINE_MS; !up && mono_ms() < end;) {
        int status = 0;
        char *body = NULL;
        size_t len;
        up =
            wd_http_get(f->http, "/healthz", 1000, &status, &body, &len) == 0 &&
            status == 200;
        free(body);
        if (!up)
            usleep(20000);
    }
    CHECK(up);

    char publish[96];
    snprintf(publish, sizeof publish, ">%s", f->front);
    const char *extra[] = {"--store", f->redis.url, "--publish", publish, NULL};
    for (int i = 0; i < N_WORKERS; i++)
        worker_start(&f->w[i], extra);
    watched = NULL; /* several workers: a death shows as missing articles */

    f->zctx = zmq_ctx_new();
    f->sub = zmq_socket(f->zctx, ZMQ_SUB);
    int hwm = 0, linger = 0;
    zmq_setsockopt(f->sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(f->sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(f->sub, ZMQ_SUBSCRIBE, "all", 3);
    zmq_setsockopt(f->sub, ZMQ_SUBSCRIBE, "$stats", 6);
    zmq_connect(f->sub, f->back);
    /* Every worker's $stats through the proxy: all are up and subscribed. */
    char seen[N_WORKERS][128] = {{0}};
    int n_seen = 0;
    struct msg m;
    for (int64_t end = mono_ms() + DEADLINE_MS;
         mono_ms() < end && n_seen < N_WORKERS;) {
        if (!recv_msg(f->sub, 100, &m))
            continue;
        Wiredesk__V1__WorkerStats *ws =
            strcmp(m.channel, "$stats") == 0
                ? wiredesk__v1__worker_stats__unpack(NULL, m.len, m.data)
                : NULL;
        if (ws) {
            bool known = false;
            for (int i = 0; i < n_seen; i++)
                known |= strcmp(seen[i], ws->worker) == 0;
            if (!known && n_seen < N_WORKERS)
                snprintf(seen[n_seen++], 128, "%s", ws->worker);
            wiredesk__v1__worker_stats__free_unpacked(ws, NULL);
        }
        free(m.data);
    }
    CHECK_INT(n_seen, ==, N_WORKERS);

    /* One PUSH socket connected to every worker: ZeroMQ spreads the pages
     * over them, so copies of a page land on different workers. */
    f->push = zmq_socket(f->zctx, ZMQ_PUSH);
    int nolimit = 0, wait = 10000;
    zmq_setsockopt(f->push, ZMQ_SNDHWM, &nolimit, sizeof nolimit);
    zmq_setsockopt(f->push, ZMQ_LINGER, &wait, sizeof wait);
    for (int i = 0; i < N_WORKERS; i++)
        zmq_connect(f->push, f->w[i].ingest);
    usleep(0);
}

static void
fleet_stop(struct fleet *f)
{
    for (int i = 0; i < N_WORKERS; i++)
        CHECK_INT(worker_stop(&f->w[i], WD_TEST_STOP_MS), ==, 0);
    kill(f->proxy, SIGTERM);
    waitpid(f->proxy, NULL, 0);
    redis_kill(&f->redis);
    zmq_close(f->push);
    zmq_close(f->sub);
    zmq_ctx_term(f->zctx);
    for (int i = 0; i < N_WORKERS; i++)
        worker_cleanup(&f->w[i]);
    remove_dir(f->redis.dir);
}

static void
push_story(struct fleet *f, int story)
{
    char page[2048];
    size_t len = make_page(story, page, sizeof page);
    uint8_t *frame;
    size_t fl =
        make_raw("https://scale.test/", "text/plain", page, len, &frame);
    push_frame(f->push, frame, fl);
    free(frame);
}

/* Receives one message within timeout_ms; an article on "all" counts for
 * its story (the number ending its title). Returns true when it was the
 * story's first. */
static bool
count_one(struct fleet *f, int timeout_ms, int *count, int n_stories)
{
    struct msg m;
    bool first = false;
    if (!recv_msg(f->sub, timeout_ms, &m))
        return false;
    Wiredesk__V1__Article *a =
        strcmp(m.channel, "all") == 0
            ? wiredesk__v1__article__unpack(NULL, m.len, m.data)
            : NULL;
    if (a) {
        const char *sp = strrchr(a->title, ' ');
        int story = sp ? atoi(sp + 1) : -1;
        if (story >= 0 && story < n_stories)
            first = count[story]++ == 0;
        wiredesk__v1__article__free_unpacked(a, NULL);
    }
    free(m.data);
    return first;
}

/* Counts articles per story until want distinct stories were seen, then a
 * little longer: anything published twice would come close behind. */
static void
collect(struct fleet *f, int *count, int n_stories, int want)
{
    int distinct = 0;
    for (int i = 0; i < n_stories; i++)
        distinct += count[i] > 0;
    for (int64_t end = mono_ms() + DEADLINE_MS;
         mono_ms() < end && distinct < want;)
        distinct += count_one(f, 100, count, n_stories);
    for (int64_t quiet = mono_ms() + 500; mono_ms() < quiet;)
        count_one(f, 50, count, n_stories);
}

static void
check_once(const int *count, int from, int to)
{
    int missing = 0, twice = 0;
    for (int i = from; i < to; i++) {
        missing += count[i] == 0;
        twice += count[i] > 1;
    }
    CHECK_INT(missing, ==, 0);
    CHECK_INT(twice, ==, 0);
}

/* 120 stories, each page pushed three times in a row: the copies go to
 * different workers, which claim the story in Redis; one publishes it. */
static void
test_duplicates_over_workers(void)
{
    enum { STORIES = 120 };
    struct fleet f;
    fleet_start(&f);
    for (int copy = 0; copy < 3; copy++)
        for (int i = 0; i < STORIES; i++)
            push_story(&f, i);
    static int count[STORIES];
    collect(&f, count, STORIES, STORIES);
    check_once(count, 0, STORIES);
    fleet_stop(&f);
}

/* Redis killed (-9) while pages flow, then started again on its files: the
 * workers hold and retry, nothing is lost, nothing published twice. */
static void
test_redis_restart(void)
{
    enum { STORIES = 90 };
    struct fleet f;
    fleet_start(&f);
    static int count[STORIES];
    for (int i = 0; i < STORIES / 3; i++)
        push_story(&f, i);
    collect(&f, count, STORIES, STORIES / 3);
    check_once(count, 0, STORIES / 3);

    redis_kill(&f.redis);
    /* While it is down: new stories, and copies of stories already out. */
    for (int i = STORIES / 3; i < 2 * STORIES / 3; i++)
        push_story(&f, i);
    for (int i = 0; i < 10; i++)
        push_story(&f, i);
    usleep(300000); /* let the workers find the store gone (not waited on) */
    redis_start(&f.redis);
    for (int i = 2 * STORIES / 3; i < STORIES; i++)
        push_story(&f, i);
    collect(&f, count, STORIES, STORIES);
    check_once(count, 0, STORIES);
    /* The workers did find the store gone, held their page and went on
     * when it came back (not a lucky gap between two pages). */
    int paused = 0, resumed = 0;
    for (int i = 0; i < N_WORKERS; i++) {
        size_t len;
        char *log = wd_test_slurp(f.w[i].log, &len);
        paused += log && strstr(log, "store unreachable: ingest paused");
        resumed += log && strstr(log, "store reachable again: ingest resumed");
        free(log);
    }
    CHECK(paused > 0);
    CHECK_INT(resumed, ==, paused);
    fleet_stop(&f);
}

int
main(void)
{
    RUN(test_duplicates_over_workers);
    RUN(test_redis_restart);
    return TEST_DONE();
}
