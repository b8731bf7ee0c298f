/* WD_TEST_LABEL: e2e */
/* The command line as a user meets it: help, usage errors, unreachable
 * endpoints, and `push` + `tail` against a running worker. */
#include <fcntl.h>
#include <sys/stat.h>
#include <jansson.h>

#include "worker.h"

/* Starts argv with its stdout on a pipe; returns the read end as a FILE. */
static FILE *
spawn_reader(const char *const *argv, pid_t *pid)
{
    int fds[2];
    if (pipe(fds) != 0)
        return NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    int rc = posix_spawn(pid, argv[0], &fa, NULL, (char **)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return NULL;
    }
    return fdopen(fds[0], "r");
}

static int
count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void
test_help(void)
{
    static char out[8192];
    CHECK_INT(run_cmd(WD_BINARY " --help", out, sizeof out), ==, 0);
    CHECK_CONTAINS(out, "usage: wiredesk COMMAND");
    const char *cmds[] = {"run", "push", "tail", "proxy"};
    for (int i = 0; i < 4; i++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, WD_BINARY " %s --help", cmds[i]);
        CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 0);
        CHECK_CONTAINS(out, "usage: wiredesk");
        CHECK_CONTAINS(out, cmds[i]);
    }
}

static void
test_usage_errors(void)
{
    static char out[8192];
    const char *bad[] = {
        WD_BINARY " run --bogus",
        WD_BINARY " run --ingest not-an-endpoint",
        WD_BINARY " run --publish tcp://",
        WD_BINARY " run --publish tcp://127.0.0.1:70000",
        WD_BINARY " run --publish tcp://127.0.0.1",
        WD_BINARY " run --ingest tcp://127.0.0.1:0",
        WD_BINARY " run --http nohostport",
        WD_BINARY " run --max-page-bytes -5",
        WD_BINARY " push --endpoint nonsense x",
        WD_BINARY " push",
        WD_BINARY " run --ingest-ack nowhere",
        WD_BINARY " tail --frobnicate",
        WD_BINARY " tail --snapshot nowhere",
        WD_BINARY " proxy --frontend nowhere",
        WD_BINARY " proxy --http nohostport",
        WD_BINARY " nosuchcommand",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT(run_cmd(bad[i], out, sizeof out), ==, 2);
        CHECK_INT(count_lines(out), ==, 1);
        CHECK_CONTAINS(out, "wiredesk");
    }
}

/* Flags beat the environment, which beats the configuration file; a bad
 * line of the file is one line on stderr, with the file and line, exit 2.
 * (Invalid endpoints make each source's value visible without starting a
 * worker.) */
