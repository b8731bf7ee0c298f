/* The command line: `wiredesk run|push|tail`. main() only calls this. */
#ifndef WD_CLI_H
#define WD_CLI_H

/* Runs the command in argv and returns the process exit code: 0 on success,
 * 1 on a runtime failure, 2 on a usage error (one line on stderr). */
int wd_cli_main(int argc, char **argv);

/* Checks a HOST:PORT string (IPv4, [IPv6] or a name; port 1..65535).
 * Returns 0 or WD_EINVAL. */
int wd_cli_check_hostport(const char *s);

#endif
