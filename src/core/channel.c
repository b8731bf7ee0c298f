#include "wd/channel.h"

#include <stdio.h>
#include <string.h>

#include "wd/err.h"

int
wd_channel_country(const char *cc, char *buf, size_t cap)
{
    if (!cc || strlen(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' ||
        cc[1] > 'Z')
        return WD_EINVAL;
    int w = snprintf(buf, cap, "country.%s", cc);
    return w > 0 && (size_t)w < cap ? 0 : WD_EINVAL;
}

int
wd_channel_theme(const char *slug, char *buf, size_t cap)
{
    size_t n = slug ? strlen(slug) : 0;
    if (n == 0 || n > 40)
        return WD_EINVAL;
    for (size_t i = 0; i < n; i++) {
        char c = slug[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return WD_EINVAL;
    }
    int w = snprintf(buf, cap, "theme.%s", slug);
    return w > 0 && (size_t)w < cap ? 0 : WD_EINVAL;
}

bool
wd_channel_prefix_free(const char *const *names, size_t n, size_t *a, size_t *b)
{
    /* Quadratic, but run once per taxonomy load over a few hundred names. */
    for (size_t i = 0; i < n; i++) {
        size_t li = strlen(names[i]);
        for (size_t j = 0; j < n; j++) {
            if (i == j)
                continue;
            if (strncmp(names[i], names[j], li) == 0) {
                if (a)
                    *a = i;
                if (b)
                    *b = j;
                return false;
            }
        }
    }
    return true;
}

const char *
wd_channel_family(const char *name)
{
    if (strcmp(name, WD_CHANNEL_ALL) == 0)
        return "all";
    if (strncmp(name, "country.", 8) == 0)
        return "country";
    if (strncmp(name, "theme.", 6) == 0)
        return "theme";
    if (strcmp(name, WD_CHANNEL_STATS) == 0)
        return "stats";
    if (strcmp(name, WD_CHANNEL_DEDUP) == 0)
        return "dedup";
    if (strcmp(name, WD_CHANNEL_EVENTS) == 0)
        return "events";
    return "other";
}

/* True when a is a prefix of b. */
static bool
starts(const char *b, const char *a)
{
    return strncmp(b, a, strlen(a)) == 0;
}

const char *
wd_channel_check(const char *sub)
{
    static const char *const whole[] = {WD_CHANNEL_ALL,   WD_CHANNEL_STATS,
                                        WD_CHANNEL_DEDUP, WD_CHANNEL_EVENTS,
                                        "country.",       "theme."};
    if (!*sub)
        return "an empty subscription receives every channel, $stats, "
               "$dedup and $events included: name the channels (all, "
               "country.CC, theme.SLUG, $stats, $dedup, $events)";
    if (strpbrk(sub, "*?[]"))
        return "a subscription is a prefix, not a pattern: 'theme.' "
               "receives every theme, 'country.' every country";
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
        if (starts(whole[i], sub))
            return NULL; /* a prefix of a name or a family: "coun" */
    if (starts(sub, WD_CHANNEL_ALL) || starts(sub, WD_CHANNEL_STATS) ||
        starts(sub, WD_CHANNEL_DEDUP) || starts(sub, WD_CHANNEL_EVENTS))
        return "no channel is longer than all, $stats, $dedup or $events";
    if (starts(sub, "country.")) {
        const char *cc = sub + 8;
        for (size_t i = 0; cc[i]; i++)
            if (i >= 2 || cc[i] < 'A' || cc[i] > 'Z')
                return "a country channel is country. and two capital "
                       "letters (ISO 3166-1): country.KZ";
        return NULL;
    }
    if (starts(sub, "theme.")) {
        for (const char *c = sub + 6; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
                  *c == '-'))
                return "a theme channel is theme. and a slug of a-z, 0-9 "
                       "and -: theme.economy-business-finance";
        return NULL;
    }
    return "no channel starts so: channels are all, country.CC, "
           "theme.SLUG, $stats and $dedup";
}
