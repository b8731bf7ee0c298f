#include "wd/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <time.h>

static enum wd_log_level max_level = WD_LOG_INFO;
static enum wd_log_format log_format = WD_LOG_TEXT;

void
wd_log_set_format(enum wd_log_format format)
{
    log_format = format;
}

void
wd_log_set_level(enum wd_log_level level)
{
    max_level = level;
}

static const char *const level_names[] = {"error", "warn", "info", "debug"};

/* The time now, "2026-11-25T11:38:19.427Z". */
static void
now_stamp(char *out, size_t cap)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, cap, "%s.%03ldZ", stamp, ts.tv_nsec / 1000000);
}

/* A JSON line's first members: "ts", "level" and "msg" (invalid UTF-8,
 * from a page's URL, must not lose the line). */
static json_t *
json_line(enum wd_log_level level, const char *msg)
{
    char ts[64];
    now_stamp(ts, sizeof ts);
    json_t *o = json_object();
    json_object_set_new(o, "ts", json_string(ts));
    json_object_set_new(o, "level", json_string(level_names[level]));
    json_t *m = json_string(msg);
    json_object_set_new(o, "msg", m ? m : json_string("(not UTF-8)"));
    return o;
}

/* Writes the object as one line and frees it. One fprintf per line keeps
 * lines whole when several threads log. */
static void
json_emit(json_t *o)
{
    char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (line) {
        fprintf(stderr, "%s\n", line);
        free(line);
    }
}

static void
text_emit(enum wd_log_level level, const char *text)
{
    char ts[64];
    now_stamp(ts, sizeof ts);
    fprintf(stderr, "%s wiredesk %s: %s\n", ts, level_names[level], text);
}

void
wd_log(enum wd_log_level level, const char *fmt, ...)
{
    if (level > max_level)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (log_format == WD_LOG_JSON)
        json_emit(json_line(level, msg));
    else
        text_emit(level, msg);
}

bool
wd_log_on(enum wd_log_level level)
{
    return level <= max_level;
}

/* A string field's value as text writes it: bare when it is one plain word,
 * else in quotes with quotes and backslashes escaped. */
static size_t
put_text_value(char *out, size_t cap, const char *v)
{
    bool plain = *v != '\0';
    for (const char *c = v; *c && plain; c++)
        plain = *c > ' ' && *c != '"' && *c != '\\' && *c != '=';
    if (plain)
        return (size_t)snprintf(out, cap, "%s", v);
    size_t o = 0;
    if (o + 1 < cap)
        out[o++] = '"';
    for (const char *c = v; *c && o + 3 < cap; c++) {
        if (*c == '"' || *c == '\\')
            out[o++] = '\\';
        out[o++] = *c == '\n' ? ' ' : *c;
    }
    if (o + 1 < cap)
        out[o++] = '"';
    out[o < cap ? o : cap - 1] = '\0';
    return o;
}

void
wd_log_event(enum wd_log_level level, const char *event, const char *msg,
             const struct wd_log_field *f, size_t n)
{
    if (level > max_level)
        return;
    if (log_format == WD_LOG_JSON) {
        json_t *o = json_line(level, msg);
        json_object_set_new(o, "event", json_string(event));
        for (size_t i = 0; i < n; i++) {
            json_t *v = f[i].str ? json_string(f[i].str)
                                 : json_integer((json_int_t)f[i].num);
            /* (a page's URL may not be UTF-8: the line stays) */
            json_object_set_new(o, f[i].key,
                                v ? v : json_string("(not UTF-8)"));
        }
        json_emit(o);
        return;
    }
    char text[2048];
    size_t o = (size_t)snprintf(text, sizeof text, "%s:", msg);
    for (size_t i = 0; i < n && o + 8 < sizeof text; i++) {
        o += (size_t)snprintf(text + o, sizeof text - o, " %s=", f[i].key);
        if (o >= sizeof text)
            break;
        if (f[i].str)
            o += put_text_value(text + o, sizeof text - o, f[i].str);
        else
            o += (size_t)snprintf(text + o, sizeof text - o, "%lld", f[i].num);
    }
    text_emit(level, text);
}

void
wd_ratelimit_init(struct wd_ratelimit *r, int per_sec, int burst)
{
    r->per_sec = per_sec;
    r->burst = burst;
    r->tokens = burst;
    r->last_ms = 0;
    r->suppressed = 0;
}

bool
wd_ratelimit_allow(struct wd_ratelimit *r, int64_t now_ms, uint64_t *suppressed)
{
    if (r->last_ms != 0 && now_ms > r->last_ms) {
        r->tokens += (double)(now_ms - r->last_ms) * r->per_sec / 1000.0;
        if (r->tokens > r->burst)
            r->tokens = r->burst;
    }
    r->last_ms = now_ms;
    if (r->tokens < 1.0) {
        r->suppressed++;
        return false;
    }
    r->tokens -= 1.0;
    if (suppressed)
        *suppressed = r->suppressed;
    r->suppressed = 0;
    return true;
}

int64_t
wd_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
wd_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
