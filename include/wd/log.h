/* Logging to stderr, one line per event, with a per-kind rate limit so that
 * a flood of bad input cannot flood the log. */
#ifndef WD_LOG_H
#define WD_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum wd_log_level { WD_LOG_ERROR, WD_LOG_WARN, WD_LOG_INFO, WD_LOG_DEBUG };

enum wd_log_format { WD_LOG_TEXT, WD_LOG_JSON };

/* text (default): "TIME wiredesk LEVEL: message"; json: one object a line
 * with "ts", "level", "msg". */
void wd_log_set_format(enum wd_log_format format);

/* Lines above this level are dropped; default WD_LOG_INFO. */
void wd_log_set_level(enum wd_log_level level);

void wd_log(enum wd_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* s, or "" for NULL. */
static inline const char *
wd_log_str(const char *s)
{
    return s ? s : "";
}

/* A named field of an event: a string, or a number when str is NULL. */
struct wd_log_field {
    const char *key;
    const char *str;
    long long num;
};
#define WD_LF_S(k, v) ((struct wd_log_field){(k), wd_log_str(v), 0})
#define WD_LF_N(k, v) ((struct wd_log_field){(k), NULL, (long long)(v)})

/* An event with named fields: text, "msg: key=value key="a value" ...";
 * json, one object with "ts", "level", "event", "msg" and each field (a
 * number as a number). event names it for machines ("page_rejected"). */
void wd_log_event(enum wd_log_level level, const char *event, const char *msg,
                  const struct wd_log_field *f, size_t n);

/* True when lines of level are written (a debug event may cost work to
 * prepare). */
bool wd_log_on(enum wd_log_level level);

/* A token bucket: at most burst lines, refilled at per_sec per second. */
struct wd_ratelimit {
    int per_sec;
    int burst;
    double tokens;
    int64_t last_ms;
    uint64_t suppressed; /* lines refused since the last allowed one */
};

void wd_ratelimit_init(struct wd_ratelimit *r, int per_sec, int burst);

/* True when a line may be logged now. *suppressed receives how many lines
 * were refused since the last allowed one (to mention in that line). */
bool wd_ratelimit_allow(struct wd_ratelimit *r, int64_t now_ms,
                        uint64_t *suppressed);

/* Milliseconds of the realtime clock and of the monotonic clock. */
int64_t wd_now_ms(void);
int64_t wd_mono_ms(void);

#endif
