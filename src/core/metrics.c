#include "wd/metrics.h"

#include <stddef.h>

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wd/channel.h"

void
wd_metrics_put(struct wd_metrics_out *o, const char *fmt, ...)
{
    while (!o->failed) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            o->failed = true;
            return;
        }
        if (o->len + (size_t)n < o->cap) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = (o->cap + (size_t)n) * 2;
        char *p = realloc(o->p, cap);
        if (!p) {
            o->failed = true;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
}

bool
wd_metrics_init(struct wd_metrics_out *o)
{
    o->cap = 8192;
    o->len = 0;
    o->p = malloc(o->cap);
    o->failed = o->p == NULL;
    return !o->failed;
}

char *
wd_metrics_finish(struct wd_metrics_out *o, size_t *len)
{
    if (o->failed) {
        free(o->p);
        o->p = NULL;
        return NULL;
    }
    *len = o->len;
    return o->p;
}

void
wd_metrics_family(struct wd_metrics_out *o, const char *name, const char *type,
                  const char *help)
{
    wd_metrics_put(o, "# HELP wiredesk_%s %s\n# TYPE wiredesk_%s %s\n", name,
                   help, name, type);
}

static void
counter(struct wd_metrics_out *o, const char *name, const char *help,
        uint64_t v)
{
    wd_metrics_family(o, name, "counter", help);
    wd_metrics_put(o, "wiredesk_%s %llu\n", name, (unsigned long long)v);
}

static void
gauge(struct wd_metrics_out *o, const char *name, const char *help, double v)
{
    wd_metrics_family(o, name, "gauge", help);
    wd_metrics_put(o, "wiredesk_%s %.17g\n", name, v);
}

/* Label values here are channel names and fixed words: escape anyway. */
static void
label_value(struct wd_metrics_out *o, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            wd_metrics_put(o, "\\%c", *v);
        else if (*v == '\n')
            wd_metrics_put(o, "\\n");
        else
            wd_metrics_put(o, "%c", *v);
    }
}

