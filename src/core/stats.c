#include "wd/stats.h"

#include <stdio.h>
#include <string.h>

#include "wd/text.h"

static const char *const counter_names[] = {
#define WD_C_NAME(name, str) str,
    WD_COUNTER_MAP(WD_C_NAME)
#undef WD_C_NAME
};

static const char *const reject_names[] = {
#define WD_R_NAME(name, str) str,
    WD_REJECT_MAP(WD_R_NAME)
#undef WD_R_NAME
};

static const char *const empty_names[] = {"none",
#define WD_E_NAME(name, str) str,
                                          WD_EMPTY_MAP(WD_E_NAME)
#undef WD_E_NAME
};

const char *
wd_empty_name(enum wd_empty e)
{
    return e < WD_EMPTY__COUNT ? empty_names[e] : "unknown";
}

static const char *const dedup_names[] = {
#define WD_D_NAME(name, str) str,
    WD_DEDUP_MAP(WD_D_NAME)
#undef WD_D_NAME
};

static const char *const refuse_names[] = {
#define WD_F_NAME(name, str) str,
    WD_REFUSE_MAP(WD_F_NAME)
#undef WD_F_NAME
};

const char *
wd_refuse_name(enum wd_refuse r)
{
    return r < WD_REFUSE__COUNT ? refuse_names[r] : "unknown";
}

static const char *const socket_names[] = {
#define WD_S_NAME(name, str) str,
    WD_SOCKET_MAP(WD_S_NAME)
#undef WD_S_NAME
};

const char *
wd_socket_name(enum wd_socket s)
{
    return s < WD_SOCKET__COUNT ? socket_names[s] : "unknown";
}

const char *
wd_dedup_kind_name(enum wd_dedup_kind k)
{
    return k < WD_DEDUP_KIND__COUNT ? dedup_names[k] : "unknown";
}

const char *
wd_counter_name(enum wd_counter c)
{
    return c < WD_C__COUNT ? counter_names[c] : "unknown";
}

const char *
wd_reject_name(enum wd_reject r)
{
    return r < WD_REJECT__COUNT ? reject_names[r] : "unknown";
}

void
wd_stats_reject(struct wd_stats *s, enum wd_reject r)
{
    s->c[WD_C_PAGES_REJECTED]++;
    if (r < WD_REJECT__COUNT)
        s->rejected[r]++;
}

void
wd_stats_latency(struct wd_stats *s, double seconds)
{
    static const double bounds[WD_N_LATENCY] = WD_LATENCY_BUCKETS;
    int b = 0;
    while (b < WD_N_LATENCY && seconds > bounds[b])
        b++;
    s->latency[b]++;
    s->latency_sum_s += seconds;
    s->latency_count++;
}

void
wd_stats_source(struct wd_stats *s, const char *source, uint64_t pages,
                uint64_t rejected, uint64_t articles)
{
    if (!source || !*source)
        source = "-";
    struct wd_source_stats *e = NULL;
    for (size_t i = 0; i < s->n_sources && !e; i++)
        if (strncmp(s->sources[i].name, source, sizeof e->name - 1) == 0 &&
            strlen(source) < sizeof e->name)
            e = &s->sources[i];
    if (!e && s->n_sources < WD_STATS_SOURCES &&
        strlen(source) < sizeof e->name) {
        e = &s->sources[s->n_sources++];
        wd_text_copy(e->name, sizeof e->name, source);
    }
    if (!e) {
        e = &s->sources[WD_STATS_SOURCES];
        snprintf(e->name, sizeof e->name, "other");
    }
    e->pages += pages;
    e->rejected += rejected;
    e->articles += articles;
}
