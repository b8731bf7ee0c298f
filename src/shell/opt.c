/* A command's options as one table. See include/wd/opt.h. */
#include "wd/opt.h"

#include <string.h>

void
wd_opt_longopts(const struct wd_opt *t, size_t n, struct option *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (struct option){t[i].name,
                                 t[i].arg ? required_argument : no_argument,
                                 NULL, t[i].key};
    out[n] = (struct option){NULL, 0, NULL, 0};
}

#define HELP_COL 26 /* where the help text starts */

void
wd_opt_help(FILE *f, const struct wd_opt *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int w = fprintf(f, "  --%s%s%s", t[i].name, t[i].arg ? " " : "",
                        t[i].arg ? t[i].arg : "");
        const char *shown = t[i].shown ? t[i].shown : t[i].def;
        const char *h = t[i].help;
        size_t last = 0; /* the width of the last help line */
        for (;;) {
            const char *nl = strchr(h, '\n');
            size_t len = nl ? (size_t)(nl - h) : strlen(h);
            if (w >= HELP_COL - 1) {
                fputc('\n', f);
                w = 0;
            }
            fprintf(f, "%*s%.*s", HELP_COL - w, "", (int)len, h);
            w = 0;
            last = len;
            if (!nl)
                break;
            fputc('\n', f);
            h = nl + 1;
        }
        /* The default at the end of the last line, or under it when it
         * would pass column 79. */
        if (shown && HELP_COL + last + 3 + strlen(shown) > 79)
            fprintf(f, "\n%*s[%s]", HELP_COL, "", shown);
        else if (shown)
            fprintf(f, " [%s]", shown);
        fputc('\n', f);
    }
}

void
wd_opt_print(FILE *f, const struct wd_opt *t, size_t n, const char *const *vals)
{
    for (size_t i = 0; i < n; i++) {
        if (!t[i].arg || (t[i].flags & WD_OPT_COMMAND))
            continue;
        if (vals[i])
            fprintf(f, "%s = %s\n", t[i].name, vals[i]);
        else
            fprintf(f, "# %s = (%s)\n", t[i].name,
                    t[i].shown ? t[i].shown : "none");
    }
}