char *
wd_metrics_prometheus(const struct wd_snapshot *s, size_t *len)
{
    const struct wd_stats *st = s->stats;
    struct wd_metrics_out o;
    if (!wd_metrics_init(&o))
        return NULL;
    counter(&o, "pages_received_total", "Pages received on ingest.",
            st->c[WD_C_PAGES_RECEIVED]);
    counter(&o, "pages_accepted_total", "Pages parsed.",
            st->c[WD_C_PAGES_ACCEPTED]);
    wd_metrics_family(&o, "pages_rejected_total", "counter",
                      "Pages refused, by reason.");
    for (int r = 0; r < WD_REJECT__COUNT; r++)
        wd_metrics_put(&o,
                       "wiredesk_pages_rejected_total{reason=\"%s\"} %llu\n",
                       wd_reject_name(r), (unsigned long long)st->rejected[r]);
    wd_metrics_family(&o, "pages_without_articles_total", "counter",
                      "Pages parsed into no story, by reason.");
    for (int e = 1; e < WD_EMPTY__COUNT; e++)
        wd_metrics_put(
            &o, "wiredesk_pages_without_articles_total{reason=\"%s\"} %llu\n",
            wd_empty_name(e), (unsigned long long)st->empty[e]);
    counter(&o, "articles_parsed_total", "Stories found on pages.",
            st->c[WD_C_ARTICLES_PARSED]);
    counter(&o, "articles_published_total",
            "Stories published (new and upgrades).",
            st->c[WD_C_ARTICLES_PUBLISHED]);
    wd_metrics_family(&o, "dedup_decisions_total", "counter",
                      "Dedup decisions, by kind.");
    for (int k = 0; k < WD_DEDUP_KIND__COUNT; k++)
        wd_metrics_put(&o, "wiredesk_dedup_decisions_total{kind=\"%s\"} %llu\n",
                       wd_dedup_kind_name(k), (unsigned long long)st->dedup[k]);

    /* Messages by channel family, and the busiest channels. */
    uint64_t fam[4] = {0, 0, 0, 0};
    static const char *const fam_names[4] = {"all", "country", "theme",
                                             "other"};
    for (size_t i = 0; i < s->n_channels; i++) {
        const char *f = wd_channel_family(s->channels[i].name);
        int k = strcmp(f, "all") == 0       ? 0
                : strcmp(f, "country") == 0 ? 1
                : strcmp(f, "theme") == 0   ? 2
                                            : 3;
        fam[k] += s->channels[i].messages;
    }
    wd_metrics_family(&o, "messages_published_total", "counter",
                      "Messages published, by channel family.");
    for (int k = 0; k < 4; k++)
        wd_metrics_put(
            &o, "wiredesk_messages_published_total{family=\"%s\"} %llu\n",
            fam_names[k], (unsigned long long)fam[k]);
    wd_metrics_family(&o, "channel_messages_total", "counter",
                      "Messages published on the busiest channels.");
    for (size_t i = 0; i < s->n_channels && i < 20; i++) {
        wd_metrics_put(&o, "wiredesk_channel_messages_total{channel=\"");
        label_value(&o, s->channels[i].name);
        wd_metrics_put(&o, "\"} %llu\n",
                       (unsigned long long)s->channels[i].messages);
    }
    counter(&o, "publish_dropped_total",
            "Messages the PUB socket refused (counted, not retried).",
            st->c[WD_C_PUBLISH_DROPPED]);
    counter(&o, "store_errors_total", "Store operations that failed.",
            st->c[WD_C_STORE_ERRORS]);
    counter(&o, "bytes_in_total", "Bytes received on ingest.",
            st->c[WD_C_BYTES_IN]);
    counter(&o, "bytes_out_total", "Bytes published.", st->c[WD_C_BYTES_OUT]);
    counter(&o, "articles_duplicate_total",
            "Stories dropped as already published.",
            st->c[WD_C_ARTICLES_DUPLICATE]);
    counter(&o, "events_created_total",
            "Events founded: published stories that matched no live event.",
            st->c[WD_C_EVENTS_CREATED]);
    counter(&o, "events_joined_total",
            "Published stories that joined a live event (a later revision "
            "of a story stays in its event and counts here too).",
            st->c[WD_C_EVENTS_JOINED]);
    gauge(&o, "events_live", "Events that can still take articles.",
          (double)s->events_live);
    gauge(&o, "events_bytes",
          "Memory the event clusterer holds (bounded "
          "by --max-events).",
          (double)s->events_bytes);
    counter(&o, "claim_waits_total",
            "Pages held back because another worker was publishing one of "
            "their stories, or a near copy, at that moment (shared store).",
            st->c[WD_C_CLAIM_WAITS]);
    wd_metrics_family(
        &o, "clients_refused_total", "counter",
        "CURVE handshakes refused, by reason: unknown_key (not on the "
        "allow-list), bad_request, handshake (plain client or wrong "
        "server key).");
    for (int r = 0; r < WD_REFUSE__COUNT; r++)
        wd_metrics_put(&o,
                       "wiredesk_clients_refused_total{reason=\"%s\"} %llu\n",
                       wd_refuse_name(r), (unsigned long long)st->refused[r]);
    counter(&o, "tagger_reloads_total",
            "Tagger data files reloaded (SIGHUP) and put in force.",
            st->c[WD_C_TAGGER_RELOADS]);
    counter(&o, "tagger_reload_failures_total",
            "Tagger reloads refused (a data file with an error).",
            st->c[WD_C_TAGGER_RELOAD_FAILURES]);

    static const double bounds[WD_N_LATENCY] = WD_LATENCY_BUCKETS;
    wd_metrics_family(&o, "page_processing_seconds", "histogram",
                      "Time from a page received to its articles handed to the "
                      "publisher.");
    uint64_t cum = 0;
    for (int b = 0; b < WD_N_LATENCY; b++) {
        cum += st->latency[b];
        wd_metrics_put(
            &o, "wiredesk_page_processing_seconds_bucket{le=\"%g\"} %llu\n",
            bounds[b], (unsigned long long)cum);
    }
    cum += st->latency[WD_N_LATENCY];
    wd_metrics_put(
        &o, "wiredesk_page_processing_seconds_bucket{le=\"+Inf\"} %llu\n",
        (unsigned long long)cum);
    wd_metrics_put(&o, "wiredesk_page_processing_seconds_sum %.9f\n",
                   st->latency_sum_s);
    wd_metrics_put(&o, "wiredesk_page_processing_seconds_count %llu\n",
                   (unsigned long long)st->latency_count);

    gauge(&o, "store_stories", "Stories remembered by dedup.",
          (double)s->store_stories);
    gauge(&o, "store_bytes", "Bytes the store occupies.",
          (double)s->store_bytes);
    gauge(&o, "resident_memory_bytes", "Resident memory of the worker.",
          (double)s->rss_bytes);
    gauge(&o, "http_connections", "Open HTTP connections.",
          (double)s->http_connections);
    wd_metrics_family(&o, "peers", "gauge",
                      "ZeroMQ connections open now, by socket (publish: the "
                      "subscribers, or the proxy; ingest: the scrapers).");
    for (int i = 0; i < WD_SOCKET__COUNT; i++)
        if (s->peers[i] >= 0)
            wd_metrics_put(&o, "wiredesk_peers{socket=\"%s\"} %lld\n",
                           wd_socket_name(i), (long long)s->peers[i]);
    wd_metrics_family(&o, "send_queue_bytes", "gauge",
                      "Bytes the kernel holds unsent on those connections, "
                      "by socket (publish: what slow subscribers have not "
                      "read yet, beyond libzmq's own queue).");
    for (int i = 0; i < WD_SOCKET__COUNT; i++)
        if (s->peers[i] >= 0)
            wd_metrics_put(
                &o, "wiredesk_send_queue_bytes{socket=\"%s\"} %llu\n",
                wd_socket_name(i), (unsigned long long)s->send_queue[i]);
    wd_metrics_family(&o, "send_queue_max_bytes", "gauge",
                      "The same on the fullest connection of each socket.");
    for (int i = 0; i < WD_SOCKET__COUNT; i++)
        if (s->peers[i] >= 0)
            wd_metrics_put(
                &o, "wiredesk_send_queue_max_bytes{socket=\"%s\"} %llu\n",
                wd_socket_name(i), (unsigned long long)s->send_queue_max[i]);
    gauge(&o, "uptime_seconds", "Seconds since the worker started.",
          (double)(s->now_ms - st->started_at_ms) / 1000.0);
    gauge(&o, "ready", "1 when sockets are bound and the store works.",
          s->ready ? 1 : 0);
    static const struct {
        const char *name, *help;
        size_t off;
    } per_source[] = {
        {"source_pages_total",
         "Pages received, by RawPage.source (the first "
         "32 sources seen; the rest as other).",
         offsetof(struct wd_source_stats, pages)},
        {"source_rejected_total", "Pages refused, by RawPage.source.",
         offsetof(struct wd_source_stats, rejected)},
        {"source_articles_total", "Articles published, by RawPage.source.",
         offsetof(struct wd_source_stats, articles)},
    };
    for (size_t k = 0; k < sizeof per_source / sizeof per_source[0]; k++) {
        wd_metrics_family(&o, per_source[k].name, "counter",
                          per_source[k].help);
        for (size_t i = 0; i <= WD_STATS_SOURCES; i++) {
            const struct wd_source_stats *e = &st->sources[i];
            if (i == st->n_sources)
                i = WD_STATS_SOURCES; /* then "other", when used */
            e = &st->sources[i];
            if (!e->name[0])
                continue;
            uint64_t v;
            memcpy(&v, (const char *)e + per_source[k].off, sizeof v);
            wd_metrics_put(&o, "wiredesk_%s{source=\"", per_source[k].name);
            label_value(&o, e->name);
            wd_metrics_put(&o, "\"} %llu\n", (unsigned long long)v);
        }
    }
    wd_metrics_family(&o, "loop_idle_seconds_total", "counter",
                      "Time the event loop waited for events: utilisation "
                      "is 1 - rate(this).");
    wd_metrics_put(&o, "wiredesk_loop_idle_seconds_total %.6f\n",
                   s->loop_idle_s);
    /* The process figures under the names every exporter uses. */
    static const struct {
        const char *name, *type, *help;
    } proc[] = {
        {"process_cpu_seconds_total", "counter",
         "Total user and system CPU time spent in seconds."},
        {"process_resident_memory_bytes", "gauge",
         "Resident memory size in bytes."},
        {"process_virtual_memory_bytes", "gauge",
         "Virtual memory size in bytes."},
        {"process_open_fds", "gauge", "Number of open file descriptors."},
        {"process_max_fds", "gauge",
         "Maximum number of open file descriptors."},
        {"process_start_time_seconds", "gauge",
         "Start time of the process since unix epoch in seconds."},
    };
    double pv[] = {s->cpu_seconds,           (double)s->rss_bytes,
                   (double)s->virtual_bytes, (double)s->open_fds,
                   (double)s->max_fds,       s->start_time_s};
    for (size_t i = 0; i < sizeof proc / sizeof proc[0]; i++)
        wd_metrics_put(&o, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n",
                       proc[i].name, proc[i].help, proc[i].name, proc[i].type,
                       proc[i].name, pv[i]);
    wd_metrics_family(&o, "build_info", "gauge", "Build information.");
    wd_metrics_put(&o, "wiredesk_build_info{version=\"");
    label_value(&o, s->version);
    wd_metrics_put(&o, "\"} 1\n");
    return wd_metrics_finish(&o, len);
}