static void
test_config_precedence(void)
{
    static char out[8192];
    char dir[] = "/tmp/wd-cli-conf-XXXXXX", conf[64], cmd[512];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(conf, sizeof conf, "%s/wd.conf", dir);
    FILE *f = fopen(conf, "w");
    CHECK(f != NULL);
    fputs("# settings\ningest = from-file   # a comment\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, WD_BINARY " run --config %s", conf);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 2);
    CHECK_CONTAINS(out, "'from-file'");
    snprintf(cmd, sizeof cmd,
             "WIREDESK_INGEST=from-env " WD_BINARY " run --config %s", conf);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 2);
    CHECK_CONTAINS(out, "'from-env'");
    snprintf(cmd, sizeof cmd,
             "WIREDESK_CONFIG=%s WIREDESK_INGEST=from-env " WD_BINARY
             " run --ingest from-flag",
             conf);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 2);
    CHECK_CONTAINS(out, "'from-flag'");
    /* --print-config: the settings in force, each from where it won, as a
     * file the worker reads back. */
    f = fopen(conf, "w");
    CHECK(f != NULL);
    fputs("pub-hwm = 11\ningest-hwm = 12\nsnapshot-depth = 13\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "WIREDESK_INGEST_HWM=22 WIREDESK_SNAPSHOT_DEPTH=23 " WD_BINARY
             " run --config %s --snapshot-depth 33 --print-config",
             conf);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 0);
    CHECK_CONTAINS(out, "\npub-hwm = 11\n");
    CHECK_CONTAINS(out, "\ningest-hwm = 22\n");
    CHECK_CONTAINS(out, "\nsnapshot-depth = 33\n");
    CHECK_CONTAINS(out, "\nmax-stories = 10000000\n"); /* a default */
    CHECK_CONTAINS(out, "# snapshot = (off");          /* none */
    f = fopen(conf, "w");
    CHECK(f != NULL);
    fputs(out, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, WD_BINARY " run --config %s --print-config",
             conf);
    static char again[8192];
    CHECK_INT(run_cmd(cmd, again, sizeof again), ==, 0);
    CHECK_STR(again, out);
    /* A bad value says where it came from: the file and its line, or the
     * environment variable (before: only "bad --pub-hwm"). */
    f = fopen(conf, "w");
    CHECK(f != NULL);
    fputs("# settings\npub-hwm = many\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, WD_BINARY " run --config %s --print-config",
             conf);
    CHECK_INT(run_cmd(cmd, again, sizeof again), ==, 2);
    CHECK_CONTAINS(again, "wd.conf:2: bad --pub-hwm 'many'");
    CHECK_INT(count_lines(again), ==, 1);
    CHECK_INT(run_cmd("WIREDESK_INGEST_HWM=lots " WD_BINARY
                      " run --print-config",
                      again, sizeof again),
              ==, 2);
    CHECK_CONTAINS(again, "$WIREDESK_INGEST_HWM: bad --ingest-hwm 'lots'");
    /* More stories than the LMDB store's look-ups can name: refused, with
     * the limit; the same number on Redis is taken. */
    CHECK_INT(run_cmd(WD_BINARY " run --max-stories 16777215 --print-config",
                      again, sizeof again),
              ==, 2);
    CHECK_CONTAINS(again, "at most 16777214 with the LMDB store");
    CHECK_INT(run_cmd(WD_BINARY " run --max-stories 16777214 --print-config",
                      again, sizeof again),
              ==, 0);
    CHECK_INT(run_cmd(WD_BINARY " run --max-stories 16777215 --store "
                                "redis://127.0.0.1:1 --print-config",
                      again, sizeof again),
              ==, 0);
    /* A bad value is refused even with --print-config. */
    CHECK_INT(run_cmd(WD_BINARY " run --pub-hwm x --print-config", again,
                      sizeof again),
              ==, 2);
    /* A line that is wrong: the file and the line. */
    f = fopen(conf, "w");
    CHECK(f != NULL);
    fputs("state = /tmp/x\nfrobnicate = yes\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, WD_BINARY " run --config %s", conf);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 2);
    CHECK_CONTAINS(out, "wd.conf:2: unknown setting 'frobnicate'");
    CHECK_INT(count_lines(out), ==, 1);
    snprintf(cmd, sizeof cmd, WD_BINARY " run --config %s/missing.conf", dir);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 2);
    CHECK_CONTAINS(out, "missing.conf");
    CHECK_INT(count_lines(out), ==, 1);
    unlink(conf);
    rmdir(dir);
}

static void
test_unreachable(void)
{
    static char out[8192];
    char cmd[512];
    int port = free_port();
    snprintf(cmd, sizeof cmd,
             WD_BINARY
             " push --endpoint tcp://127.0.0.1:%d --timeout 300 " WD_FIXTURES
             "/seeds/004_5a5ebf73775bfc62.txt",
             port);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 1);
    CHECK_CONTAINS(out, "cannot reach");
    CHECK_INT(count_lines(out), ==, 1);
    snprintf(cmd, sizeof cmd,
             WD_BINARY " tail --endpoint tcp://127.0.0.1:%d "
                       "--connect-timeout 300",
             port);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 1);
    CHECK_CONTAINS(out, "no handshake with");
    CHECK_INT(count_lines(out), ==, 1);
    /* A bind that cannot work: an address that is not this machine's (the
     * other endpoints on ports picked here: a worker running on the
     * default ones must not change the outcome). */
    int own[2];
    free_ports(2, own);
    snprintf(cmd, sizeof cmd,
             WD_BINARY " run --state /tmp/wd-cli-unbindable "
                       "--ingest tcp://192.0.2.1:%d --publish "
                       "tcp://127.0.0.1:%d --http 127.0.0.1:%d",
             port, own[0], own[1]);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 1);
    CHECK_CONTAINS(out, "cannot bind ingest endpoint");
    /* An HTTP address that is taken: one line, exit 1, no hang. */
    int taken_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t slen = sizeof sa;
    CHECK(bind(taken_fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
          listen(taken_fd, 1) == 0 &&
          getsockname(taken_fd, (struct sockaddr *)&sa, &slen) == 0);
    int ports[2];
    free_ports(2, ports);
    snprintf(cmd, sizeof cmd,
             "timeout 20 " WD_BINARY " run --state /tmp/wd-cli-unbindable "
             "--ingest tcp://127.0.0.1:%d --publish tcp://127.0.0.1:%d "
             "--http 127.0.0.1:%d",
             ports[0], ports[1], ntohs(sa.sin_port));
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 1);
    CHECK_CONTAINS(out, "cannot serve HTTP");
    /* A start that failed (the bind above too) published nothing: it leaves
     * the state as clean as it found it, so nothing is republished next
     * time (before: "the last run did not stop cleanly"). */
    CHECK_NOT_CONTAINS(out, "did not stop cleanly");
    CHECK(access("/tmp/wd-cli-unbindable/clean-stop", F_OK) == 0);
    close(taken_fd);
    CHECK(system("rm -rf /tmp/wd-cli-unbindable") == 0);
}

