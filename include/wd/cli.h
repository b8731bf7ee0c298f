/* The command line: `wiredesk run|push|tail|stats|top|proxy|keygen`.
 * main() only calls wd_cli_main. */
#ifndef WD_CLI_H
#define WD_CLI_H

#include <signal.h>
#include <stdbool.h>

#include "wd/curve.h"

/* Runs the command in argv and returns the process exit code: 0 on success,
 * 1 on a runtime failure, 2 on a usage error (one line on stderr). */
int wd_cli_main(int argc, char **argv);

/* Checks a HOST:PORT string (IPv4, [IPv6] or a name; port 1..65535).
 * Returns 0 or WD_EINVAL. */
int wd_cli_check_hostport(const char *s);

/* The commands, one file each in src/shell/cli/, and the helpers they
 * share (src/shell/cli.c). Each command takes its own argv (argv[0] is the
 * command's name) and returns the exit code. */
int wd_cli_run(int argc, char **argv);
int wd_cli_push(int argc, char **argv);
int wd_cli_tail(int argc, char **argv);
int wd_cli_stats(int argc, char **argv, bool top); /* stats, top */
int wd_cli_proxy(int argc, char **argv);
int wd_cli_keygen(int argc, char **argv);

/* Set by wd_cli_on_signal (SIGINT, SIGTERM): `tail` and `top` stop. */
extern volatile sig_atomic_t wd_cli_stop;
void wd_cli_on_signal(int sig);

/* "wiredesk CMD: <fmt with arg> (see 'wiredesk CMD --help')" on stderr;
 * returns 2, the usage exit code. */
int wd_cli_usage_error(const char *cmd, const char *fmt, const char *arg);

/* Parses a decimal count within [lo, hi]: 0 or WD_EINVAL. */
int wd_cli_parse_num(const char *s, long long lo, long long hi, long long *out);

/* 0 when endpoint (NULL: an option not given) is well formed; else says
 * "malformed FLAG endpoint 'X'" ("malformed endpoint 'X'" when flag is
 * NULL) and returns the usage exit code. */
int wd_cli_check_endpoint(const char *cmd, const char *flag,
                          const char *endpoint);

/* The getopt results every command treats alike: --help, a missing value,
 * an unknown option. Returns the exit code. */
int wd_cli_other_option(const char *cmd, int c, const char *usage, char **argv);

/* A client's CURVE keys: --curve-server-key ('K') and --curve-secret
 * ('k'). option() takes them (false for other options); load() reads both
 * or neither (0, 2 for usage, 1 for a refused key file, said on stderr);
 * apply() makes sock a CURVE client when keys were given and wipes the
 * secret. */
struct wd_cli_curve {
    const char *server_path, *secret_path;
    struct wd_curve_key server, secret;
};
bool wd_cli_curve_option(struct wd_cli_curve *cc, int c, const char *arg);
int wd_cli_curve_load(const char *cmd, struct wd_cli_curve *cc);
int wd_cli_curve_apply(const char *cmd, struct wd_cli_curve *cc, void *sock);

#endif
