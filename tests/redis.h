/* A real redis-server for tests: started on a free loopback port with its
 * files in a temporary directory, every write on disk before its reply
 * (appendfsync always), so that a kill -9 loses nothing it acknowledged. */
#ifndef WD_TEST_REDIS_H
#define WD_TEST_REDIS_H

#include "worker.h"

struct redis {
    pid_t pid;
    int port;
    char dir[64], url[64];
};

/* Starts (or restarts, on the same port and files) r; waits until it
 * answers PING. r->port and r->dir must be set. */
static inline void
redis_start(struct redis *r)
{
    char port[16];
    snprintf(port, sizeof port, "%d", r->port);
    snprintf(r->url, sizeof r->url, "redis://127.0.0.1:%d/0", r->port);
    const char *argv[] = {"/usr/bin/redis-server",
                          "--port",
                          port,
                          "--bind",
                          "127.0.0.1",
                          "--dir",
                          r->dir,
                          "--save",
                          "",
                          "--appendonly",
                          "yes",
                          "--appendfsync",
                          "always",
                          "--daemonize",
                          "no",
                          "--logfile",
                          "redis.log",
                          NULL};
    if (posix_spawn(&r->pid, argv[0], NULL, NULL, (char **)argv, environ)) {
        perror("redis-server");
        exit(2);
    }
    char cmd[128], out[256];
    snprintf(cmd, sizeof cmd, "redis-cli -p %d ping", r->port);
    for (int64_t end = mono_ms() + 10000; mono_ms() < end;) {
        if (run_cmd(cmd, out, sizeof out) == 0 && strstr(out, "PONG"))
            return;
        usleep(20000);
    }
    fprintf(stderr, "redis-server did not start\n");
    exit(2);
}

static inline void
redis_kill(struct redis *r)
{
    kill(r->pid, SIGKILL);
    waitpid(r->pid, NULL, 0);
}

#endif