static void
test_push_and_tail(void)
{
    struct worker w;
    worker_start(&w, NULL);
    char cmd[1024];
    /* tail also follows "$stats": its first stats line proves it is
     * subscribed before anything is pushed. */
    const char *tail_argv[] = {WD_BINARY, "tail",   "--endpoint", w.publish,
                               "all",     "$stats", NULL};
    pid_t tail_pid;
    FILE *tail = spawn_reader(tail_argv, &tail_pid);
    CHECK(tail != NULL);
    if (!tail)
        return;
    static char line[1 << 20];
    bool subscribed = false;
    while (!subscribed && fgets(line, sizeof line, tail))
        subscribed = strstr(line, "\"channel\":\"$stats\"") != NULL;
    CHECK(subscribed);

    static char out[8192];
    snprintf(cmd, sizeof cmd,
             WD_BINARY " push --endpoint %s " WD_FIXTURES "/seeds/*.txt",
             w.ingest);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 0);
    CHECK_CONTAINS(out, "sent 5 pages");

    int articles = 0;
    bool author_seen = false;
    while (articles < 24 && fgets(line, sizeof line, tail)) {
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        CHECK(o != NULL);
        if (!o)
            continue;
        const char *ch = json_string_value(json_object_get(o, "channel"));
        if (ch && strcmp(ch, "all") == 0) {
            articles++;
            CHECK(json_string_length(json_object_get(o, "title")) > 0);
            CHECK(json_string_length(json_object_get(o, "id")) == 32);
            CHECK(json_is_array(json_object_get(o, "countries")));
            const char *author =
                json_string_value(json_object_get(o, "author"));
            author_seen |= author && strcmp(author, "Irina Khalturina") == 0;
        }
        json_decref(o);
    }
    CHECK_INT(articles, ==, 24);
    CHECK(author_seen);
    /* tail stops cleanly on SIGTERM. */
    kill(tail_pid, SIGTERM);
    int st;
    CHECK_INT(waitpid(tail_pid, &st, 0), ==, tail_pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    fclose(tail);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    worker_cleanup(&w);
}

static void
test_state_locked(void)
{
    struct worker w;
    worker_start(&w, NULL);
    /* Wait until the first worker holds the lock: its log says ready. */
    int64_t end = mono_ms() + 10000;
    bool ready = false;
    while (!ready && mono_ms() < end) {
        size_t len;
        char *log = wd_test_slurp(w.log, &len);
        ready = strstr(log, "ready:") != NULL;
        free(log);
        if (!ready)
            usleep(20000);
    }
    CHECK(ready);
    static char out[8192];
    char cmd[1024];
    int ports[2];
    free_ports(2, ports);
    snprintf(cmd, sizeof cmd,
             WD_BINARY " run --state %s --ingest tcp://127.0.0.1:%d "
                       "--publish tcp://127.0.0.1:%d",
             w.state, ports[0], ports[1]);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 1);
    CHECK_CONTAINS(out, "in use by another worker");
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    worker_cleanup(&w);
}

