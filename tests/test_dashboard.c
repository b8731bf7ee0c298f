/* WD_TEST_LABEL: e2e */
/* The live dashboard in a real headless Chromium: while a pusher keeps
 * sending pages, tests/browser/dashboard.mjs (playwright-core driving
 * Debian's chromium) loads GET /, checks that the figures move, and saves a
 * screenshot (build/dashboard.png). */
#include <fcntl.h>

#include "gen.h"
#include "worker.h"

static void
test_dashboard_in_chromium(void)
{
    struct worker w;
    worker_start(&w, NULL);
    void *zctx = zmq_ctx_new();
    const char *ch[] = {"all", NULL};
    void *sub = subscriber(zctx, &w, ch);
    CHECK(wait_subscribed(sub, 20000));
    zmq_close(sub);

    /* The pusher: the seeds, then a distinct page every 100 ms. */
    pid_t pusher_pid = fork();
    if (pusher_pid == 0) {
        void *ctx = zmq_ctx_new();
        void *push = pusher(ctx, &w);
        for (int i = 0; i < N_SEEDS; i++) {
            size_t len;
            char *buf = read_seed(seed_files[i], &len);
            push_page(push, seed_files[i], "text/plain", buf, len);
            free(buf);
        }
        char page[2048];
        for (int i = 0; i < 600; i++) {
            size_t n = make_page(i, page, sizeof page);
            push_page(push, "https://dash.test/", "text/plain", page, n);
            usleep(100000);
        }
        _exit(0);
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "node " WD_SOURCE "/tests/browser/dashboard.mjs %s "
             "dashboard.png",
             w.http);
    int rc = system(cmd);
    CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
    kill(pusher_pid, SIGKILL);
    waitpid(pusher_pid, NULL, 0);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
}

int
main(void)
{
    signal(SIGPIPE, SIG_IGN);
    RUN(test_dashboard_in_chromium);
    return TEST_DONE();
}
