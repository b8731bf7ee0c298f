/* A command's options as one table, from which everything else comes.
 *
 * Each row names a setting once: its long flag (--max-page-bytes), which is
 * also its key in a configuration file and, as WIREDESK_MAX_PAGE_BYTES, its
 * environment variable (config.h); the placeholder of its value; its
 * default as text; and its help. getopt's array, the --help text, the
 * defaults the command starts from and `--print-config` are made from the
 * table, and `scripts/check-options.py` (ctest `options_documented`) holds
 * the README, OPERATIONS and the man page to the defaults printed, so a
 * default is written in one place.
 */
#ifndef WD_OPT_H
#define WD_OPT_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

struct wd_opt {
    const char *name;  /* the long option, without "--" */
    int key;           /* what getopt_long returns for it */
    const char *arg;   /* the value's placeholder ("N"); NULL: takes none */
    const char *def;   /* the default, parsed like a value; NULL: none */
    const char *shown; /* the default as --help says it when def is NULL or
                          needs words ("off", "$WIREDESK_DATA_DIR, else
                          ..."); NULL: def */
    const char *help;  /* lines separated by '\n' */
    int flags;         /* WD_OPT_* */
};

/* Not a setting but an instruction to the command (--config, --help,
 * --print-config): left out of --print-config. */
#define WD_OPT_COMMAND 1

/* Fills out[0..n] (n + 1 entries) with getopt_long's array for t[0..n). */
void wd_opt_longopts(const struct wd_opt *t, size_t n, struct option *out);

/* Writes the options' help to f: one row per option, its flag and
 * placeholder, then its help, the default in brackets at the end. */
void wd_opt_help(FILE *f, const struct wd_opt *t, size_t n);

/* Writes the settings in force as a configuration file: "name = value" for
 * each option that takes a value; vals[i] is t[i]'s value (NULL: none,
 * written as a comment with what --help says). */
void wd_opt_print(FILE *f, const struct wd_opt *t, size_t n,
                  const char *const *vals);

#endif