/* --log-format json: every line one JSON object; rejects are logged. */
static void
test_json_logs(void)
{
    struct worker w;
    const char *extra[] = {"--log-format", "json", "--log-level", "debug",
                           NULL};
    worker_start(&w, extra);
    void *zctx = zmq_ctx_new();
    const char *ch[] = {"all", NULL};
    void *sub = subscriber(zctx, &w, ch);
    CHECK(wait_subscribed(sub, 20000));
    void *push = pusher(zctx, &w);
    const char *story = "Ferry service resumes\n\nThe island ferry resumed "
                        "service on Tuesday after the storm, the operator "
                        "said, and the first crossing was full.\n";
    push_page(push, "https://twice.test/1", "text/plain", story, strlen(story));
    const char *again = "Island ferry back after the storm\n\nThe island "
                        "ferry resumed service on Tuesday after the storm, the "
                        "operator said, and the first crossing was full.\n";
    push_page(push, "https://twice.test/2", "text/plain", again, strlen(again));
    push_page(push, "https://empty.test/", "text/plain", "", 0);
    /* The reject is counted before the next $stats message goes out. */
    int64_t end = mono_ms() + 20000;
    bool counted = false;
    struct msg m;
    while (!counted && mono_ms() < end) {
        if (!recv_msg(sub, 100, &m))
            continue;
        if (strcmp(m.channel, "$stats") == 0) {
            Wiredesk__V1__WorkerStats *ws =
                wiredesk__v1__worker_stats__unpack(NULL, m.len, m.data);
            counted = ws && ws->pages_rejected == 1;
            if (ws)
                wiredesk__v1__worker_stats__free_unpacked(ws, NULL);
        }
        free(m.data);
    }
    CHECK(counted);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    size_t len;
    char *log = wd_test_slurp(w.log, &len);
    int lines = 0, reject_lines = 0, page_lines = 0, dropped_lines = 0;
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        CHECK(o != NULL);
        if (!o) {
            fprintf(stderr, "not JSON: %s\n", line);
            continue;
        }
        lines++;
        CHECK(json_is_string(json_object_get(o, "ts")));
        CHECK(json_is_string(json_object_get(o, "level")));
        const char *ev = json_string_value(json_object_get(o, "event"));
        const char *reason = json_string_value(json_object_get(o, "reason"));
        const char *url = json_string_value(json_object_get(o, "url"));
        /* Named fields, not a line of text in "msg". */
        reject_lines += ev && strcmp(ev, "page_rejected") == 0 && reason &&
                        strcmp(reason, "empty_body") == 0 && url &&
                        strcmp(url, "https://empty.test/") == 0;
        /* At debug level: each page's outcome, and why a story was
         * dropped, with the story it copies. */
        page_lines += ev && strcmp(ev, "page") == 0 && url &&
                      strcmp(url, "https://twice.test/2") == 0 &&
                      json_is_integer(json_object_get(o, "duplicates"));
        const char *mid = json_string_value(json_object_get(o, "matched_id"));
        dropped_lines += ev && strcmp(ev, "dropped") == 0 && reason &&
                         *reason && mid && strlen(mid) == 32;
        json_decref(o);
    }
    free(log);
    CHECK_INT(lines, >=, 3);
    CHECK_INT(reject_lines, ==, 1);
    CHECK_INT(page_lines, ==, 1);
    CHECK(dropped_lines >= 1);
    zmq_close(push);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
}

/* tail says at once what cannot work: a subscription no channel starts
 * with (exit 2, one line each), and an endpoint that accepts the connection
 * but is no PUB socket (a worker's ingest port: the handshake fails) gives
 * up within --connect-timeout with one line (before: it waited for ever). */
static void
test_tail_says_why(void)
{
    static char out[8192];
    const char *bad[] = {"'theme.*'", "country.kz", "foo", "''"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd,
                 "timeout 20 " WD_BINARY " tail --connect-timeout 300 %s",
                 bad[i]);
        CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 2);
        CHECK_INT(count_lines(out), ==, 1);
        CHECK_CONTAINS(out, "wiredesk tail:");
    }
    struct worker w;
    worker_start(&w, NULL);
    int64_t end = mono_ms() + 10000;
    bool ready = false;
    while (!ready && mono_ms() < end) { /* its log says ready */
        size_t len;
        char *log = wd_test_slurp(w.log, &len);
        ready = log && strstr(log, "ready:") != NULL;
        free(log);
        if (!ready)
            usleep(20000);
    }
    CHECK(ready);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "timeout 30 " WD_BINARY " tail --endpoint %s --connect-timeout "
             "2000",
             w.ingest);
    int64_t t0 = mono_ms();
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 1);
    CHECK(mono_ms() - t0 < 20000); /* not the outer timeout's 30 s */
    CHECK_INT(count_lines(out), ==, 1);
    CHECK(strstr(out, "handshake") != NULL);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    worker_cleanup(&w);
}