char *
wd_metrics_json(const struct wd_snapshot *s, size_t *len)
{
    const struct wd_stats *st = s->stats;
    json_t *o = json_object();
    json_object_set_new(o, "worker", json_string(s->worker));
    json_object_set_new(o, "version", json_string(s->version));
    json_object_set_new(o, "at_ms", json_integer(s->now_ms));
    json_object_set_new(
        o, "uptime_s",
        json_real((double)(s->now_ms - st->started_at_ms) / 1000.0));
    json_object_set_new(o, "ready", json_boolean(s->ready));
    if (!s->ready)
        json_object_set_new(o, "not_ready", json_string(s->not_ready));
    json_t *c = json_object();
    for (int i = 0; i < WD_C__COUNT; i++)
        json_object_set_new(c, wd_counter_name(i),
                            json_integer((json_int_t)st->c[i]));
    json_object_set_new(o, "counters", c);
    json_t *rej = json_object();
    for (int r = 0; r < WD_REJECT__COUNT; r++)
        json_object_set_new(rej, wd_reject_name(r),
                            json_integer((json_int_t)st->rejected[r]));
    json_object_set_new(o, "rejected", rej);
    json_t *emp = json_object();
    for (int e = 1; e < WD_EMPTY__COUNT; e++)
        json_object_set_new(emp, wd_empty_name(e),
                            json_integer((json_int_t)st->empty[e]));
    json_object_set_new(o, "without_articles", emp);
    json_t *dd = json_object();
    for (int k = 0; k < WD_DEDUP_KIND__COUNT; k++)
        json_object_set_new(dd, wd_dedup_kind_name(k),
                            json_integer((json_int_t)st->dedup[k]));
    json_object_set_new(o, "dedup", dd);
    json_t *cr = json_object();
    for (int r = 0; r < WD_REFUSE__COUNT; r++)
        json_object_set_new(cr, wd_refuse_name(r),
                            json_integer((json_int_t)st->refused[r]));
    json_object_set_new(o, "clients_refused", cr);
    json_t *ch = json_array();
    for (size_t i = 0; i < s->n_channels; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "channel", json_string(s->channels[i].name));
        json_object_set_new(e, "messages",
                            json_integer((json_int_t)s->channels[i].messages));
        json_array_append_new(ch, e);
    }
    json_object_set_new(o, "channels", ch);
    json_t *lt = json_array();
    for (size_t i = 0; i < s->n_latest; i++)
        json_array_append_new(lt, json_string(s->latest[i]));
    json_object_set_new(o, "latest", lt);
    json_t *ev = json_array();
    for (size_t i = 0; i < s->n_events; i++) {
        const struct wd_cluster_event *e = &s->events[i];
        json_t *x = json_object();
        json_object_set_new(x, "id", json_string(e->id));
        json_object_set_new(x, "title", json_string(e->title));
        json_object_set_new(x, "articles", json_integer(e->articles));
        json_object_set_new(x, "sources", json_integer(e->sources));
        json_t *cc = json_array();
        for (size_t k = 0; k < e->n_countries; k++)
            json_array_append_new(cc, json_string(e->countries[k]));
        json_object_set_new(x, "countries", cc);
        json_object_set_new(x, "first_seen_ms", json_integer(e->first_ms));
        json_object_set_new(x, "last_seen_ms", json_integer(e->last_ms));
        json_array_append_new(ev, x);
    }
    json_object_set_new(o, "events", ev);
    json_object_set_new(o, "events_live",
                        json_integer((json_int_t)s->events_live));
    json_object_set_new(o, "latency_count",
                        json_integer((json_int_t)st->latency_count));
    json_object_set_new(o, "latency_sum_s", json_real(st->latency_sum_s));
    json_object_set_new(o, "store_stories",
                        json_integer((json_int_t)s->store_stories));
    json_object_set_new(o, "store_bytes",
                        json_integer((json_int_t)s->store_bytes));
    json_object_set_new(o, "rss_bytes", json_integer((json_int_t)s->rss_bytes));
    json_t *pe = json_object();
    for (int i = 0; i < WD_SOCKET__COUNT; i++)
        if (s->peers[i] >= 0)
            json_object_set_new(pe, wd_socket_name(i),
                                json_integer((json_int_t)s->peers[i]));
    json_object_set_new(o, "peers", pe);
    json_t *sq = json_object();
    for (int i = 0; i < WD_SOCKET__COUNT; i++)
        if (s->peers[i] >= 0)
            json_object_set_new(sq, wd_socket_name(i),
                                json_integer((json_int_t)s->send_queue[i]));
    json_object_set_new(o, "send_queue_bytes", sq);
    char *out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (out)
        *len = strlen(out);
    return out;
}
