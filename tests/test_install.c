/* WD_TEST_LABEL: e2e */
/* `cmake --install` into a temporary prefix: the installed binary finds its
 * data files in <prefix>/share/wiredesk (not the source tree's), tags a
 * page, and the man page and the systemd unit are in place. */
#include <libgen.h>
#include <sys/stat.h>

#include "worker.h"

static bool
exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void
test_installed_worker(void)
{
    char prefix[] = "/tmp/wd-install-XXXXXX", builddir[4096], cmd[8192];
    CHECK(mkdtemp(prefix) != NULL);
    snprintf(builddir, sizeof builddir, "%s", WD_BINARY);
    snprintf(cmd, sizeof cmd, "cmake --install '%s' --prefix '%s' >/dev/null",
             dirname(builddir), prefix);
    CHECK_INT(system(cmd), ==, 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/share/wiredesk/taxonomy.tsv", prefix);
    CHECK(exists(path));
    snprintf(path, sizeof path, "%s/share/man/man1/wiredesk.1", prefix);
    CHECK(exists(path));
    snprintf(path, sizeof path, "%s/share/doc/wiredesk/wiredesk.service",
             prefix);
    CHECK(exists(path));

    /* The installed binary, started away from the source tree, with no
     * WIREDESK_DATA_DIR: its log names the installed data directory. */
    char bin[4200];
    snprintf(bin, sizeof bin, "%s/bin/wiredesk", prefix);
    struct worker w = {.binary = bin};
    snprintf(w.state, sizeof w.state, "%s/state", prefix);
    CHECK_INT(mkdir(w.state, 0755), ==, 0);
    int ports[3];
    free_ports(3, ports);
    snprintf(w.ingest, sizeof w.ingest, "tcp://127.0.0.1:%d", ports[0]);
    snprintf(w.publish, sizeof w.publish, "tcp://127.0.0.1:%d", ports[1]);
    snprintf(w.http, sizeof w.http, "127.0.0.1:%d", ports[2]);
    unsetenv("WIREDESK_DATA_DIR");
    CHECK_INT(chdir("/"), ==, 0);
    worker_spawn(&w, NULL);
    char want[4200];
    snprintf(want, sizeof want, "data %s/share/wiredesk", prefix);
    CHECK(log_wait_for(&w, want, 20000));
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", prefix);
    CHECK_INT(system(cmd), ==, 0);
}

int
main(void)
{
    RUN(test_installed_worker);
    return TEST_DONE();
}