/* push --ack goes through the whole batch: a page refused, and a path
 * that is no file, are said and counted, the files after them are still
 * sent and answered, and the exit status says that not all were taken
 * (before: it stopped at the first refusal). */
static void
test_push_ack_batch(void)
{
    struct worker w;
    char ack_ep[64];
    snprintf(ack_ep, sizeof ack_ep, "tcp://127.0.0.1:%d", free_port());
    const char *extra[] = {"--ingest-ack", ack_ep, NULL};
    worker_start(&w, extra);
    char dir[] = "/tmp/wd-cli-batch-XXXXXX", path[128];
    CHECK(mkdtemp(dir) != NULL);
    const char *texts[] = {
        "Harbour reopens after the storm\n\nThe northern harbour reopened on "
        "Tuesday after the storm passed, and the first ships came in.\n",
        "",
        "Council passes the budget\n\nThe city council passed the budget on "
        "Wednesday after a long debate about schools and roads.\n"};
    const char *names[] = {"a-good.txt", "b-empty.txt", "d-good.txt"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "w");
        CHECK(f != NULL);
        if (f) {
            fputs(texts[i], f);
            fclose(f);
        }
    }
    snprintf(path, sizeof path, "%s/c-dir", dir);
    CHECK(mkdir(path, 0700) == 0);
    char cmd[1024];
    static char out[8192];
    snprintf(cmd, sizeof cmd,
             "timeout 60 " WD_BINARY " push --ack --endpoint %s %s/a-good.txt "
             "%s/b-empty.txt %s/c-dir %s/d-good.txt",
             ack_ep, dir, dir, dir, dir);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 1);
    CHECK_CONTAINS(out, "a-good.txt: accepted");
    CHECK_CONTAINS(out, "b-empty.txt: rejected:empty_body");
    CHECK_CONTAINS(out, "c-dir: not a regular file");
    CHECK_CONTAINS(out, "d-good.txt: accepted");
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    worker_cleanup(&w);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

/* run --check: the settings checked as a start would, without starting:
 * good ones exit 0; a data directory without the data files and an
 * endpoint whose port is taken exit 1, each said. */
static void
test_run_check(void)
{
    static char out[8192];
    char cmd[1024], state[] = "/tmp/wd-cli-check-XXXXXX";
    CHECK(mkdtemp(state) != NULL);
    int ports[4];
    free_ports(4, ports);
    snprintf(cmd, sizeof cmd,
             WD_BINARY " run --check --state %s --ingest tcp://127.0.0.1:%d "
                       "--publish tcp://127.0.0.1:%d --http 127.0.0.1:%d",
             state, ports[0], ports[1], ports[2]);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 0);
    CHECK_CONTAINS(out, "the settings are good");
    CHECK_CONTAINS(out, "\nmax-stories = 10000000\n");
    int taken = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t slen = sizeof sa;
    CHECK(bind(taken, (struct sockaddr *)&sa, sizeof sa) == 0 &&
          listen(taken, 1) == 0 &&
          getsockname(taken, (struct sockaddr *)&sa, &slen) == 0);
    snprintf(cmd, sizeof cmd,
             WD_BINARY " run --check --state %s --data-dir %s --ingest "
                       "tcp://127.0.0.1:%d --publish tcp://127.0.0.1:%d "
                       "--http 127.0.0.1:%d",
             state, state, ntohs(sa.sin_port), ports[1], ports[2]);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 1);
    CHECK_CONTAINS(out, "--check: data:");
    CHECK_CONTAINS(out, "--check: --ingest");
    close(taken);
    rmdir(state);
}

int
main(void)
{
    signal(SIGPIPE, SIG_IGN);
    RUN(test_help);
    RUN(test_usage_errors);
    RUN(test_config_precedence);
    RUN(test_unreachable);
    RUN(test_tail_says_why);
    RUN(test_push_ack_batch);
    RUN(test_run_check);
    RUN(test_push_and_tail);
    RUN(test_state_locked);
    RUN(test_json_logs);
    return TEST_DONE();
}
