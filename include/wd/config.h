/* Configuration from three places, in this order of precedence: command-
 * line flags, environment variables (WIREDESK_<OPTION>, e.g.
 * WIREDESK_INGEST or WIREDESK_MAX_PAGE_BYTES), and a configuration file
 * (--config FILE or WIREDESK_CONFIG; lines "option = value", '#' starts a
 * comment). Every setting has one name everywhere: the long option's.
 *
 * The file and the environment are turned into "--option=value" arguments
 * placed before the command line's, so that one getopt pass, in which the
 * last value wins, applies the precedence and every check of the flags.
 */
#ifndef WD_CONFIG_H
#define WD_CONFIG_H

#include <getopt.h>
#include <stddef.h>

/* Parses a configuration file's text into "--name=value" arguments,
 * appended to *args (a malloc'd array of malloc'd strings, *n of them;
 * both grow). Only long options of opts that take a value are accepted.
 * Returns 0, or WD_EINVAL with "NAME:LINE: reason" in err, or WD_ENOMEM. */
int wd_config_parse(const char *name, const char *text, size_t len,
                    const struct option *opts, char ***args, size_t *n,
                    char *err, size_t err_cap);

/* The argument vector a command parses: argv[0], then the file's settings
 * (the file named by --config in argv, else by $WIREDESK_CONFIG, if any),
 * then the environment's WIREDESK_* settings for opts, then argv[1..].
 * --config itself is consumed. Free the result with wd_config_free().
 * Returns 0, WD_EINVAL (err says why: a file that cannot be read, a line
 * that is wrong) or WD_ENOMEM. */
int wd_config_argv(int argc, char **argv, const struct option *opts,
                   int *out_argc, char ***out_argv, char *err, size_t err_cap);

/* Where argument i of the vector wd_config_argv() made came from, for the
 * error about a bad value: "FILE:LINE", "$WIREDESK_NAME", or NULL for the
 * command line. Valid until wd_config_free(). */
const char *wd_config_origin(int i);

void wd_config_free(int argc, char **argv);

#endif
