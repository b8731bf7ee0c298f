/* WD_TEST_LABEL: unit */
/* The configuration file's parser and the order of the sources. */
#include <unistd.h>

#include "test.h"

#include "wd/config.h"
#include "wd/err.h"

static const struct option opts[] = {
    {"ingest", required_argument, 0, 'i'},
    {"max-page-bytes", required_argument, 0, 'm'},
    {"config", required_argument, 0, 'C'},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

static int
parse(const char *text, char ***args, size_t *n, char *err)
{
    *args = NULL;
    *n = 0;
    return wd_config_parse("t.conf", text, strlen(text), opts, args, n, err,
                           256);
}

static void
test_parse(void)
{
    char **a, err[256];
    size_t n;
    CHECK_OK(parse("# c\n\n  ingest = tcp://x:1  # tail\nmax-page-bytes=\"5\"\n"
                   "ingest='a b'\r\n",
                   &a, &n, err));
    CHECK_INT(n, ==, 3);
    if (n == 3) {
        CHECK_STR(a[0], "--ingest=tcp://x:1");
        CHECK_STR(a[1], "--max-page-bytes=5");
        CHECK_STR(a[2], "--ingest=a b");
    }
    wd_config_free((int)n, a);
    CHECK_INT(parse("ingest = 1\nbogus = 2\n", &a, &n, err), ==, WD_EINVAL);
    CHECK_STR(err, "t.conf:2: unknown setting 'bogus'");
    wd_config_free((int)n, a);
    CHECK_INT(parse("help = yes\n", &a, &n, err), ==, WD_EINVAL);
    CHECK_STR(err, "t.conf:1: unknown setting 'help'"); /* takes no value */
    wd_config_free((int)n, a);
    CHECK_INT(parse("config = other\n", &a, &n, err), ==, WD_EINVAL);
    wd_config_free((int)n, a);
    CHECK_INT(parse("\n\njust words\n", &a, &n, err), ==, WD_EINVAL);
    CHECK_STR(err, "t.conf:3: want 'option = value'");
    wd_config_free((int)n, a);
}

static void
test_order(void)
{
    char dir[] = "/tmp/wd-conf-XXXXXX", path[64], err[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/w.conf", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("ingest = file\nmax-page-bytes = 7\n", f);
    fclose(f);
    setenv("WIREDESK_INGEST", "env", 1);
    char *argv[] = {"wiredesk", "--config", path, "--ingest", "flag", NULL};
    int ac;
    char **av;
    CHECK_OK(wd_config_argv(5, argv, opts, &ac, &av, err, sizeof err));
    /* argv[0], the file's, the environment's, the command line's. */
    CHECK_INT(ac, ==, 6);
    if (ac == 6) {
        CHECK_STR(av[0], "wiredesk");
        CHECK_STR(av[1], "--ingest=file");
        CHECK_STR(av[2], "--max-page-bytes=7");
        CHECK_STR(av[3], "--ingest=env");
        CHECK_STR(av[4], "--ingest");
        CHECK_STR(av[5], "flag");
        CHECK(av[6] == NULL);
    }
    wd_config_free(ac, av);
    unsetenv("WIREDESK_INGEST");
    char *missing[] = {"wiredesk", "--config=/nonexistent/w.conf", NULL};
    CHECK_INT(wd_config_argv(2, missing, opts, &ac, &av, err, sizeof err), ==,
              WD_EINVAL);
    CHECK(strstr(err, "/nonexistent/w.conf") != NULL);
    unlink(path);
    rmdir(dir);
}

int
main(void)
{
    RUN(test_parse);
    RUN(test_order);
    return TEST_DONE();
}
