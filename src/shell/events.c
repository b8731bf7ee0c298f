/* The worker's log events. See include/wd/events.h. */
#include "wd/events.h"

#include "wd/err.h"
#include "wd/log.h"
#include "wiredesk.pb-c.h"

void
wd_events_rejected(const struct wd_page_outcome *o, uint64_t total,
                   uint64_t suppressed)
{
    struct wd_log_field f[] = {
        WD_LF_S("reason", wd_reject_name(o->reason)),
        WD_LF_S("error", wd_strerror(o->rc)),
        WD_LF_S("url", o->url),
        WD_LF_S("source", o->source),
        WD_LF_N("rejected_total", total),
        WD_LF_N("similar_not_logged", suppressed),
    };
    wd_log_event(WD_LOG_WARN, "page_rejected", "page rejected", f,
                 sizeof f / sizeof f[0]);
}

void
wd_events_refused(const char *domain, enum wd_refuse why, const char *address,
                  uint64_t total, uint64_t suppressed)
{
    char msg[64];
    snprintf(msg, sizeof msg, "client refused on %s", domain);
    struct wd_log_field f[] = {
        WD_LF_S("reason", wd_refuse_name(why)),
        WD_LF_S("address", address),
        WD_LF_S("socket", domain),
        WD_LF_N("refused_total", total),
        WD_LF_N("similar_not_logged", suppressed),
    };
    wd_log_event(WD_LOG_WARN, "client_refused", msg, f, sizeof f / sizeof f[0]);
}

void
wd_events_commit_failed(const struct wd_page_outcome *o)
{
    struct wd_log_field f[] = {
        WD_LF_S("error", wd_strerror(o->store_rc)),
        WD_LF_N("stories", o->published),
        WD_LF_S("url", o->url),
        WD_LF_S("source", o->source),
    };
    wd_log_event(WD_LOG_ERROR, "commit_failed",
                 "store commit failed, the stories published but not "
                 "remembered; ingest paused, the commit retried",
                 f, sizeof f / sizeof f[0]);
}

void
wd_events_page(const struct wd_page_outcome *o)
{
    if (!wd_log_on(WD_LOG_DEBUG))
        return;
    const char *what = o->rc               ? "rejected"
                       : o->items == 0     ? "no_story"
                       : o->page_duplicate ? "page_seen"
                       : o->published      ? "published"
                                           : "duplicates";
    struct wd_log_field f[] = {
        WD_LF_S("outcome", what),
        WD_LF_S("url", o->url),
        WD_LF_S("source", o->source),
        WD_LF_N("stories", o->items),
        WD_LF_N("published", o->published),
        WD_LF_N("upgrades", o->upgrades),
        WD_LF_N("duplicates", o->duplicates),
        WD_LF_S("reason", o->rc ? wd_reject_name(o->reason) : ""),
    };
    wd_log_event(WD_LOG_DEBUG, "page", "page", f, sizeof f / sizeof f[0]);
}

void
wd_events_dedup(const uint8_t *buf, size_t len)
{
    if (!wd_log_on(WD_LOG_DEBUG))
        return;
    Wiredesk__V1__DedupDecision *d =
        wiredesk__v1__dedup_decision__unpack(NULL, len, buf);
    if (!d)
        return;
    char sim[16];
    snprintf(sim, sizeof sim, "%.3f", d->similarity);
    struct wd_log_field f[] = {
        WD_LF_S("kind", d->kind),         WD_LF_S("reason", d->reason),
        WD_LF_S("story_id", d->story_id), WD_LF_S("matched_id", d->matched_id),
        WD_LF_S("similarity", sim),       WD_LF_S("title", d->title),
        WD_LF_S("url", d->page_url),      WD_LF_S("source", d->source),
    };
    wd_log_event(WD_LOG_DEBUG, "dropped", "dropped", f, sizeof f / sizeof f[0]);
    wiredesk__v1__dedup_decision__free_unpacked(d, NULL);
}
